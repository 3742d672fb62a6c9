using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DataMeesh.DataProducts.Quality;
using DataMeesh.Seeder;
using DataMeesh.Tests.Infrastructure;
using DataMeesh.Tests.Seeding;
using Npgsql;

namespace DataMeesh.Tests.DataProducts;

/// <summary>
/// Both APIs run on empty databases when data is loaded (the AppHost's F5, or APIs and seeder started by hand): the
/// seeder announces each committed load and the APIs measure it within seconds, instead of at their next scheduled
/// quality run. Each test has its own databases and APIs.
/// </summary>
public sealed class DataLoadRefreshTests : IAsyncLifetime
{
    private static readonly string[] Domains = ["sales", "marketing"];

    /// <summary>The reference sample's tables (README, "The seeder").</summary>
    private static readonly Dictionary<string, long> ReferenceRows = new()
    {
        ["customers"] = 15, ["products"] = 10, ["orders"] = 20, ["order_items"] = 34,
        ["campaigns"] = 8, ["leads"] = 15, ["campaign_metrics"] = 724, ["website_traffic"] = 840,
    };

    private static readonly TimeSpan MeasuredWithin = TimeSpan.FromSeconds(10);

    private readonly DataProductApps apps = new() { SeedBeforeStart = false };

    public Task InitializeAsync() => apps.InitializeAsync();

    public Task DisposeAsync() => apps.DisposeAsync();

    [Fact]
    public async Task A_seeder_run_refreshes_row_counts_freshness_quality_and_health_within_seconds()
    {
        foreach (var domain in Domains)
        {
            await AssertStillEmptyAsync(domain);
        }

        // The seeder as a developer runs it next to running APIs; as of today (the fixture's one read of the clock), so the
        // freshness SLAs hold.
        var asOf = apps.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var seeder = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--as-of", asOf], SeederCli.Environment(apps.Databases));
        Assert.True(seeder.ExitCode == 0, seeder.Output + seeder.Error);
        var loaded = Stopwatch.StartNew();

        await Task.WhenAll(Domains.Select(domain => EventuallyAsync(() => LoadMeasuredProblemAsync(domain))));
        Assert.True(loaded.Elapsed < MeasuredWithin, $"measured {loaded.Elapsed.TotalSeconds:0.0} s after the seeder finished");
    }

    [Fact]
    public async Task A_rolled_back_load_announces_nothing_and_triggers_no_quality_run()
    {
        await using var salesWatch = await NotificationWatch.StartAsync(apps.Databases.Sales);
        await using var marketingWatch = await NotificationWatch.StartAsync(apps.Databases.Marketing);

        using var cancellation = new CancellationTokenSource();
        var run = SeedRunner.RunAsync(apps.Databases, SeedRunner.Options(scale: 200_000), cancellation.Token);
        await CopyProgress.WaitUntilRowsAreStreamingAsync(apps.Databases);
        await cancellation.CancelAsync();
        Assert.Equal(ExitCodes.Cancelled, (await run).ExitCode);

        // PostgreSQL delivers notifications in commit order to every listener of the database, the APIs' included: once a
        // notification sent after the rollback has arrived, any the load had sent would have arrived before it.
        foreach (var watch in new[] { salesWatch, marketingWatch })
        {
            const string sentinel = "sent-after-the-rollback"; // not a domain: the APIs ignore it
            await watch.NotifyAsync(sentinel);
            Assert.Equal([sentinel], await watch.ReceiveUntilAsync(sentinel));
        }

        foreach (var domain in Domains)
        {
            await AssertStillEmptyAsync(domain);
            Assert.Equal(0L, await apps.Databases.ScalarAsync<long>(domain, "SELECT count(*) FROM datameesh.quality_runs WHERE trigger <> 'startup'"));
        }
    }

    [Fact]
    public async Task A_burst_of_announcements_is_measured_by_one_run_once_it_has_settled()
    {
        for (var attempt = 1; ; attempt++)
        {
            var runsBefore = await LoadRunsAsync();
            // Ten loads announced over two seconds (longer than the quiet period, so a run per load or one mid-burst would show).
            var announced = new List<DateTime>();
            await using (var connection = new NpgsqlConnection(apps.Databases.Sales))
            {
                await connection.OpenAsync();
                for (var i = 0; i < 10; i++)
                {
                    if (i > 0)
                    {
                        await Task.Delay(200);
                    }

                    await using var notify = new NpgsqlCommand("SELECT clock_timestamp() FROM pg_notify(@channel, 'sales')", connection);
                    notify.Parameters.AddWithValue("channel", DataLoadNotification.Channel);
                    announced.Add((DateTime)(await notify.ExecuteScalarAsync())!);
                }
            }

            await EventuallyAsync(async () => await LoadRunsAsync() > runsBefore ? null : "no load run yet");

            // A machine that stalls for most of a second between two announcements splits the burst into two honest
            // bursts; that attempt proves nothing, so it is repeated (the property is about bursts, not about stalls).
            var longestGap = announced.Zip(announced.Skip(1), (a, b) => b - a).Max();
            if (longestGap > AnnouncedLoads.QuietPeriod - TimeSpan.FromMilliseconds(300) && attempt < 3)
            {
                await Task.Delay(AnnouncedLoads.QuietPeriod * 3);
                continue;
            }

            var started = Assert.Single(await apps.Databases.RowsAsync("sales",
                $"SELECT started_at FROM datameesh.quality_runs WHERE trigger = 'load' ORDER BY run_id OFFSET {runsBefore}"));
            // Every announcement came before the run started, so the run measured them all and none asks for another.
            Assert.True((DateTime)started[0]! >= announced[^1] + AnnouncedLoads.QuietPeriod - TimeSpan.FromMilliseconds(100),
                $"the run started at {started[0]:O}, before the burst ending at {announced[^1]:O} had been quiet for {AnnouncedLoads.QuietPeriod}");
            return;
        }
    }

    private Task<long> LoadRunsAsync() =>
        apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM datameesh.quality_runs WHERE trigger = 'load'");

    [Fact]
    public async Task A_listener_that_lost_its_connection_listens_again_and_measures_what_it_may_have_missed()
    {
        // Data changes without an announcement reaching the API (as when a load commits while nobody listens)...
        await MigratedDatabases.ExecuteAsync(apps.Databases.Sales,
            "INSERT INTO products (product_name, category, price, cost) VALUES ('Unannounced', 'Software', 10, 1)");
        // ...and the API's listening connection dies.
        Assert.Equal(1L, await apps.Databases.ScalarAsync<long>("sales", """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'sales-api-listener'
            """));

        await EventuallyAsync(async () =>
        {
            var quality = await (await apps.Client("sales").GetAsync("/quality")).JsonAsync();
            var products = await (await apps.Client("sales").GetAsync("/datasets/products")).JsonAsync();
            return quality.GetProperty("trigger").GetString() == "load" && products.GetProperty("rowCount").GetInt64() == 1
                ? null
                : $"latest run: {quality.GetProperty("trigger")}, products: {products.GetProperty("rowCount")} rows";
        });
    }

    /// <summary>The start-up run measured empty tables: freshness SLAs fail (Degraded), no rows, no freshness.</summary>
    private async Task AssertStillEmptyAsync(string domain)
    {
        var client = apps.Client(domain);
        Assert.Equal("Degraded", await (await client.GetAsync("/health")).Content.ReadAsStringAsync());
        Assert.Equal("startup", (await (await client.GetAsync("/quality")).JsonAsync()).GetProperty("trigger").GetString());
        foreach (var dataset in (await (await client.GetAsync("/datasets")).JsonAsync()).EnumerateArray())
        {
            Assert.Equal(0, dataset.GetProperty("rowCount").GetInt64());
            Assert.Equal(JsonValueKind.Null, dataset.GetProperty("lastUpdatedAt").ValueKind);
        }
    }

    /// <returns>What does not reflect the load yet, or null when everything does.</returns>
    private async Task<string?> LoadMeasuredProblemAsync(string domain)
    {
        var client = apps.Client(domain);
        var quality = await (await client.GetAsync("/quality")).JsonAsync();
        if (quality.GetProperty("trigger").GetString() != "load")
        {
            return $"{domain}: latest quality run was triggered by {quality.GetProperty("trigger")}";
        }

        foreach (var dataset in (await (await client.GetAsync("/datasets")).JsonAsync()).EnumerateArray())
        {
            var name = dataset.GetProperty("name").GetString()!;
            var rowCount = dataset.GetProperty("rowCount").GetInt64();
            var expected = ReferenceRows.TryGetValue(name, out var reference)
                ? reference
                : await apps.Databases.ScalarAsync<long>(domain, $"SELECT count(*) FROM public.{name}"); // views: what they show now
            if (rowCount != expected)
            {
                return $"{domain}.{name}: rowCount {rowCount}, expected {expected}";
            }

            var document = await (await client.GetAsync($"/datasets/{name}")).JsonAsync();
            if (document.GetProperty("freshness").ValueKind != JsonValueKind.Null && dataset.GetProperty("lastUpdatedAt").ValueKind == JsonValueKind.Null)
            {
                return $"{domain}.{name}: has a freshness SLA but no lastUpdatedAt";
            }

            if (dataset.GetProperty("qualityScore").GetDecimal() != 100m)
            {
                return $"{domain}.{name}: quality score {dataset.GetProperty("qualityScore")}";
            }
        }

        var health = await (await client.GetAsync("/health")).Content.ReadAsStringAsync();
        return health == "Healthy" ? null : $"{domain}: /health is {health}";
    }

    /// <summary>What a loader sends: <c>pg_notify</c> on the load channel (here in a transaction of its own).</summary>
    private static async Task AnnounceAsync(string connectionString, string payload)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        notify.Parameters.AddWithValue("channel", DataLoadNotification.Channel);
        notify.Parameters.AddWithValue("payload", payload);
        await notify.ExecuteNonQueryAsync();
    }

    private static async Task EventuallyAsync(Func<Task<string?>> problem)
    {
        var deadline = Stopwatch.StartNew();
        while (await problem() is { } last)
        {
            Assert.True(deadline.Elapsed < MeasuredWithin, $"Not measured within {MeasuredWithin.TotalSeconds:0} s: {last}");
            await Task.Delay(100);
        }
    }

    /// <summary>A test's own LISTEN on the load channel of one database, to see exactly what PostgreSQL delivers.</summary>
    private sealed class NotificationWatch : IAsyncDisposable
    {
        private readonly NpgsqlConnection connection;
        private readonly string connectionString;
        private readonly List<string> received = [];

        private NotificationWatch(string connectionString)
        {
            this.connectionString = connectionString;
            connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            connection.Notification += (_, e) => received.Add(e.Payload);
        }

        public static async Task<NotificationWatch> StartAsync(string connectionString)
        {
            var watch = new NotificationWatch(connectionString);
            await watch.connection.OpenAsync();
            await using var listen = new NpgsqlCommand($"LISTEN {DataLoadNotification.Channel}", watch.connection);
            await listen.ExecuteNonQueryAsync();
            return watch;
        }

        public Task NotifyAsync(string payload) => AnnounceAsync(connectionString, payload);

        /// <returns>Every payload received, up to and including <paramref name="last"/>.</returns>
        public async Task<IReadOnlyList<string>> ReceiveUntilAsync(string last)
        {
            var deadline = Stopwatch.StartNew();
            while (!received.Contains(last))
            {
                Assert.True(deadline.Elapsed < MeasuredWithin, $"'{last}' was not delivered; received: {string.Join(", ", received)}");
                await connection.WaitAsync(TimeSpan.FromMilliseconds(200));
            }

            return received;
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}
