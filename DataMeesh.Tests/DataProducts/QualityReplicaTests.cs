extern alias SalesApi;

using System.Diagnostics;
using System.Text.Json;
using DataMeesh.Seeder;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace DataMeesh.Tests.DataProducts;

/// <summary>
/// Two replicas of the sales API on one database, as a Deployment with replicas: 2 runs them. Scheduled runs happen once
/// per interval in total, not once per replica, and both replicas report the same latest run.
/// </summary>
public sealed class QualityScheduleReplicaTests() : SalesReplicas(new DataProductApps { QualityInterval = Interval })
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Two_replicas_make_one_scheduled_run_per_interval_and_report_the_same_latest_run()
    {
        const int scheduledRuns = 4;
        var waited = Stopwatch.StartNew();
        while (await Apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM datameesh.quality_runs WHERE trigger = 'schedule'") < scheduledRuns)
        {
            Assert.True(waited.Elapsed < Deadline, $"fewer than {scheduledRuns} scheduled runs within {Deadline.TotalSeconds:0} s");
            await Task.Delay(200);
        }

        // One per interval: no run (of any trigger; here start-up and schedule) starts less than an interval after another.
        // Each replica on its own would run every interval, out of phase with the other: two runs within one interval.
        var started = (await Apps.Databases.RowsAsync("sales", "SELECT started_at FROM datameesh.quality_runs ORDER BY started_at"))
            .Select(row => (DateTime)row[0]!).ToList();
        var gaps = started.Zip(started.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps.All(gap => gap >= Interval),
            $"runs less than {Interval.TotalSeconds} s apart: {string.Join(", ", gaps.Select(g => $"{g.TotalSeconds:0.000} s"))}");

        // Each run is made by one replica; the other loads it. Runs go on, so poll until a moment both show the newest.
        var latestOf = new[] { Apps.Reader(Apps.Sales), Apps.Reader(Replica) };
        string last = "";
        while (true)
        {
            var newest = await Apps.Databases.ScalarAsync<long>("sales", "SELECT max(run_id) FROM datameesh.quality_runs");
            var reported = new List<long>();
            foreach (var client in latestOf)
            {
                reported.Add((await (await client.GetAsync("/quality")).JsonAsync()).GetProperty("runId").GetInt64());
            }

            if (reported.All(id => id == newest))
            {
                return;
            }

            last = $"newest run {newest}, replicas report {string.Join(" and ", reported)}";
            Assert.True(waited.Elapsed < Deadline, $"the replicas never reported the same latest run: {last}");
            await Task.Delay(100);
        }
    }
}

/// <summary>A load announcement reaches every replica; one run measures it and the others report that run.</summary>
public sealed class QualityLoadReplicaTests() : SalesReplicas(new DataProductApps())
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_announced_load_is_measured_by_one_run_that_both_replicas_report()
    {
        // The second replica started within the (hour-long) interval of the first one's start-up run: it made none.
        Assert.Equal(1L, await Apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM datameesh.quality_runs WHERE trigger = 'startup'"));

        await using (var connection = new NpgsqlConnection(Apps.Databases.Sales))
        {
            await connection.OpenAsync();
            await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, 'sales')", connection);
            notify.Parameters.AddWithValue("channel", DataLoadNotification.Channel);
            await notify.ExecuteNonQueryAsync();
        }

        var clients = new[] { Apps.Reader(Apps.Sales), Apps.Reader(Replica) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var reported = new List<JsonElement>();
            foreach (var client in clients)
            {
                reported.Add(await (await client.GetAsync("/quality")).JsonAsync());
            }

            if (reported.All(r => r.GetProperty("trigger").GetString() == "load"))
            {
                Assert.Single(reported.Select(r => r.GetProperty("runId").GetInt64()).Distinct());
                break;
            }

            Assert.True(waited.Elapsed < Deadline, "the replicas did not both report a load run: " + string.Join(" | ", reported));
            await Task.Delay(100);
        }

        Assert.Equal(1L, await Apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM datameesh.quality_runs WHERE trigger = 'load'"));
    }

    [Fact]
    public async Task A_run_waits_while_another_replica_measures_and_a_replica_that_died_mid_run_leaves_nothing_behind()
    {
        var runsBefore = await Apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM datameesh.quality_runs");
        // "Another Replica" mid-run: holding the run lock in an open transaction, as a run does until it has stored its results.
        await using var other = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Apps.Databases.Sales) { Pooling = false }.ConnectionString);
        await other.OpenAsync();
        var dying = await other.BeginTransactionAsync();
        await using (var takeLock = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", other, dying))
        {
            takeLock.Parameters.AddWithValue("key", DataMeesh.DataProducts.Quality.QualityMonitor.RunLockKey);
            await takeLock.ExecuteNonQueryAsync();
        }

        var run = Apps.Client("sales", "sales-steward").PostAsync("/quality/runs", null);
        var waited = Stopwatch.StartNew();
        while (await Apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 0)
        {
            if (run.IsCompleted)
            {
                Assert.Fail("the run did not wait for the lock: " + await (await run).Content.ReadAsStringAsync());
            }

            Assert.True(waited.Elapsed < Deadline, "the run never waited for the lock");
            await Task.Delay(50);
        }

        // The other replica dies: its transaction (and lock) ends with nothing stored, and the waiting run measures.
        await dying.RollbackAsync();
        var report = await (await run).JsonAsync(System.Net.HttpStatusCode.Created);
        Assert.Equal("manual", report.GetProperty("trigger").GetString());
        Assert.Equal(runsBefore + 1, await Apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM datameesh.quality_runs"));
    }
}

/// <summary>The sales API twice on one database: <see cref="Apps"/>' own and <see cref="Replica"/>.</summary>
public abstract class SalesReplicas(DataProductApps apps) : IAsyncLifetime
{
    protected DataProductApps Apps { get; } = apps;

    protected WebApplicationFactory<SalesApi::Program> Replica { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Apps.InitializeAsync();
        Replica = await Apps.StartSalesReplicaAsync();
    }

    public async Task DisposeAsync()
    {
        await Replica.DisposeAsync();
        await Apps.DisposeAsync();
    }
}
