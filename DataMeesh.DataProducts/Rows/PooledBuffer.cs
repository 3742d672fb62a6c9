using System.Buffers;

namespace DataMeesh.DataProducts.Rows;

/// <summary>
/// A response body built in memory from pooled arrays: a page of rows is tens of kilobytes, and a new buffer per request
/// (zeroed, grown by copying, then collected) was a visible share of the read path's CPU.
/// </summary>
internal sealed class PooledBuffer(int initialCapacity) : IBufferWriter<byte>, IDisposable
{
    private byte[] array = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int WrittenCount { get; private set; }

    public ReadOnlyMemory<byte> WrittenMemory => array.AsMemory(0, WrittenCount);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (WrittenCount + count > array.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        WrittenCount += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint); // first: it may replace the array
        return array.AsMemory(WrittenCount);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return array.AsSpan(WrittenCount);
    }

    private void Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (array.Length - WrittenCount < needed)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(array.Length * 2, WrittenCount + needed));
            array.AsSpan(0, WrittenCount).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(array);
            array = larger;
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(array);
        array = [];
        WrittenCount = 0;
    }
}
