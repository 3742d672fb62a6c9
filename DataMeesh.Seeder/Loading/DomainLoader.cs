using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataMeesh.Seeder.Loading;

internal enum LoadOutcome
{
    Loaded,
    AlreadyLoaded,
}

internal sealed record TableResult(string Table, long Rows, TimeSpan Elapsed);

internal sealed record DomainResult(string Domain, LoadOutcome Outcome, IReadOnlyList<TableResult> Tables, TimeSpan Elapsed, string? Detail = null)
{
    public long Rows => Tables.Sum(t => t.Rows);
}

/// <summary>
/// Loads one domain in a single transaction, so a crash, a kill or Ctrl-C leaves the old data or the new data, never a mix.
/// An advisory transaction lock serialises concurrent seeders on the same database; existing data is kept unless
/// <c>--reset</c> asks to replace it. A committed load is announced to the domain's API (<see cref="DataLoadNotification"/>).
/// </summary>
internal sealed class DomainLoader(ILogger<DomainLoader> logger)
{
    public static readonly ActivitySource ActivitySource = new("DataMeesh.Seeder");
    private static readonly Meter Meter = new("DataMeesh.Seeder");
    private static readonly Counter<long> RowsLoaded = Meter.CreateCounter<long>("datameesh.seeder.rows", "{row}", "Rows written by the seeder.");

    // Any constant works: advisory locks are per database. Shared with no other DataMeesh lock.
    private const long SeedLockKey = 0x5345_4544_4d45_5348; // "SEEDMESH"

    public DomainResult Load(NpgsqlDataSource dataSource, DomainPlan plan, bool reset, LoadProgress progress, CancellationToken cancellationToken)
    {
        using var activity = ActivitySource.StartActivity($"seed {plan.Domain}");
        activity?.SetTag("db.namespace", plan.Domain);
        var stopwatch = Stopwatch.StartNew();

        using var connection = dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();

        Execute(connection, "SELECT pg_advisory_xact_lock(@key)", ("key", SeedLockKey));

        var existing = CountExisting(connection, plan);
        if (existing.Any(t => t.Rows > 0) && !reset)
        {
            var detail = string.Join(", ", existing.Select(t => $"{t.Table}: {t.Rows:N0}"));
            logger.LogInformation("{Domain} already holds data ({Detail}); nothing loaded. Use --reset to replace it", plan.Domain, detail);
            return new DomainResult(plan.Domain, LoadOutcome.AlreadyLoaded, existing, stopwatch.Elapsed, detail);
        }

        if (reset)
        {
            // TRUNCATE is transactional: readers keep seeing the old rows until COMMIT.
            Execute(connection, $"TRUNCATE {string.Join(", ", plan.Tables.Select(t => t.Table))} RESTART IDENTITY CASCADE");
        }

        var results = new List<TableResult>();
        foreach (var table in plan.Tables)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var tableActivity = ActivitySource.StartActivity($"copy {table.Table}");
            var tableWatch = Stopwatch.StartNew();
            long rows;
            using (var importer = connection.BeginBinaryImport(table.CopyCommand))
            {
                importer.Timeout = TimeSpan.Zero; // see the data source: completing a big COPY runs every row's FK check
                rows = table.Write(importer, n =>
                {
                    progress.Add(plan.Domain, table.Table, n);
                    RowsLoaded.Add(n, new KeyValuePair<string, object?>("table", table.Table), new KeyValuePair<string, object?>("domain", plan.Domain));
                }, cancellationToken);
                importer.Complete();
            }

            tableActivity?.SetTag("db.rows", rows);
            results.Add(new TableResult(table.Table, rows, tableWatch.Elapsed));
            // Explicit IDs bypass the identity sequences; move them past the loaded rows so API inserts get fresh IDs.
            Execute(connection, $"SELECT setval(pg_get_serial_sequence('{table.Table}', '{table.IdColumn}'), " +
                $"coalesce(max({table.IdColumn}), 0) + 1, false) FROM {table.Table}");
        }

        // Announced inside the transaction: PostgreSQL delivers it on COMMIT only, so the domain's API measures data that
        // is really there, and a load that is rolled back (cancelled, killed, failed) announces nothing.
        Execute(connection, "SELECT pg_notify(@channel, @domain)", ("channel", DataLoadNotification.Channel), ("domain", plan.Domain));
        transaction.Commit();
        var elapsed = stopwatch.Elapsed;

        // Fresh statistics keep the first queries after a large load from planning on empty-table estimates.
        foreach (var table in plan.Tables)
        {
            Execute(connection, $"ANALYZE {table.Table}");
        }

        activity?.SetTag("db.rows", results.Sum(r => r.Rows));
        return new DomainResult(plan.Domain, LoadOutcome.Loaded, results, elapsed);
    }

    private static List<TableResult> CountExisting(NpgsqlConnection connection, DomainPlan plan)
    {
        var counts = new List<TableResult>();
        foreach (var table in plan.Tables)
        {
            using var command = new NpgsqlCommand($"SELECT count(*) FROM {table.Table}", connection);
            counts.Add(new TableResult(table.Table, (long)command.ExecuteScalar()!, TimeSpan.Zero));
        }

        return counts;
    }

    // Table and column names here come from the compiled plans, never from user input.
    private static void Execute(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
