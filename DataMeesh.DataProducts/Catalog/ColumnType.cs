using System.Globalization;
using NpgsqlTypes;

namespace DataMeesh.DataProducts.Catalog;

/// <summary>The value kinds the rows API understands; each PostgreSQL type of a published column maps to one.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The kinds are named after the SQL value kinds they stand for.")]
public enum ValueKind
{
    Integer,
    Decimal,
    Double,
    Text,
    Boolean,
    Date,
    Timestamp,
    /// <summary>A type the API passes through as text and does not filter or sort on.</summary>
    Other,
}

/// <summary>Parsing and formatting of a column's values: for filters, cursors, JSON, CSV and the data contract.</summary>
/// <param name="PostgresType">The type's name as information_schema gives it (<c>numeric</c>, <c>text</c>, ...).</param>
/// <param name="Precision">Declared precision and scale of a <c>numeric(p,s)</c> column; null when none is declared.</param>
public sealed record ColumnType(string PostgresType, ValueKind Kind, int? Precision = null, int? Scale = null)
{
    public static ColumnType FromPostgres(string dataType, int? precision = null, int? scale = null) => new(dataType, dataType switch
    {
        "smallint" or "integer" or "bigint" => ValueKind.Integer,
        "numeric" => ValueKind.Decimal,
        "real" or "double precision" => ValueKind.Double,
        "text" or "character varying" or "character" => ValueKind.Text,
        "boolean" => ValueKind.Boolean,
        "date" => ValueKind.Date,
        "timestamp with time zone" => ValueKind.Timestamp,
        _ => ValueKind.Other,
    }, dataType == "numeric" ? precision : null, dataType == "numeric" && precision is not null ? scale ?? 0 : null);

    /// <summary>
    /// The type as declared, <c>numeric(18,2)</c> rather than <c>numeric</c>: what the data contract publishes, and what
    /// decides how Trino's PostgreSQL connector reads the column (it maps numeric(p,s) to decimal(p,s) and skips a
    /// numeric without precision).
    /// </summary>
    public string PhysicalType => Precision is { } precision ? $"{PostgresType}({precision},{Scale})" : PostgresType;

    public bool IsComparable => Kind is not ValueKind.Other;

    public NpgsqlDbType DbType => Kind switch
    {
        ValueKind.Integer => NpgsqlDbType.Bigint,
        ValueKind.Decimal => NpgsqlDbType.Numeric,
        ValueKind.Double => NpgsqlDbType.Double,
        ValueKind.Boolean => NpgsqlDbType.Boolean,
        ValueKind.Date => NpgsqlDbType.Date,
        ValueKind.Timestamp => NpgsqlDbType.TimestampTz,
        _ => NpgsqlDbType.Text,
    };

    /// <summary>ODCS logical type.</summary>
    public string LogicalType => Kind switch
    {
        ValueKind.Integer => "integer",
        ValueKind.Decimal or ValueKind.Double => "number",
        ValueKind.Boolean => "boolean",
        ValueKind.Date or ValueKind.Timestamp => "date",
        _ => "string",
    };

    /// <summary>Parses a value sent by a caller (filter) or stored in a cursor; false when it is not a value of this type.</summary>
    public bool TryParse(string text, out object value)
    {
        var invariant = CultureInfo.InvariantCulture;
        switch (Kind)
        {
            case ValueKind.Integer when long.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out var integer):
                value = integer;
                return true;
            case ValueKind.Decimal when decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, invariant, out var number):
                value = number;
                return true;
            case ValueKind.Double when double.TryParse(text, NumberStyles.Float, invariant, out var real) && double.IsFinite(real):
                value = real;
                return true;
            case ValueKind.Boolean when bool.TryParse(text, out var boolean):
                value = boolean;
                return true;
            case ValueKind.Date when DateOnly.TryParseExact(text, "yyyy-MM-dd", invariant, DateTimeStyles.None, out var date):
                value = date;
                return true;
            case ValueKind.Timestamp when DateTimeOffset.TryParse(text, invariant, DateTimeStyles.AssumeUniversal, out var timestamp)
                                          && timestamp.Year is >= 1 and <= 9999:
                value = timestamp.UtcDateTime;
                return true;
            case ValueKind.Text or ValueKind.Other when !text.Contains('\0', StringComparison.Ordinal):
                value = text;
                return true;
            default:
                value = "";
                return false;
        }
    }

    /// <summary>What a caller should send, for error messages and the OpenAPI description.</summary>
    public string Expected => Kind switch
    {
        ValueKind.Integer => "an integer",
        ValueKind.Decimal or ValueKind.Double => "a number such as 12.50",
        ValueKind.Boolean => "true or false",
        ValueKind.Date => "a date yyyy-MM-dd",
        ValueKind.Timestamp => "an ISO 8601 timestamp such as 2026-01-31T12:00:00Z",
        _ => "text",
    };
}
