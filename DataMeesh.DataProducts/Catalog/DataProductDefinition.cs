namespace DataMeesh.DataProducts.Catalog;

/// <summary>
/// What a domain team declares about its data product. Types, nullability and keys are not declared: they are read from
/// the live schema at start-up, so the description, the contracts and the rows API can never drift from the data.
/// </summary>
public sealed record DataProductDefinition
{
    /// <summary>The domain, e.g. <c>sales</c>; also the connection name, the Trino catalog and the role prefix.</summary>
    public required string Domain { get; init; }

    public required string Title { get; init; }

    public required string Description { get; init; }

    public required ProductOwner Owner { get; init; }

    /// <summary>Semantic version of the product's interface (datasets and their columns).</summary>
    public string Version { get; init; } = "1.0.0";

    /// <summary>How often the data changes, in words (e.g. "continuously, as orders are placed").</summary>
    public required string UpdateFrequency { get; init; }

    /// <summary>Classification of the product as a whole (e.g. <c>confidential</c>).</summary>
    public string Classification { get; init; } = "confidential";

    public required IReadOnlyList<DatasetDefinition> Datasets { get; init; }
}

/// <param name="Team">The owning team.</param>
/// <param name="Contact">Where consumers ask questions (an e-mail address or channel).</param>
public sealed record ProductOwner(string Team, string Contact);

/// <summary>A table or view published as a dataset (an output port of the product).</summary>
public sealed record DatasetDefinition(string Name, string Description)
{
    /// <summary>
    /// Columns that identify a row. Every sort ends with them, which makes keyset paging exact. Tables default to their
    /// primary key; views must declare it.
    /// </summary>
    public IReadOnlyList<string>? Key { get; init; }

    public required IReadOnlyList<ColumnDefinition> Columns { get; init; }

    /// <summary>The column whose latest value says how fresh the dataset is, and the age beyond which it is stale.</summary>
    public FreshnessSla? Freshness { get; init; }

    /// <summary>Expected number of rows; outside the bounds the row-count check fails.</summary>
    public RowCountBounds RowCount { get; init; } = new(1, null);

    public IReadOnlyList<QualityRule> Quality { get; init; } = [];
}

/// <param name="Pii">Personal data (names, e-mails, phones): masked unless the caller has the <c>pii-reader</c> role.</param>
/// <param name="Filter">Callers may filter on it (equality and ranges).</param>
/// <param name="Sort">Callers may sort on it.</param>
public sealed record ColumnDefinition(string Name, string Description, bool Pii = false, bool Filter = false, bool Sort = false);

/// <param name="Column">A date or timestamp column.</param>
/// <param name="MaxAge">The SLA: data older than this is stale.</param>
public sealed record FreshnessSla(string Column, TimeSpan MaxAge);

public sealed record RowCountBounds(long Min, long? Max);
