using System.Globalization;

namespace DataMeesh.DataProducts.Rows;

/// <summary>Invariant text of a typed column value (cursor tokens, CSV cells); <see cref="Catalog.ColumnType.TryParse"/> reads it back.</summary>
internal static class CursorValue
{
    public static string Format(object value) => value switch
    {
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime timestamp => timestamp.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        double real => real.ToString("R", CultureInfo.InvariantCulture),
        bool boolean => boolean ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
