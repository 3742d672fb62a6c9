namespace DataMeesh.DataProducts.Quality;

/// <summary>The latest results of every dataset's checks.</summary>
public sealed record QualityReport(string Domain, long? RunId, string? Trigger, DateTime? FinishedAt, IReadOnlyList<DatasetQuality> Datasets)
{
    public DatasetQuality? For(string dataset) => Datasets.FirstOrDefault(d => d.Dataset == dataset);

    /// <summary>The failing critical checks (part of the <c>/quality</c> response): while there are any, the product is degraded.</summary>
    public IEnumerable<CheckResult> FailedCritical => Datasets.SelectMany(d => d.Checks).Where(c => c.FailsCritically);
}

/// <param name="Score">Share of the dataset's checks that passed, 0-100.</param>
public sealed record DatasetQuality(string Dataset, decimal Score, DateTime CheckedAt, IReadOnlyList<CheckResult> Checks)
{
    public long? RowCount => Checks.FirstOrDefault(c => c.Type == CheckTypes.RowCount)?.Observed is { } count ? (long)count : null;

    /// <summary>When the freshness column last changed, derived from the observed age at check time.</summary>
    public DateTime? LastUpdatedAt => Checks.FirstOrDefault(c => c.Type == CheckTypes.Freshness)?.Observed is { } hours
        ? CheckedAt.AddHours(-(double)hours)
        : null;
}

/// <param name="Observed">The measured value (rows violating the rule, a row count, or an age in hours); null if it could not be measured.</param>
/// <param name="Threshold">The limit the observed value is compared with.</param>
public sealed record CheckResult(
    string Name, string Type, string? Column, string Severity, bool Passed, decimal? Observed, decimal? Threshold, string Details)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool FailsCritically => !Passed && Severity == SeverityNames.Critical;
}
