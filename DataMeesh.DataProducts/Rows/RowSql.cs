using System.Collections.Concurrent;
using System.Globalization;
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
    /// columns the caller did not ask for, needed to build the cursor. Usually the fields hold every sort column (all of a
    /// dataset's columns are the default), and the fields themselves are returned.
    /// </summary>
    public static IReadOnlyList<Column> SelectedColumns(RowRequest request) => SelectedColumns(request, request.EffectiveSort);

    public static IReadOnlyList<Column> SelectedColumns(RowRequest request, IReadOnlyList<SortKey> sort)
    {
        List<Column>? selected = null;
        foreach (var key in sort)
        {
            if (!Contains(request.Fields, key.Column) && (selected is null || !selected.Contains(key.Column)))
            {
                (selected ??= [.. request.Fields]).Add(key.Column);
            }
        }

        return selected ?? request.Fields;
    }

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

    // A statement is built on every request; its text is written into one reused builder per thread, with the quoted
    // identifiers and masking expressions of each column made once (they come only from the catalog), so building it
    // allocates little more than the text itself.
    [ThreadStatic]
    private static StringBuilder? cachedBuilder;

    private static readonly ConcurrentDictionary<string, (string Quoted, string Masked)> Identifiers = new(StringComparer.Ordinal);

    private static (string Quoted, string Masked) IdentifierOf(Column column) => IdentifierOf(column.Name);

    private static (string Quoted, string Masked) IdentifierOf(string name) => Identifiers.GetOrAdd(name, static name =>
    {
        var quoted = Quote(name);
        return (quoted, $"CASE WHEN {quoted} IS NULL THEN NULL ELSE '{Mask}' END AS {quoted}");
    });

    private static string Select(RowRequest request, int? limit, NpgsqlParameterCollection parameters)
    {
        var sql = cachedBuilder ?? new StringBuilder(1024);
        cachedBuilder = null;
        sql.Clear().Append("SELECT ");
        var sort = request.EffectiveSort;
        // Without a limit (CSV, Excel) there is no cursor to build, so only the requested fields are read.
        var columns = limit is null ? request.Fields : SelectedColumns(request, sort);
        for (var i = 0; i < columns.Count; i++)
        {
            var identifier = IdentifierOf(columns[i]);
            sql.Append(i == 0 ? "" : ", ").Append(request.IsMasked(columns[i]) ? identifier.Masked : identifier.Quoted);
        }

        sql.Append(" FROM public.").Append(IdentifierOf(request.Dataset.Name).Quoted);

        var conditions = 0;
        foreach (var filter in request.Filters)
        {
            sql.Append(conditions++ == 0 ? " WHERE " : " AND ").Append(FilterCondition(filter, parameters));
        }

        if (request.After is { } after)
        {
            sql.Append(conditions == 0 ? " WHERE " : " AND ").Append(AfterCondition(sort, after, parameters));
        }

        sql.Append(" ORDER BY ");
        for (var i = 0; i < sort.Count; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(IdentifierOf(sort[i].Column).Quoted).Append(sort[i].Descending ? " DESC" : "");
        }

        // The limit is written into the text, not bound: with LIMIT $n PostgreSQL's plan cache prices the generic plan for
        // a tenth of the table and so re-plans the prepared statement on every execution (pg_prepared_statements showed 0
        // generic, all custom plans: the first rows page cost the database 78 us against pgbench's 56 us with a literal).
        // It is an integer of our own (1 to MaxLimit + 1), never caller text; each limit is its own prepared statement.
        if (limit is { } rows)
        {
            sql.Append(CultureInfo.InvariantCulture, $" LIMIT {rows}");
        }

        var text = sql.ToString();
        cachedBuilder = sql.Capacity <= 16 * 1024 ? sql : null;
        return text;
    }

    private static bool Contains(IReadOnlyList<Column> columns, Column column)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i] == column)
            {
                return true;
            }
        }

        return false;
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
        var column = IdentifierOf(filter.Column).Quoted;
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
    private static string AddParameter(NpgsqlParameterCollection parameters, Column column, object value)
    {
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = column.Type.DbType, Value = value });
        return parameters.Count < Placeholders.Length ? Placeholders[parameters.Count] : "$" + parameters.Count;
    }

    private static readonly string[] Placeholders = [.. Enumerable.Range(0, 16).Select(i => "$" + i)];

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
