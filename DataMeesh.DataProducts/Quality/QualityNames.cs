using DataMeesh.DataProducts.Catalog;

namespace DataMeesh.DataProducts.Quality;

/// <summary>The check types results carry in the API, the contracts and <c>datameesh.quality_results</c>.</summary>
public static class CheckTypes
{
    public const string RowCount = "row_count";
    public const string Freshness = "freshness";
    public const string NotNull = "not_null";
    public const string Unique = "unique";
    public const string ForeignKey = "foreign_key";
    public const string AcceptedValues = "accepted_values";
}

/// <summary>How a <see cref="Severity"/> is written in results, history and metrics.</summary>
public static class SeverityNames
{
    public const string Critical = "critical";
    public const string Warning = "warning";

    public static readonly IReadOnlyList<string> All = [Critical, Warning];

    public static string Of(Severity severity) => severity == Severity.Critical ? Critical : Warning;
}
