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
        Churn = 8,
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

    /// <summary>Standard normal (Box-Muller; one of the pair is dropped, which keeps the stream simple).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble(); // (0, 1]: no log(0)
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Poisson-distributed count with mean <paramref name="mean"/> (Knuth's method; fine for small means).</summary>
    public int NextPoisson(double mean)
    {
        var limit = Math.Exp(-mean);
        var count = 0;
        for (var product = NextDouble(); product > limit; product *= NextDouble())
        {
            count++;
        }

        return count;
    }

    /// <summary>An index drawn with the given (not necessarily normalised) weights.</summary>
    public int PickWeighted(IReadOnlyList<double> weights)
    {
        var target = NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Count; i++)
        {
            target -= weights[i];
            if (target < 0)
            {
                return i;
            }
        }

        return weights.Count - 1;
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
