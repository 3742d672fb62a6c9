using System.Globalization;
using System.Text.RegularExpressions;

namespace DataMeesh.Tests.Platform;

/// <summary>
/// How Trino's PostgreSQL connector reads a PostgreSQL column, as its documentation states it ("PostgreSQL type to Trino
/// type mapping" and "Decimal type handling", docs/src/main/sphinx/connector/postgresql.md, Trino 483), under one catalog's
/// properties. A null type means the connector skips the column: Trino users, dbt and Grafana never see it.
/// </summary>
internal sealed partial class TrinoTypeMapping(IReadOnlyDictionary<string, string> catalog)
{
    /// <summary>Trino's largest decimal precision; the connector skips a wider numeric unless decimals may overflow.</summary>
    private const int MaxDecimalPrecision = 38;

    public static TrinoTypeMapping ForCatalog(string domain) =>
        new(RepositoryFiles.ReadProperties($"{PlatformContract.Paths.TrinoSource}/catalog/{domain}.properties"));

    private bool AllowOverflow => string.Equals(Setting("decimal-mapping", "strict"), "allow_overflow", StringComparison.OrdinalIgnoreCase);

    private string Setting(string key, string documentedDefault) => catalog.TryGetValue(key, out var value) ? value : documentedDefault;

    /// <summary>
    /// The Trino type of a column, or null with the reason it is skipped. <paramref name="postgresType"/> is PostgreSQL's
    /// own rendering (<c>format_type(atttypid, atttypmod)</c>); <paramref name="isEnum"/> is true for an enum type.
    /// </summary>
    public (string? TrinoType, string Reason) Map(string postgresType, bool isEnum)
    {
        if (isEnum)
        {
            return ("varchar", "ENUM maps to VARCHAR");
        }

        if (postgresType.EndsWith("[]", StringComparison.Ordinal))
        {
            var arrays = Setting("postgresql.array-mapping", "DISABLED").ToUpperInvariant();
            return arrays switch
            {
                "AS_JSON" => ("json", "arrays as JSON (postgresql.array-mapping=AS_JSON)"),
                "AS_ARRAY" when Map(postgresType[..^2], false).TrinoType is { } element => ($"array({element})", "postgresql.array-mapping=AS_ARRAY"),
                _ => (null, $"arrays are skipped (postgresql.array-mapping={arrays})"),
            };
        }

        if (Numeric().Match(postgresType) is { Success: true } numeric)
        {
            if (!numeric.Groups["precision"].Success)
            {
                return AllowOverflow
                    ? ($"decimal(38,{Setting("decimal-default-scale", "0")})", "numeric without precision, decimal-mapping=allow_overflow")
                    : (null, "numeric without a declared precision is skipped unless decimal-mapping=allow_overflow");
            }

            var precision = int.Parse(numeric.Groups["precision"].Value, CultureInfo.InvariantCulture);
            var scale = numeric.Groups["scale"].Success ? numeric.Groups["scale"].Value : "0";
            return precision <= MaxDecimalPrecision
                ? ($"decimal({precision},{scale})", "NUMERIC(p, s) maps to DECIMAL(p, s)")
                : AllowOverflow
                    ? ($"decimal(38,{Setting("decimal-default-scale", "0")})", "numeric wider than 38 digits, decimal-mapping=allow_overflow")
                    : (null, $"numeric({precision},{scale}) is wider than Trino's decimal(38) and skipped unless decimal-mapping=allow_overflow");
        }

        if (SizedType(postgresType) is { Success: true } sized)
        {
            var size = sized.Groups["size"].Success ? sized.Groups["size"].Value : null;
            var temporalPrecision = size ?? "6"; // PostgreSQL's default fractional-second precision
            switch (sized.Groups["base"].Value + sized.Groups["zone"].Value)
            {
                case "character":
                    return ($"char({size ?? "1"})", "CHAR(n) maps to CHAR(n)");
                case "character varying":
                    return (size is null ? "varchar" : $"varchar({size})", "VARCHAR(n) maps to VARCHAR(n)");
                case "time without time zone":
                    return ($"time({temporalPrecision})", "TIME(n) maps to TIME(n)");
                case "timestamp without time zone":
                    return ($"timestamp({temporalPrecision})", "TIMESTAMP(n) maps to TIMESTAMP(n)");
                case "timestamp with time zone":
                    return ($"timestamp({temporalPrecision}) with time zone", "TIMESTAMPTZ(n) maps to TIMESTAMP(n) WITH TIME ZONE");
            }
        }

        return postgresType switch
        {
            "bit" or "bit(1)" or "boolean" => ("boolean", "BIT and BOOLEAN map to BOOLEAN"),
            "smallint" or "integer" or "bigint" or "real" => (postgresType, "maps to the same type"),
            "double precision" => ("double", "DOUBLE maps to DOUBLE"),
            // PostgreSQL's JDBC driver reports text as a VARCHAR without length, which the connector reads as unbounded varchar.
            "text" => ("varchar", "text is an unbounded VARCHAR"),
            "bytea" => ("varbinary", "BYTEA maps to VARBINARY"),
            "date" => ("date", "DATE maps to DATE"),
            "money" => ("varchar", "MONEY maps to VARCHAR"),
            "uuid" => ("uuid", "UUID maps to UUID"),
            "json" or "jsonb" => ("json", "JSON and JSONB map to JSON"),
            "hstore" => ("map(varchar, varchar)", "HSTORE maps to MAP(VARCHAR, VARCHAR)"),
            _ when string.Equals(Setting("unsupported-type-handling", "IGNORE"), "CONVERT_TO_VARCHAR", StringComparison.OrdinalIgnoreCase) =>
                ("varchar", "unsupported type converted to VARCHAR (unsupported-type-handling=CONVERT_TO_VARCHAR)"),
            _ => (null, $"{postgresType} is not in the connector's type mapping (\"No other types are supported\")"),
        };
    }

    [GeneratedRegex(@"^numeric(?:\((?<precision>\d+)(?:,(?<scale>\d+))?\))?$")]
    private static partial Regex Numeric();

    /// <summary>
    /// A type with an optional size, as format_type writes it: <c>character varying(20)</c>, <c>timestamp(3) with time zone</c>
    /// (the size sits inside the name); the name comes back without the size.
    /// </summary>
    private static Match SizedType(string postgresType) => SizedPattern().Match(postgresType);

    [GeneratedRegex(@"^(?<base>character varying|character|time|timestamp)(?:\((?<size>\d+)\))?(?<zone> with(?:out)? time zone)?$")]
    private static partial Regex SizedPattern();
}
