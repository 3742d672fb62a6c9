using DataMeesh.DataProducts.Quality;

namespace DataMeesh.DataProducts.Api;

/// <summary>The data product: <c>GET /</c>.</summary>
public sealed record ProductDocument(
    string Domain, string Title, string Description, string Version, OwnerDocument Owner, string UpdateFrequency, string Classification,
    IReadOnlyList<DatasetSummary> Datasets, IReadOnlyDictionary<string, string> Links);

public sealed record OwnerDocument(string Team, string Contact);

/// <summary>A dataset (output port) as listed by <c>GET /</c> and <c>GET /datasets</c>.</summary>
public sealed record DatasetSummary(
    string Name, string Kind, string Description, long? RowCount, DateTime? LastUpdatedAt, decimal? QualityScore,
    IReadOnlyDictionary<string, string> Links);

/// <summary>One dataset with its columns: <c>GET /datasets/{name}</c>.</summary>
public sealed record DatasetDocument(
    string Name, string Kind, string Description, IReadOnlyList<string> Key, IReadOnlyList<ColumnDocument> Columns,
    long? RowCount, DateTime? LastUpdatedAt, FreshnessDocument? Freshness, DatasetQuality? Quality, IReadOnlyDictionary<string, string> Links);

/// <param name="Classification"><c>pii</c> (masked unless the caller has the pii-reader role) or <c>internal</c>.</param>
public sealed record ColumnDocument(
    string Name, string Type, string LogicalType, bool Nullable, string Description, string Classification,
    bool Filterable, bool Sortable, bool PrimaryKey, bool Unique);

/// <param name="MaxAgeHours">The SLA: the newest value of <paramref name="Column"/> is at most this old.</param>
/// <param name="Stale">True when the latest check found the data older than the SLA.</param>
public sealed record FreshnessDocument(string Column, double MaxAgeHours, bool? Stale);

/// <summary>A contract in the list of <c>GET /contracts</c>.</summary>
public sealed record ContractSummary(string Dataset, string Id, string ApiVersion, string Version, string Status, string Href);
