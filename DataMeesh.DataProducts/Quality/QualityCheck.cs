using System.Globalization;
using DataMeesh.DataProducts.Catalog;
using static DataMeesh.DataProducts.Rows.RowSql;

namespace DataMeesh.DataProducts.Quality;

/// <summary>
/// One executable data-quality check: a query returning a single number (the observed value) and the rule that decides
/// whether it passes. Built from the catalog's declarations, so identifiers come from the live schema only.
/// </summary>
public sealed record QualityCheck(
    string Dataset, string Name, string Type, string? Column, Severity Severity, string Sql, decimal Threshold, decimal? UpperBound, string Rule)
{
    public bool Passes(decimal? observed) => observed is { } value && (UpperBound is { } upper
        ? value >= Threshold && value <= upper
        : value <= Threshold);

    public string SeverityName => SeverityNames.Of(Severity);

    /// <summary>Every check of every dataset: the row count, the freshness SLA, then the declared rules.</summary>
    public static IReadOnlyList<QualityCheck> For(ProductCatalog catalog) => catalog.Datasets.SelectMany(For).ToList();

    public static IEnumerable<QualityCheck> For(Dataset dataset)
    {
        var table = "public." + Quote(dataset.Name);
        var bounds = dataset.Definition.RowCount;
        yield return new QualityCheck(dataset.Name, CheckTypes.RowCount, CheckTypes.RowCount, null, Severity.Warning,
            $"SELECT count(*) FROM {table}", bounds.Min, bounds.Max ?? long.MaxValue,
            bounds.Max is { } max ? $"between {bounds.Min:N0} and {max:N0} rows" : $"at least {bounds.Min:N0} rows");

        if (dataset.Definition.Freshness is { } freshness)
        {
            var hours = (decimal)freshness.MaxAge.TotalHours;
            yield return new QualityCheck(dataset.Name, $"freshness_{freshness.Column}", CheckTypes.Freshness, freshness.Column, Severity.Critical,
                $"SELECT round((extract(epoch FROM now() - max({Quote(freshness.Column)})::timestamptz) / 3600)::numeric, 2) FROM {table}",
                hours, null, $"latest {freshness.Column} at most {hours.ToString("0.##", CultureInfo.InvariantCulture)} hours old");
        }

        foreach (var rule in dataset.Definition.Quality)
        {
            yield return rule switch
            {
                NotNullRule r => new QualityCheck(dataset.Name, $"not_null_{r.Column}", CheckTypes.NotNull, r.Column, r.Severity,
                    $"SELECT count(*) FROM {table} WHERE {Quote(r.Column)} IS NULL", 0, null, $"no NULL {r.Column}"),
                UniqueRule r => new QualityCheck(dataset.Name, $"unique_{r.Column}", CheckTypes.Unique, r.Column, r.Severity,
                    $"SELECT count(*) - count(DISTINCT {Quote(r.Column)}) FROM {table} WHERE {Quote(r.Column)} IS NOT NULL", 0, null,
                    $"no duplicate {r.Column}"),
                ForeignKeyRule r => new QualityCheck(dataset.Name, $"references_{r.Column}", CheckTypes.ForeignKey, r.Column, r.Severity,
                    $"SELECT count(*) FROM {table} child WHERE child.{Quote(r.Column)} IS NOT NULL AND NOT EXISTS " +
                    $"(SELECT 1 FROM public.{Quote(r.Dataset)} parent WHERE parent.{Quote(r.ReferencedColumn)} = child.{Quote(r.Column)})",
                    0, null, $"every {r.Column} exists in {r.Dataset}.{r.ReferencedColumn}"),
                AcceptedValuesRule r => new QualityCheck(dataset.Name, $"accepted_values_{r.Column}", CheckTypes.AcceptedValues, r.Column, r.Severity,
                    $"SELECT count(*) FROM {table} WHERE {Quote(r.Column)} IS NOT NULL AND NOT ({Quote(r.Column)}::text = ANY(ARRAY[" +
                    string.Join(", ", r.Values.Select(QuoteLiteral)) + "]))",
                    0, null, $"{r.Column} in ({string.Join(", ", r.Values)})"),
                _ => throw new NotSupportedException(rule.GetType().Name),
            };
        }
    }

    // The accepted values are the team's own declarations (code, not input), quoted as SQL literals.
    private static string QuoteLiteral(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
