namespace DataMeesh.Seeder.Generation;

/// <summary>
/// xoshiro256** seeded through SplitMix64. <see cref="System.Random"/> documents that its sequence may change between
/// .NET versions; the sample data must not, so the generator is spelled out here (it is ~20 lines and allocation-free).
/// </summary>
internal struct SampleRandom
{
    private ulong s0, s1, s2, s3;

    /// <summary>An independent stream for one (seed, block, purpose): blocks can be generated in any order.</summary>
    public SampleRandom(long seed, long block, Stream purpose)
    {
        var state = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)block * 0xD1B54A32D192ED03UL ^ (ulong)purpose * 0x8CB92BA72F3D8DD7UL);
        s0 = SplitMix(ref state);
        s1 = SplitMix(ref state);
        s2 = SplitMix(ref state);
        s3 = SplitMix(ref state);
    }

    public enum Stream
    {
        People = 1,
        Orders = 2,
        Campaigns = 3,
        Leads = 4,
        Metrics = 5,
        Traffic = 6,
        Shift = 7,
    }

    public ulong NextUInt64()
    {
        var result = RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [minInclusive, maxExclusive).</summary>
    public int Next(int minInclusive, int maxExclusive) => minInclusive + (int)(NextDouble() * (maxExclusive - minInclusive));

    public double NextDouble(double min, double max) => min + NextDouble() * (max - min);

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(0, items.Count)];

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
