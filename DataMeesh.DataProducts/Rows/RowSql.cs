using System.Text;
using DataMeesh.DataProducts.Catalog;
using Npgsql;

namespace DataMeesh.DataProducts.Rows;

/// <summary>
/// Builds the SQL of a <see cref="RowRequest"/>. Identifiers come from the catalog (quoted anyway); every value is a
/// parameter. Paging is keyset: the next page starts after the sort values of the previous page's last row, so a deep page
/// costs what the first one costs (an index range scan, never OFFSET).
/// </summary>
internal static class RowSql
{
    public const string Mask = PiiPolicy.Mask;

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// The columns a query reads: the requested fields first (masked where the caller may not see them), then the sort
    /// columns the caller did not ask for, needed to build the cursor.
    /// </summary>
    public static IReadOnlyList<Column> SelectedColumns(RowRequest request) =>
        [.. request.Fields, .. request.EffectiveSort.Select(s => s.Column).Where(c => !request.Fields.Contains(c))];

    public static NpgsqlCommand Build(RowRequest request, NpgsqlConnection connection, int? limit)
    {
        var command = new NpgsqlCommand { Connection = connection };
        command.CommandText = Select(request, limit, command.Parameters);
        return command;
    }

    /// <summary>The same query as <see cref="Build"/>, as one statement of a batch (several queries, one round trip).</summary>
    public static NpgsqlBatchCommand BuildBatchCommand(RowRequest request, int? limit)
    {
        var command = new NpgsqlBatchCommand();
        command.CommandText = Select(request, limit, command.Parameters);
        return command;
    }

    private static string Select(RowRequest request, int? limit, NpgsqlParameterCollection parameters)
    {
        var sql = new StringBuilder("SELECT ");
        // Without a limit (CSV, Excel) there is no cursor to build, so only the requested fields are read.
        var columns = limit is null ? request.Fields : SelectedColumns(request);
        sql.AppendJoin(", ", columns.Select(c =>
            request.IsMasked(c) ? $"CASE WHEN {Quote(c.Name)} IS NULL THEN NULL ELSE '{Mask}' END AS {Quote(c.Name)}" : Quote(c.Name)));
        sql.Append(" FROM public.").Append(Quote(request.Dataset.Name));

        var conditions = request.Filters.Select(f => FilterCondition(f, parameters)).ToList();
        if (request.After is { } after)
        {
            conditions.Add(AfterCondition(request.EffectiveSort, after, parameters));
        }

        if (conditions.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
        }

        sql.Append(" ORDER BY ").AppendJoin(", ", request.EffectiveSort.Select(s => Quote(s.Column.Name) + (s.Descending ? " DESC" : "")));
        if (limit is { } rows)
        {
            sql.Append(" LIMIT ").Append(AddParameter(parameters, request.Dataset.Key[0], (long)rows, forceBigint: true));
        }

        return sql.ToString();
    }

    /// <summary>The number of rows a request selects (for formats with a size limit).</summary>
    public static NpgsqlCommand Count(RowRequest request, NpgsqlConnection connection)
    {
        var command = new NpgsqlCommand { Connection = connection };
        var conditions = request.Filters.Select(f => FilterCondition(f, command.Parameters)).ToList();
        command.CommandText = $"SELECT count(*) FROM public.{Quote(request.Dataset.Name)}" +
                              (conditions.Count > 0 ? " WHERE " + string.Join(" AND ", conditions) : "");
        return command;
    }

    private static string FilterCondition(RowFilter filter, NpgsqlParameterCollection parameters)
    {
        var column = Quote(filter.Column.Name);
        if (filter.Values.Count > 1)
        {
            parameters.Add(new NpgsqlParameter { Value = ToArray(filter.Values), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | filter.Column.Type.DbType });
            return $"{column} = ANY(${parameters.Count})";
        }

        var parameter = AddParameter(parameters, filter.Column, filter.Values[0]);
        return filter.Operator switch
        {
            FilterOperator.Eq => $"{column} = {parameter}",
            FilterOperator.Ne => $"{column} IS DISTINCT FROM {parameter}",
            FilterOperator.Gt => $"{column} > {parameter}",
            FilterOperator.Gte => $"{column} >= {parameter}",
            FilterOperator.Lt => $"{column} < {parameter}",
            _ => $"{column} <= {parameter}",
        };
    }

    /// <summary>
    /// Rows strictly after the given sort values. PostgreSQL sorts NULL last ascending and first descending; the
    /// condition follows the same order. With one direction and no nullable column it is a row comparison
    /// <c>(a, b) &gt; (@a, @b)</c>, which PostgreSQL answers with one index range scan.
    /// </summary>
    private static string AfterCondition(IReadOnlyList<SortKey> sort, IReadOnlyList<object?> after, NpgsqlParameterCollection parameters)
    {
        var simple = sort.All(s => s.Descending == sort[0].Descending) && sort.All(s => !s.Column.Nullable) && after.All(v => v is not null);
        if (simple)
        {
            var columns = string.Join(", ", sort.Select(s => Quote(s.Column.Name)));
            var values = string.Join(", ", sort.Select((s, i) => AddParameter(parameters, s.Column, after[i]!)));
            return $"({columns}) {(sort[0].Descending ? "<" : ">")} ({values})";
        }

        var alternatives = new List<string>();
        for (var i = 0; i < sort.Count; i++)
        {
            var parts = new List<string>();
            for (var j = 0; j < i; j++)
            {
                parts.Add(after[j] is null ? $"{Quote(sort[j].Column.Name)} IS NULL" : $"{Quote(sort[j].Column.Name)} = {AddParameter(parameters, sort[j].Column, after[j]!)}");
            }

            var column = Quote(sort[i].Column.Name);
            var value = after[i];
            string? beyond = (sort[i].Descending, value) switch
            {
                (false, null) => null, // NULLs come last ascending: nothing after them
                (false, _) => $"({column} > {AddParameter(parameters, sort[i].Column, value)} OR {column} IS NULL)",
                (true, null) => $"{column} IS NOT NULL",
                (true, _) => $"{column} < {AddParameter(parameters, sort[i].Column, value)}",
            };
            if (beyond is not null)
            {
                parts.Add(beyond);
                alternatives.Add("(" + string.Join(" AND ", parts) + ")");
            }
        }

        return alternatives.Count == 0 ? "FALSE" : "(" + string.Join(" OR ", alternatives) + ")";
    }

    /// <summary>
    /// Adds a positional parameter and returns its placeholder (<c>$1</c>, <c>$2</c>, ...): Npgsql sends positional SQL as
    /// is, where named parameters would make it parse and rewrite every statement on each request.
    /// </summary>
    private static string AddParameter(NpgsqlParameterCollection parameters, Column column, object value, bool forceBigint = false)
    {
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = forceBigint ? NpgsqlTypes.NpgsqlDbType.Bigint : column.Type.DbType, Value = value });
        return "$" + parameters.Count;
    }

    private static Array ToArray(IReadOnlyList<object> values)
    {
        var array = Array.CreateInstance(values[0].GetType(), values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            array.SetValue(values[i], i);
        }

        return array;
    }
}
