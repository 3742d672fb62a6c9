using System.Buffers.Binary;

namespace DataMeesh.DataProducts.Rows;

/// <summary>
/// PostgreSQL's binary <c>numeric</c> (base-10,000 digits, a weight, a sign and a display scale) written as the text
/// PostgreSQL itself prints (<c>numeric_out</c>): "48300.00", "-0.05", "0.00001234". A JSON page writes these digits as
/// they are instead of building a <see cref="decimal"/> and formatting it again, which was a fifth of a page's per-row work.
/// </summary>
internal static class NumericText
{
    private const ushort Positive = 0x0000;
    private const ushort Negative = 0x4000;
    private const int HeaderBytes = 8;

    /// <summary>
    /// Writes the number's text into <paramref name="destination"/>; false (nothing written) for NaN and the infinities,
    /// which have no JSON number, for malformed input and when it does not fit.
    /// </summary>
    public static bool TryFormat(ReadOnlySpan<byte> value, Span<byte> destination, out int written)
    {
        written = 0;
        if (value.Length < HeaderBytes)
        {
            return false;
        }

        int digitCount = BinaryPrimitives.ReadInt16BigEndian(value);
        int weight = BinaryPrimitives.ReadInt16BigEndian(value[2..]);
        var sign = BinaryPrimitives.ReadUInt16BigEndian(value[4..]);
        int scale = BinaryPrimitives.ReadUInt16BigEndian(value[6..]);
        if (sign is not (Positive or Negative) || digitCount < 0 || value.Length != HeaderBytes + 2 * digitCount
            || 1 + Math.Max(weight + 1, 1) * 4 + 1 + scale > destination.Length)
        {
            return false;
        }

        var digits = value[HeaderBytes..];
        var position = 0;
        if (sign == Negative)
        {
            destination[position++] = (byte)'-';
        }

        if (weight < 0)
        {
            destination[position++] = (byte)'0';
        }

        for (var group = 0; group <= weight; group++)
        {
            var digit = DigitAt(digits, digitCount, group);
            if (group == 0)
            {
                // The leading group without its leading zeros (a normalised numeric's first group is never 0 unless it is 0).
                if (digit >= 1000) destination[position++] = (byte)('0' + digit / 1000);
                if (digit >= 100) destination[position++] = (byte)('0' + digit / 100 % 10);
                if (digit >= 10) destination[position++] = (byte)('0' + digit / 10 % 10);
                destination[position++] = (byte)('0' + digit % 10);
            }
            else
            {
                WriteGroup(destination[position..], digit, 4);
                position += 4;
            }
        }

        if (scale > 0)
        {
            destination[position++] = (byte)'.';
            for (var group = weight + 1; scale > 0; group++)
            {
                var count = Math.Min(4, scale);
                WriteGroup(destination[position..], DigitAt(digits, digitCount, group), count);
                position += count;
                scale -= count;
            }
        }

        written = position;
        return true;
    }

    private static int DigitAt(ReadOnlySpan<byte> digits, int digitCount, int group) =>
        group >= 0 && group < digitCount ? BinaryPrimitives.ReadInt16BigEndian(digits[(2 * group)..]) : 0;

    /// <summary>The first <paramref name="count"/> of the four decimal digits of a base-10,000 group, zero-padded.</summary>
    private static void WriteGroup(Span<byte> destination, int digit, int count)
    {
        Span<byte> four = [(byte)('0' + digit / 1000), (byte)('0' + digit / 100 % 10), (byte)('0' + digit / 10 % 10), (byte)('0' + digit % 10)];
        four[..count].CopyTo(destination);
    }
}
