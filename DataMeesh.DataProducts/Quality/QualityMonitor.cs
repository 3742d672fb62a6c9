using System.Diagnostics;
using System.Diagnostics.Metrics;
using DataMeesh.DataProducts.Catalog;
using DataMeesh.DataProducts.Rows;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataMeesh.DataProducts.Quality;

/// <summary>
/// Runs the product's quality checks, keeps every run as history in the domain's database (<c>datameesh.quality_*</c>),
/// holds the latest report for the API, the health check and the OpenTelemetry gauges.
/// </summary>
public sealed class QualityMonitor : IDisposable
{
    public const string MeterName = "DataMeesh.DataProducts.Quality";
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromMinutes(2);

    private readonly DataPlane dataPlane;
    private readonly ProductCatalog catalog;
    private readonly ILogger<QualityMonitor> logger;
    private readonly SemaphoreSlim oneRunAtATime = new(1, 1);
    private readonly Counter<long> runs;
    private readonly Histogram<double> runDuration;
    private volatile QualityReport? latest;

    public QualityMonitor(DataPlane dataPlane, ProductCatalog catalog, IMeterFactory meterFactory, ILogger<QualityMonitor> logger)
    {
        this.dataPlane = dataPlane;
        this.catalog = catalog;
        this.logger = logger;
        var meter = meterFactory.Create(MeterName);
        var domain = new KeyValuePair<string, object?>("domain", catalog.Definition.Domain);
        runs = meter.CreateCounter<long>("datameesh.quality.runs", description: "Quality runs, by trigger.");
        runDuration = meter.CreateHistogram<double>("datameesh.quality.run.duration", "s", "Time to run every check of the product.");
        meter.CreateObservableGauge("datameesh.quality.score", () => (latest?.Datasets ?? []).Select(d =>
            new Measurement<double>((double)d.Score, domain, new("dataset", d.Dataset))), "%", "Share of a dataset's checks that passed.");
        meter.CreateObservableGauge("datameesh.quality.checks.failed", () => (latest?.Datasets ?? []).SelectMany(d =>
            SeverityNames.All.Select(severity => new Measurement<long>(d.Checks.Count(c => !c.Passed && c.Severity == severity),
                domain, new("dataset", d.Dataset), new("severity", severity)))), description: "Failing checks per dataset and severity.");
    }

    public void Dispose() => oneRunAtATime.Dispose();

    /// <summary>The latest report; empty until the first run finished or the history was read.</summary>
    public QualityReport Latest => latest ?? new QualityReport(catalog.Definition.Domain, null, null, null, []);

    /// <summary>
    /// Serialises the runs of every replica of the API on one database (advisory locks belong to the database), held by
    /// the transaction that decides whether to run and stores the run.
    /// </summary>
    internal const long RunLockKey = 0x5155_414c_4954_5952; // "QUALITYR"

    /// <summary>Runs every check now (one run at a time, across replicas too), stores the results and returns the new report.</summary>
    public Task<QualityReport> RunAsync(string trigger, CancellationToken cancellationToken) =>
        RunUnlessMeasuredWithinAsync(trigger, window: null, cancellationToken);

    /// <summary>
    /// Runs every check unless a run of any replica started less than <paramref name="window"/> ago and measured every check
    /// this replica has; then it only loads that run's report. Replicas of one API share one database, so N replicas make
    /// one scheduled run per interval, not N, and each still reports the latest results.
    /// </summary>
    /// <remarks>
    /// The decision and the stored run are one transaction holding <see cref="RunLockKey"/>: a replica deciding while
    /// another measures waits, then sees that run (committed, complete) and skips. A replica that dies mid-run stores
    /// nothing and releases the lock, so a waiting one measures instead. The checks run on a connection of their own,
    /// outside the transaction, so a failing check cannot abort it; the transaction writes nothing until the end.
    /// </remarks>
    internal async Task<QualityReport> RunUnlessMeasuredWithinAsync(string trigger, TimeSpan? window,
        CancellationToken cancellationToken)
    {
        await oneRunAtATime.WaitAsync(cancellationToken);
        try
        {
            await using var claim = await dataPlane.OpenConnectionAsync(cancellationToken);
            await using var transaction = await claim.BeginTransactionAsync(cancellationToken);
            // No command time-out: the wait lasts as long as another replica's run, which its checks' own time-outs bound
            // (and which ends with that replica's session if it dies); stopping the API cancels it.
            await using (var takeLock = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", claim, transaction) { CommandTimeout = 0 })
            {
                takeLock.Parameters.AddWithValue("key", RunLockKey);
                await takeLock.ExecuteNonQueryAsync(cancellationToken);
            }

            var checks = QualityCheck.For(catalog);
            DateTime startedAt;
            bool recentRun;
            await using (var look = new NpgsqlCommand("""
                SELECT moment.at,
                       @window::interval IS NOT NULL
                       AND EXISTS (SELECT 1 FROM datameesh.quality_runs WHERE started_at > moment.at - @window::interval)
                FROM (SELECT clock_timestamp() AS at) moment
                """, claim, transaction))
            {
                look.Parameters.Add(new NpgsqlParameter("window", NpgsqlTypes.NpgsqlDbType.Interval) { Value = (object?)window ?? DBNull.Value });
                await using var reader = await look.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                startedAt = reader.GetDateTime(0);
                recentRun = reader.GetBoolean(1);
            }

            if (recentRun && await ReadLatestAsync(claim, cancellationToken, transaction) is var recent && MeasuresEvery(recent, checks))
            {
                await transaction.CommitAsync(cancellationToken);
                latest = recent;
                logger.LogInformation("Quality run ({Trigger}) skipped: run {RunId} started less than {Window} ago", trigger, recent.RunId, window);
                return recent;
            }

            var stopwatch = Stopwatch.StartNew();
            var results = new List<(QualityCheck Check, CheckResult Result)>();
            await using (var measure = await dataPlane.OpenConnectionAsync(cancellationToken))
            {
                foreach (var check in checks)
                {
                    results.Add((check, await MeasureAsync(measure, check, cancellationToken)));
                }
            }

            var runId = await StoreAsync(transaction, trigger, startedAt, results, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            var report = await ReadLatestAsync(claim, cancellationToken);
            latest = report;
            runs.Add(1, new KeyValuePair<string, object?>("trigger", trigger));
            runDuration.Record(stopwatch.Elapsed.TotalSeconds);

            var failed = results.Where(r => !r.Result.Passed).ToList();
            if (failed.Count > 0)
            {
                logger.LogWarning("Quality run {RunId}: {Failed} of {Total} checks failed: {Checks}", runId, failed.Count, results.Count,
                    string.Join(", ", failed.Select(f => $"{f.Check.Dataset}.{f.Check.Name}")));
            }
            else
            {
                logger.LogInformation("Quality run {RunId}: all {Total} checks passed in {Elapsed} ms", runId, results.Count, stopwatch.ElapsedMilliseconds);
            }

            return report;
        }
        finally
        {
            oneRunAtATime.Release();
        }
    }

    /// <summary>A replica of another version (a rolling update) may have other checks: its run does not stand for ours.</summary>
    private static bool MeasuresEvery(QualityReport report, IReadOnlyList<QualityCheck> checks)
    {
        var measured = report.Datasets.SelectMany(d => d.Checks.Select(c => (d.Dataset, c.Name))).ToHashSet();
        return checks.All(check => measured.Contains((check.Dataset, check.Name)));
    }

    /// <summary>Loads the latest stored results (after a restart the product reports its quality before the next run).</summary>
    public async Task LoadLatestAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataPlane.OpenConnectionAsync(cancellationToken);
        latest = await ReadLatestAsync(connection, cancellationToken);
    }

    private async Task<CheckResult> MeasureAsync(NpgsqlConnection connection, QualityCheck check, CancellationToken cancellationToken)
    {
        decimal? observed = null;
        string details;
        try
        {
            await using var command = new NpgsqlCommand(check.Sql, connection) { CommandTimeout = (int)CheckTimeout.TotalSeconds };
            var value = await command.ExecuteScalarAsync(cancellationToken);
            observed = value is null or DBNull ? null : Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture);
            details = observed is null ? $"no value to measure (empty dataset?); expected {check.Rule}" : $"expected {check.Rule}";
        }
        catch (Exception e) when (e is PostgresException or NpgsqlException { InnerException: TimeoutException })
        {
            // A check that cannot run is a failed check (and says why), not a crashed run.
            logger.LogWarning("Quality check {Dataset}.{Check} could not run: {Reason}", check.Dataset, check.Name, e.Message);
            details = $"could not be measured: {e.Message}";
        }

        return new CheckResult(check.Name, check.Type, check.Column, check.SeverityName, check.Passes(observed), observed, check.Threshold, details);
    }

    private static async Task<long> StoreAsync(NpgsqlTransaction transaction, string trigger, DateTime startedAt,
        List<(QualityCheck Check, CheckResult Result)> results, CancellationToken cancellationToken)
    {
        var connection = transaction.Connection!;
        long runId;
        await using (var start = new NpgsqlCommand("""
            INSERT INTO datameesh.quality_runs (trigger, started_at) VALUES (@trigger, @started) RETURNING run_id
            """, connection, transaction))
        {
            start.Parameters.AddWithValue("trigger", trigger);
            start.Parameters.AddWithValue("started", startedAt);
            runId = (long)(await start.ExecuteScalarAsync(cancellationToken))!;
        }

        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch)
        {
            foreach (var (check, result) in results)
            {
                // clock_timestamp(), not the default now(): that is when the transaction began, before the lock was free.
                var insert = new NpgsqlBatchCommand("""
                    INSERT INTO datameesh.quality_results
                        (run_id, dataset, check_name, check_type, column_name, severity, passed, observed_value, threshold, details, checked_at)
                    VALUES (@run, @dataset, @name, @type, @column, @severity, @passed, @observed, @threshold, @details, clock_timestamp())
                    """);
                insert.Parameters.AddWithValue("run", runId);
                insert.Parameters.AddWithValue("dataset", check.Dataset);
                insert.Parameters.AddWithValue("name", check.Name);
                insert.Parameters.AddWithValue("type", check.Type);
                insert.Parameters.AddWithValue("column", (object?)check.Column ?? DBNull.Value);
                insert.Parameters.AddWithValue("severity", check.SeverityName);
                insert.Parameters.AddWithValue("passed", result.Passed);
                insert.Parameters.AddWithValue("observed", (object?)result.Observed ?? DBNull.Value);
                insert.Parameters.AddWithValue("threshold", check.Threshold);
                insert.Parameters.AddWithValue("details", result.Details);
                batch.BatchCommands.Add(insert);
            }

            var finish = new NpgsqlBatchCommand("UPDATE datameesh.quality_runs SET finished_at = clock_timestamp() WHERE run_id = @run");
            finish.Parameters.AddWithValue("run", runId);
            batch.BatchCommands.Add(finish);
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        return runId;
    }

    private async Task<QualityReport> ReadLatestAsync(NpgsqlConnection connection, CancellationToken cancellationToken,
        NpgsqlTransaction? transaction = null)
    {
        var checks = new Dictionary<string, List<CheckResult>>();
        var checkedAt = new Dictionary<string, DateTime>();
        long? runId = null;
        string? trigger = null;
        DateTime? finishedAt = null;
        await using var command = new NpgsqlCommand("""
            SELECT l.dataset, l.check_name, l.check_type, l.column_name, l.severity, l.passed, l.observed_value, l.threshold, l.details,
                   l.checked_at, r.run_id, r.trigger, r.finished_at
            FROM datameesh.quality_latest l
            JOIN datameesh.quality_runs r ON r.run_id = l.run_id
            ORDER BY l.run_id, l.dataset, l.check_name
            """, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var dataset = reader.GetString(0);
            if (catalog.Definition.Datasets.All(d => d.Name != dataset))
            {
                continue; // history of a dataset the product no longer publishes
            }

            if (!checks.TryGetValue(dataset, out var list))
            {
                checks[dataset] = list = [];
            }

            list.Add(new CheckResult(reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), reader.GetBoolean(5), reader.IsDBNull(6) ? null : reader.GetDecimal(6),
                reader.IsDBNull(7) ? null : reader.GetDecimal(7), reader.GetString(8)));
            checkedAt[dataset] = reader.GetDateTime(9);
            runId = reader.GetInt64(10);
            trigger = reader.GetString(11);
            finishedAt = reader.IsDBNull(12) ? null : reader.GetDateTime(12);
        }

        var datasets = catalog.Definition.Datasets.Where(d => checks.ContainsKey(d.Name)).Select(d =>
        {
            var list = checks[d.Name];
            var score = Math.Round(100m * list.Count(c => c.Passed) / list.Count, 1);
            return new DatasetQuality(d.Name, score, checkedAt[d.Name], list);
        }).ToList();
        return new QualityReport(catalog.Definition.Domain, runId, trigger, finishedAt, datasets);
    }
}

/// <summary>Health: degraded while a critical quality check fails (the data is served, but consumers should know).</summary>
internal sealed class QualityHealthCheck(QualityMonitor monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failed = monitor.Latest.Datasets.SelectMany(d => d.Checks.Where(c => c.FailsCritically).Select(c => $"{d.Dataset}.{c.Name}")).ToList();
        return Task.FromResult(failed.Count == 0
            ? HealthCheckResult.Healthy("No critical quality check fails.")
            : HealthCheckResult.Degraded($"Critical quality checks failing: {string.Join(", ", failed)}"));
    }
}
