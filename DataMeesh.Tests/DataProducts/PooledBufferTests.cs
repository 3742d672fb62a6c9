using System.Buffers;
using System.Text.Json;
using DataMeesh.DataProducts.Rows;

namespace DataMeesh.Tests.DataProducts;

public sealed class PooledBufferTests
{
    [Fact]
    public void A_document_larger_than_the_first_array_comes_out_byte_for_byte()
    {
        static void Write(IBufferWriter<byte> output)
        {
            using var writer = new Utf8JsonWriter(output);
            writer.WriteStartArray();
            for (var i = 0; i < 20_000; i++)
            {
                writer.WriteStringValue($"row {i} with some text");
            }

            writer.WriteEndArray();
        }

        var expected = new ArrayBufferWriter<byte>();
        Write(expected);
        using var pooled = new PooledBuffer(1024); // grows many times on the way
        Write(pooled);
        Assert.True(expected.WrittenCount > 100_000);
        Assert.Equal(expected.WrittenSpan.ToArray(), pooled.WrittenMemory.ToArray());
    }
}
