using DataMeesh.Seeder;
using DataMeesh.Seeder.Loading;
using DataMeesh.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataMeesh.Tests.Seeding;

/// <summary>Runs the seeder in-process (fast, for data assertions); CLI behaviour is tested on the real process.</summary>
internal static class SeedRunner
{
    public static readonly DateOnly AsOf = new(2026, 11, 23);

    public static SeedOptions Options(long scale = 1, long seed = SeedOptions.DefaultSeed, DateOnly? asOf = null, bool reset = false) =>
        new(scale, seed, asOf ?? AsOf, reset, TimeSpan.Zero, SeedOptions.AllDomains);

    /// <summary>The seeder's own host, configured with <paramref name="databases"/>' connection strings.</summary>
    public static HostApplicationBuilder HostBuilder(MigratedDatabases databases)
    {
        var builder = SeederHost.CreateBuilder(new Dictionary<string, string?>
        {
            ["ConnectionStrings:sales"] = databases.Sales,
            ["ConnectionStrings:marketing"] = databases.Marketing,
        });
        builder.Logging.ClearProviders();
        return builder;
    }

    public static async Task<SeedReport> RunAsync(MigratedDatabases databases, SeedOptions options, CancellationToken cancellationToken = default)
    {
        using var host = HostBuilder(databases).Build();
        return await RunAsync(host, options, cancellationToken);
    }

    public static Task<SeedReport> RunAsync(IHost host, SeedOptions options, CancellationToken cancellationToken = default) =>
        host.Services.GetRequiredService<SampleLoader>().RunAsync(options, new LoadProgress(), (_, loads) => loads, cancellationToken);

    public static async Task SeedOrThrowAsync(MigratedDatabases databases, SeedOptions options)
    {
        var report = await RunAsync(databases, options);
        Assert.True(report.ExitCode == ExitCodes.Success, string.Join("\n", report.Problems));
    }

    /// <summary>Every index and constraint of both domains' tables, as definitions (the seeder rebuilds them after loading).</summary>
    public static async Task<List<string>> SchemaAsync(MigratedDatabases databases)
    {
        var definitions = new List<string>();
        foreach (var domain in new[] { "sales", "marketing" })
        {
            definitions.AddRange((await databases.RowsAsync(domain, """
                SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
                UNION ALL
                SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
                ORDER BY 1
                """)).Select(r => $"{domain}: {r[0]}"));
        }

        return definitions;
    }

    /// <summary>A fingerprint of every row of every table, in key order: equal fingerprints mean identical data.</summary>
    public static async Task<Dictionary<string, string>> FingerprintAsync(MigratedDatabases databases)
    {
        var fingerprints = new Dictionary<string, string>();
        foreach (var (domain, table, key) in new[]
                 {
                     ("sales", "customers", "customer_id"), ("sales", "products", "product_id"), ("sales", "orders", "order_id"),
                     ("sales", "order_items", "item_id"), ("marketing", "campaigns", "campaign_id"), ("marketing", "leads", "lead_id"),
                     ("marketing", "campaign_metrics", "metric_id"), ("marketing", "website_traffic", "traffic_id"),
                 })
        {
            fingerprints[table] = await databases.ScalarAsync<string>(domain,
                $"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY {key})), '') FROM {table} t");
        }

        return fingerprints;
    }
}
