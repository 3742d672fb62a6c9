namespace DataMeesh.Seeder;

/// <param name="Scale">Multiplies the reference sample's row counts (1 = the reference sample exactly).</param>
/// <param name="Seed">Fixes the random streams: the same options always produce the same rows.</param>
/// <param name="AsOf">The date the sample ends at; every date is relative to it.</param>
/// <param name="Reset">Replace data that is already there (otherwise it is kept and reported).</param>
/// <param name="SchemaTimeout">How long to wait for the APIs' migrations to create the schema.</param>
/// <param name="Domains">Which domains to load.</param>
/// <param name="DiscardWrites">With <see cref="Reset"/>: replace the data even though rows were written after it was loaded.</param>
internal sealed record SeedOptions(long Scale, long Seed, DateOnly AsOf, bool Reset, TimeSpan SchemaTimeout, IReadOnlyList<string> Domains,
    bool DiscardWrites = false)
{
    public const long MaxScale = 2_000_000;
    public const long DefaultSeed = 42;
    public static readonly string[] AllDomains = [ResourceNames.SalesDatabase, ResourceNames.MarketingDatabase];
}
