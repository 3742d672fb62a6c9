using System.Buffers;
using System.Text;
using System.Text.Json;
using DataMeesh.DataProducts.Catalog;
using Npgsql;

namespace DataMeesh.DataProducts.Rows;

/// <summary>Reads a column's value as its kind's .NET type, and writes it as JSON or as a CSV cell without boxing.</summary>
internal static class RowValues
{
    public static object? Read(NpgsqlDataReader reader, int ordinal, ValueKind kind)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        return kind switch
        {
            ValueKind.Integer => reader.GetFieldValue<long>(ordinal),
            ValueKind.Decimal => reader.GetFieldValue<decimal>(ordinal),
            ValueKind.Double => reader.GetFieldValue<double>(ordinal),
            ValueKind.Boolean => reader.GetFieldValue<bool>(ordinal),
            ValueKind.Date => reader.GetFieldValue<DateOnly>(ordinal),
            ValueKind.Timestamp => reader.GetFieldValue<DateTime>(ordinal),
            ValueKind.Text => reader.GetFieldValue<string>(ordinal),
            _ => reader.GetValue(ordinal).ToString(),
        };
    }

    public static void WriteJson(Utf8JsonWriter writer, NpgsqlDataReader reader, int ordinal, ValueKind kind)
    {
        if (reader.IsDBNull(ordinal))
        {
            writer.WriteNullValue();
            return;
        }

        switch (kind)
        {
            case ValueKind.Integer: writer.WriteNumberValue(reader.GetFieldValue<long>(ordinal)); break;
            case ValueKind.Decimal: WriteJsonNumeric(writer, reader, ordinal); break;
            case ValueKind.Double: writer.WriteNumberValue(reader.GetFieldValue<double>(ordinal)); break;
            case ValueKind.Boolean: writer.WriteBooleanValue(reader.GetFieldValue<bool>(ordinal)); break;
            case ValueKind.Date: writer.WriteStringValue(CursorValue.Format(reader.GetFieldValue<DateOnly>(ordinal))); break;
            case ValueKind.Timestamp: writer.WriteStringValue(reader.GetFieldValue<DateTime>(ordinal)); break;
            case ValueKind.Text: WriteJsonText(writer, reader, ordinal); break;
            default: writer.WriteStringValue(reader.GetValue(ordinal).ToString()); break;
        }
    }

    /// <summary>Size of the per-thread buffer values are copied into from the reader; longer text is written in pieces.</summary>
    private const int RawChunkBytes = 16 * 1024;

    [ThreadStatic] private static byte[]? rawScratch;

    /// <summary>
    /// Copies up to <see cref="RawChunkBytes"/> of the value's bytes, from <paramref name="offset"/>, as PostgreSQL sent them
    /// (results are binary; text is UTF-8, the client encoding Npgsql sets) into a per-thread buffer valid until the next call.
    /// </summary>
    private static ReadOnlySpan<byte> RawChunk(NpgsqlDataReader reader, int ordinal, long offset = 0)
    {
        var buffer = rawScratch ??= new byte[RawChunkBytes];
        return buffer.AsSpan(0, (int)reader.GetBytes(ordinal, offset, buffer, 0, buffer.Length));
    }

    /// <summary>
    /// Text straight from its UTF-8 bytes: decoding it into a string only for the writer to validate and encode it back
    /// was the largest part of a page's per-row work. The writer validates and escapes it as it does a string; a value
    /// longer than the buffer goes out in segments (the writer joins characters split between them).
    /// </summary>
    private static void WriteJsonText(Utf8JsonWriter writer, NpgsqlDataReader reader, int ordinal)
    {
        var chunk = RawChunk(reader, ordinal);
        if (chunk.Length < RawChunkBytes)
        {
            writer.WriteStringValue(chunk);
            return;
        }

        long offset = 0;
        while (!chunk.IsEmpty)
        {
            writer.WriteStringValueSegment(chunk, isFinalSegment: false);
            offset += chunk.Length;
            chunk = RawChunk(reader, ordinal, offset);
        }

        writer.WriteStringValueSegment(ReadOnlySpan<byte>.Empty, isFinalSegment: true);
    }

    /// <summary>
    /// A numeric as the digits PostgreSQL sent (<see cref="NumericText"/>): the text the decimal gave, and numbers beyond a
    /// decimal's 29 digits no longer fail. NaN and the infinities have no JSON number; they failed before as they do now.
    /// </summary>
    private static void WriteJsonNumeric(Utf8JsonWriter writer, NpgsqlDataReader reader, int ordinal)
    {
        Span<byte> text = stackalloc byte[256];
        if (!NumericText.TryFormat(RawChunk(reader, ordinal), text, out var written))
        {
            throw new InvalidCastException($"Column {reader.GetName(ordinal)} holds a numeric that is not a finite number of at most 250 characters (NaN, an infinity, or a longer one): it has no JSON number.");
        }

        writer.WriteRawValue(text[..written], skipInputValidation: true);
    }

    /// <summary>
    /// ISO 8601 in UTC with the microseconds PostgreSQL keeps, trailing zeros dropped (2026-11-11T09:30:00Z,
    /// 2026-11-11T09:30:00.25Z), as the JSON rows write it; "O" wrote seven digits that are never there.
    /// </summary>
    private const string CsvTimestamp = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFF'Z'";

    /// <summary>Writes one RFC 4180 cell: NULL is empty, text is quoted when it holds a comma, quote or line break.</summary>
    public static void WriteCsv(IBufferWriter<byte> output, NpgsqlDataReader reader, int ordinal, ColumnType type)
    {
        if (reader.IsDBNull(ordinal))
        {
            return;
        }

        switch (type.Kind)
        {
            case ValueKind.Integer: WriteFormattable(output, reader.GetFieldValue<long>(ordinal), default); break;
            case ValueKind.Decimal: WriteFormattable(output, reader.GetFieldValue<decimal>(ordinal), default); break;
            case ValueKind.Double: WriteFormattable(output, reader.GetFieldValue<double>(ordinal), "R"); break;
            case ValueKind.Boolean: WriteAscii(output, reader.GetFieldValue<bool>(ordinal) ? "true" : "false"); break;
            case ValueKind.Date: WriteFormattable(output, reader.GetFieldValue<DateOnly>(ordinal), "yyyy-MM-dd"); break;
            case ValueKind.Timestamp: WriteFormattable(output, reader.GetFieldValue<DateTime>(ordinal), CsvTimestamp); break;
            default: WriteCsvText(output, DefuseFormula(type.Kind == ValueKind.Text ? reader.GetFieldValue<string>(ordinal) : reader.GetValue(ordinal).ToString() ?? "")); break;
        }
    }

    /// <summary>
    /// A text cell a spreadsheet would run as a formula (<c>=HYPERLINK(...)</c>, <c>+cmd|' /C calc'!A0</c>, <c>@SUM(...)</c>)
    /// gets a leading <c>'</c>, which spreadsheets read as "this is text" (OWASP's advice for CSV injection). A sign
    /// followed by nothing but digits and number punctuation (a phone number <c>+44 20 7946 0001</c>, <c>-12.5</c>) names
    /// no function or cell and is left as it is. Excel files need none of this: their cells are typed strings.
    /// </summary>
    public static string DefuseFormula(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var first = text[0];
        var formula = first is '=' or '@' or '\t' or '\r' or '\uFF1D' or '\uFF20'
                      || (first is '+' or '-' or '\uFF0B' or '\uFF0D' && text.AsSpan(1).ContainsAnyExcept(NumberLike));
        return formula ? "'" + text : text;
    }

    private static readonly SearchValues<char> NumberLike = SearchValues.Create("0123456789 .,()/-");

    public static void WriteCsvText(IBufferWriter<byte> output, string text)
    {
        if (text.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            WriteUtf8(output, text);
            return;
        }

        WriteAscii(output, "\"");
        WriteUtf8(output, text.Replace("\"", "\"\"", StringComparison.Ordinal));
        WriteAscii(output, "\"");
    }

    public static void WriteAscii(IBufferWriter<byte> output, string text) => WriteUtf8(output, text);

    private static void WriteUtf8(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static void WriteFormattable<T>(IBufferWriter<byte> output, T value, ReadOnlySpan<char> format) where T : IUtf8SpanFormattable
    {
        var span = output.GetSpan(64);
        if (!value.TryFormat(span, out var written, format, System.Globalization.CultureInfo.InvariantCulture))
        {
            span = output.GetSpan(512);
            value.TryFormat(span, out written, format, System.Globalization.CultureInfo.InvariantCulture);
        }

        output.Advance(written);
    }
}
