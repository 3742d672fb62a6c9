namespace DataMeesh.DataProducts.Catalog;

public enum Severity
{
    /// <summary>A failure makes the product's health degraded.</summary>
    Critical,
    Warning,
}

/// <summary>A declared data-quality rule on a dataset.</summary>
public abstract record QualityRule(Severity Severity)
{
    public static QualityRule NotNull(string column, Severity severity = Severity.Critical) => new NotNullRule(column, severity);

    public static QualityRule Unique(string column, Severity severity = Severity.Critical) => new UniqueRule(column, severity);

    public static QualityRule References(string column, string dataset, string referencedColumn, Severity severity = Severity.Critical) =>
        new ForeignKeyRule(column, dataset, referencedColumn, severity);

    public static QualityRule AcceptedValues(string column, params string[] values) => new AcceptedValuesRule(column, values, Severity.Critical);
}

public sealed record NotNullRule(string Column, Severity Severity) : QualityRule(Severity);

public sealed record UniqueRule(string Column, Severity Severity) : QualityRule(Severity);

public sealed record ForeignKeyRule(string Column, string Dataset, string ReferencedColumn, Severity Severity) : QualityRule(Severity);

public sealed record AcceptedValuesRule(string Column, IReadOnlyList<string> Values, Severity Severity) : QualityRule(Severity);
