using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataMeesh.DataProducts.Api;
using DataMeesh.DataProducts.Catalog;
using Microsoft.AspNetCore.Http;

namespace DataMeesh.DataProducts.Rows;

public enum FilterOperator { Eq, Ne, Gt, Gte, Lt, Lte }

public sealed record RowFilter(Column Column, FilterOperator Operator, IReadOnlyList<object> Values);

public sealed record SortKey(Column Column, bool Descending);

/// <summary>
/// A validated request for a dataset's rows. Built only from the catalog's whitelist: every column here is a published
/// column, every value is parsed to the column's type, so nothing a caller sends reaches SQL as text.
/// </summary>
public sealed record RowRequest(
    Dataset Dataset,
    IReadOnlyList<Column> Fields,
    IReadOnlyList<RowFilter> Filters,
    IReadOnlyList<SortKey> Sort,
    int Limit,
    IReadOnlyList<object?>? After,
    bool CanReadPii)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Query parameters with a meaning of their own; every other parameter is a filter.</summary>
    public static readonly IReadOnlySet<string> ReservedParameters = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { "limit", "cursor", "sort", "fields", "format" };

    private static readonly Dictionary<string, FilterOperator> Operators = new(StringComparer.Ordinal)
    {
        ["eq"] = FilterOperator.Eq, ["ne"] = FilterOperator.Ne, ["gt"] = FilterOperator.Gt,
        ["gte"] = FilterOperator.Gte, ["lt"] = FilterOperator.Lt, ["lte"] = FilterOperator.Lte,
    };

    /// <summary>The sort actually applied: the requested columns, then the key columns not already in it.</summary>
    public IReadOnlyList<SortKey> EffectiveSort
    {
        get
        {
            if (Sort.Count == 0)
            {
                return KeyOrder.GetValue(Dataset, static dataset => [.. dataset.Key.Select(k => new SortKey(k, false))]);
            }

            var sort = new List<SortKey>(Sort);
            foreach (var key in Dataset.Key)
            {
                if (!Sort.Any(s => s.Column == key))
                {
                    sort.Add(new SortKey(key, false));
                }
            }

            return sort;
        }
    }

    /// <summary>Each dataset's default order (its key, ascending), made once: most requests do not ask for a sort.</summary>
    private static readonly ConditionalWeakTable<Dataset, IReadOnlyList<SortKey>> KeyOrder = new();

    public bool IsMasked(Column column) => column.Pii && !CanReadPii;

    /// <summary>
    /// Parses <c>?fields=a,b&amp;sort=-a,b&amp;limit=50&amp;cursor=...&amp;col=value&amp;col.gte=value</c>.
    /// <paramref name="fixedFilters"/> are added by domain endpoints (e.g. the orders of one customer).
    /// </summary>
    public static RowRequest Parse(Dataset dataset, IQueryCollection query, bool canReadPii, IReadOnlyList<RowFilter>? fixedFilters = null)
    {
        var fields = ParseFields(dataset, query["fields"].ToString());
        var sort = ParseSort(dataset, query["sort"].ToString(), canReadPii);
        var filters = new List<RowFilter>(fixedFilters ?? []);
        foreach (var (name, values) in query)
        {
            if (!ReservedParameters.Contains(name))
            {
                filters.AddRange(WholeDays(ParseFilter(dataset, name, values, canReadPii), name, values));
            }
        }

        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText) &&
            (!int.TryParse(limitText.ToString(), System.Globalization.NumberStyles.None, null, out limit) || limit is < 1 or > MaxLimit))
        {
            throw ProblemException.BadRequest("limit", $"limit must be an integer from 1 to {MaxLimit}.");
        }

        var request = new RowRequest(dataset, fields, filters, sort, limit, null, canReadPii);
        return query.TryGetValue("cursor", out var cursor) && cursor.ToString().Length > 0
            ? request with { After = request.DecodeCursor(cursor.ToString()) }
            : request;
    }

    private static IReadOnlyList<Column> ParseFields(Dataset dataset, string fields)
    {
        if (string.IsNullOrWhiteSpace(fields))
        {
            return dataset.Columns;
        }

        var selected = new List<Column>();
        foreach (var name in fields.Split(',', StringSplitOptions.TrimEntries))
        {
            var column = dataset.Find(name) ?? throw ProblemException.BadRequest("fields",
                $"'{Shorten(name)}' is not a column of {dataset.Name}. Columns: {string.Join(", ", dataset.Columns.Select(c => c.Name))}.");
            if (!selected.Contains(column))
            {
                selected.Add(column);
            }
        }

        return selected;
    }

    private static List<SortKey> ParseSort(Dataset dataset, string sort, bool canReadPii)
    {
        var keys = new List<SortKey>();
        if (string.IsNullOrWhiteSpace(sort))
        {
            return keys;
        }

        foreach (var item in sort.Split(',', StringSplitOptions.TrimEntries))
        {
            var descending = item.StartsWith('-');
            var name = descending ? item[1..] : item;
            var column = dataset.Find(name);
            if (column is null || !(column.Definition.Sort || dataset.Key.Contains(column)))
            {
                throw ProblemException.BadRequest("sort", $"Cannot sort {dataset.Name} on '{Shorten(name)}'. Sortable columns: " +
                    string.Join(", ", dataset.Columns.Where(c => c.Definition.Sort || dataset.Key.Contains(c)).Select(c => c.Name)) + ".");
            }

            if (column.Pii && !canReadPii)
            {
                throw ProblemException.Forbidden("sort", $"{column.Name} is personal data; sorting on it needs the pii-reader role.");
            }

            if (keys.Any(k => k.Column == column))
            {
                throw ProblemException.BadRequest("sort", $"{column.Name} appears twice in sort.");
            }

            keys.Add(new SortKey(column, descending));
        }

        return keys;
    }

    private static RowFilter ParseFilter(Dataset dataset, string parameter, Microsoft.Extensions.Primitives.StringValues values, bool canReadPii)
    {
        var dot = parameter.LastIndexOf('.');
        var name = dot < 0 ? parameter : parameter[..dot];
        var op = FilterOperator.Eq;
        if (dot >= 0 && !Operators.TryGetValue(parameter[(dot + 1)..], out op))
        {
            throw ProblemException.BadRequest(Shorten(parameter), $"Unknown filter operator in '{Shorten(parameter)}'; use one of {string.Join(", ", Operators.Keys)}.");
        }

        var column = dataset.Find(name);
        if (column is null || !(column.Definition.Filter || dataset.Key.Contains(column)))
        {
            throw ProblemException.BadRequest(Shorten(parameter), $"Cannot filter {dataset.Name} on '{Shorten(name)}'. Filterable columns: " +
                string.Join(", ", dataset.Columns.Where(c => c.Definition.Filter || dataset.Key.Contains(c)).Select(c => c.Name)) +
                ". Reserved parameters: limit, cursor, sort, fields, format.");
        }

        if (column.Pii && !canReadPii)
        {
            throw ProblemException.Forbidden(parameter, $"{column.Name} is personal data; filtering on it needs the pii-reader role.");
        }

        if (values.Count > 1 && op != FilterOperator.Eq)
        {
            throw ProblemException.BadRequest(parameter, $"Only equality filters take several values ({name}=a&{name}=b).");
        }

        if (values.Count > 100)
        {
            throw ProblemException.BadRequest(parameter, "At most 100 values per filter.");
        }

        var parsed = new List<object>();
        foreach (var text in values)
        {
            if (text is null || !column.Type.TryParse(text, out var value))
            {
                throw ProblemException.BadRequest(parameter, $"'{Shorten(text ?? "")}' is not {column.Type.Expected}.");
            }

            parsed.Add(value);
        }

        return new RowFilter(column, op, parsed);
    }

    /// <summary>
    /// A date (<c>order_date=2026-11-11</c>) on a timestamp column means that whole day (UTC), not its first instant:
    /// equality becomes the day's half-open range, <c>gt</c> starts after the day, <c>lte</c> ends with it.
    /// </summary>
    private static IEnumerable<RowFilter> WholeDays(RowFilter filter, string parameter, Microsoft.Extensions.Primitives.StringValues values)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (filter.Column.Type.Kind != ValueKind.Timestamp
            || !values.All(v => DateOnly.TryParseExact(v, "yyyy-MM-dd", invariant, System.Globalization.DateTimeStyles.None, out _)))
        {
            return [filter];
        }

        var day = (DateTime)filter.Values[0];
        var next = day.AddDays(1);
        RowFilter Bound(FilterOperator op, DateTime value) => filter with { Operator = op, Values = [value] };
        return filter.Operator switch
        {
            FilterOperator.Eq when filter.Values.Count > 1 => throw ProblemException.BadRequest(parameter,
                $"Several days of {filter.Column.Name} cannot be combined: ask for a range ({filter.Column.Name}.gte=2026-11-01&{filter.Column.Name}.lt=2026-11-08)."),
            FilterOperator.Eq => [Bound(FilterOperator.Gte, day), Bound(FilterOperator.Lt, next)],
            FilterOperator.Ne => throw ProblemException.BadRequest(parameter,
                $"{filter.Column.Name}.ne takes a timestamp; to leave out a whole day ask for the days before and after it separately."),
            FilterOperator.Gt => [Bound(FilterOperator.Gte, next)],
            FilterOperator.Gte => [Bound(FilterOperator.Gte, day)],
            FilterOperator.Lt => [Bound(FilterOperator.Lt, day)],
            _ => [Bound(FilterOperator.Lt, next)],
        };
    }

    // ---- Cursor: an opaque token holding the sort values of the last row and a fingerprint of the query it belongs to.

    private string Fingerprint()
    {
        var shape = $"{Dataset.Name}|{string.Join(',', EffectiveSort.Select(s => (s.Descending ? "-" : "") + s.Column.Name))}|" +
                    string.Join('&', Filters.Select(f => $"{f.Column.Name}.{f.Operator}={string.Join(',', f.Values.Select(CursorValue.Format))}"));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(shape)), 0, 8);
    }

    public string EncodeCursor(IReadOnlyList<object?> lastRowSortValues)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new CursorPayload(Fingerprint(), lastRowSortValues.Select(v => v is null ? null : CursorValue.Format(v)).ToList()));
        return Base64Url.EncodeToString(payload);
    }

    private object?[] DecodeCursor(string cursor)
    {
        const string invalid = "The cursor is not valid: pass back the nextCursor of the previous page unchanged.";
        CursorPayload? payload;
        try
        {
            payload = cursor.Length <= 4096 ? JsonSerializer.Deserialize<CursorPayload>(Base64Url.DecodeFromChars(cursor)) : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            payload = null;
        }

        var sort = EffectiveSort;
        if (payload?.Values is null || payload.Values.Count != sort.Count)
        {
            throw ProblemException.BadRequest("cursor", invalid);
        }

        if (payload.Query != Fingerprint())
        {
            throw ProblemException.BadRequest("cursor", "The cursor belongs to a different query: keep sort and filters unchanged while paging.");
        }

        var values = new object?[sort.Count];
        for (var i = 0; i < sort.Count; i++)
        {
            if (payload.Values[i] is { } text)
            {
                values[i] = sort[i].Column.Type.TryParse(text, out var value) ? value : throw ProblemException.BadRequest("cursor", invalid);
            }
        }

        return values;
    }

    private sealed record CursorPayload(string Query, List<string?> Values);

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
