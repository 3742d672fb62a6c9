using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Npgsql;

namespace DataMeesh.Seeder.Loading;

internal enum LoadOutcome
{
    Loaded,
    AlreadyLoaded,
}

internal sealed record TableResult(string Table, long Rows, TimeSpan Elapsed);

/// <param name="LoadedScale">The scale the rows already there were loaded at (<c>null</c> when they fit no scale).</param>
/// <param name="ReplacedRows">With <c>--reset</c>: how many rows the load replaced.</param>
internal sealed record DomainResult(string Domain, LoadOutcome Outcome, IReadOnlyList<TableResult> Tables, TimeSpan Elapsed,
    string? Detail = null, long? LoadedScale = null, long? ReplacedRows = null)
{
    public long Rows => Tables.Sum(t => t.Rows);
}

/// <summary>
/// Loads one domain inside one transaction that the caller ends (<see cref="DomainLoad"/>): on its own a plain COMMIT, with
/// the other domain a two-phase commit (<see cref="PairCommit"/>). Until then a crash, a kill or Ctrl-C leaves the old data.
/// </summary>
internal static class DomainLoader
{
    public static readonly ActivitySource ActivitySource = new("DataMeesh.Seeder");
    private static readonly Meter Meter = new("DataMeesh.Seeder");
    private static readonly Counter<long> RowsLoaded = Meter.CreateCounter<long>("datameesh.seeder.rows", "{row}", "Rows written by the seeder.");

    /// <summary>The API's replay records: each points at a row of the domain's tables, so a reset must take them along.</summary>
    public const string IdempotencyKeys = "datameesh.idempotency_keys";

    /// <summary>
    /// Opens the domain's transaction, fences writers off the tables and decides whether to load: the returned load is
    /// either <see cref="DomainLoad.WillLoad"/> (tables empty, or emptied by <c>--reset</c>) or already finished.
    /// </summary>
    public static DomainLoad Begin(NpgsqlDataSource dataSource, DomainPlan plan, SeedOptions options, CancellationToken cancellationToken)
    {
        // The domain's span covers its whole load, from the first lock to the commit (DomainLoad ends it).
        var activity = ActivitySource.StartActivity($"seed {plan.Domain}");
        activity?.SetTag("db.namespace", plan.Domain);
        var load = new DomainLoad(plan, dataSource, activity, dataSource.OpenConnection());
        try
        {
            load.Begin();
            LockTables(load, options.Reset, cancellationToken);

            var existing = CountExisting(load.Connection, plan);
            var perScale = plan.Tables[0].ExpectedRows / options.Scale;
            var loadedScale = existing[0].Rows > 0 && existing[0].Rows % perScale == 0 ? existing[0].Rows / perScale : (long?)null;
            var existingRows = existing.Sum(t => t.Rows);
            if (existingRows > 0 && !options.Reset)
            {
                load.Finish(new DomainResult(plan.Domain, LoadOutcome.AlreadyLoaded, existing, TimeSpan.Zero,
                    string.Join(", ", existing.Select(t => $"{t.Table}: {t.Rows.ToString("N0", CultureInfo.InvariantCulture)}")), loadedScale));
                return load;
            }

            if (options.Reset && existingRows > 0)
            {
                var written = CountWrittenSinceLoad(load.Connection, plan);
                if (written.Sum(t => t.Rows) > 0 && !options.DiscardWrites)
                {
                    load.Refuse(written);
                    return load;
                }

                // Both happen in this transaction: an old Idempotency-Key never replays to an ID that the reset hands out again.
                load.Execute($"TRUNCATE {string.Join(", ", plan.Tables.Select(t => t.Table))} RESTART IDENTITY CASCADE", cancellationToken);
                load.Execute($"DELETE FROM {IdempotencyKeys}", cancellationToken);
            }

            load.Prepared(loadedScale, existingRows > 0 ? existingRows : null, DeferredIndexes.Drop(load));
            return load;
        }
        catch
        {
            load.Dispose();
            throw;
        }
    }

    /// <summary>Streams the generated rows into the tables, in foreign-key order, inside the load's transaction.</summary>
    public static void Copy(DomainLoad load, LoadProgress progress, CancellationToken cancellationToken)
    {
        var plan = load.Plan;
        Activity.Current = load.Activity; // this runs on a thread of its own
        foreach (var table in plan.Tables)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var tableActivity = ActivitySource.StartActivity($"copy {table.Table}");
            var tableWatch = Stopwatch.StartNew();
            long rows;
            using (var importer = load.Connection.BeginBinaryImport(table.CopyCommand))
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
            load.Copied(new TableResult(table.Table, rows, tableWatch.Elapsed));
            // Explicit IDs bypass the identity sequences; move them past the loaded rows so API inserts get fresh IDs.
            load.Execute($"SELECT setval(pg_get_serial_sequence('{table.Table}', '{table.IdColumn}'), " +
                $"coalesce(max({table.IdColumn}), 0) + 1, false) FROM {table.Table}", cancellationToken);
        }

        // As pg_restore: indexes and keys built once over the loaded rows, then the foreign keys checked in one pass each.
        using (ActivitySource.StartActivity("build indexes and constraints"))
        {
            foreach (var sql in load.Rebuild)
            {
                cancellationToken.ThrowIfCancellationRequested();
                load.Execute(sql, cancellationToken);
            }
        }

        load.Activity?.SetTag("db.rows", load.Result.Rows);
    }

    /// <summary>
    /// Takes the locks up front, so writes that arrive during the load wait and then land on top of the new data (with
    /// fresh IDs) instead of being wiped or colliding with the loaded IDs. ACCESS EXCLUSIVE (TRUNCATE and the dropped
    /// indexes need it) also holds readers until the commit; where the data is already there (a run that changes nothing)
    /// EXCLUSIVE is enough and readers go on. The API writes the idempotency record first and the tables after, and other
    /// orders are possible, so the seeder never waits holding half the locks: it tries briefly, lets go of all of them,
    /// and tries again (no deadlock, no failed API write).
    /// </summary>
    private static void LockTables(DomainLoad load, bool reset, CancellationToken cancellationToken)
    {
        // Only an empty domain (or --reset) is loaded; a quick look without locks decides how strongly to lock.
        var mode = load.Plan.Tables.All(t => Scalar(load.Connection, $"SELECT count(*) FROM (SELECT 1 FROM {t.Table} LIMIT 1) t") == 0) || reset
            ? "ACCESS EXCLUSIVE" : "EXCLUSIVE";
        load.Execute("SET LOCAL lock_timeout = '200ms'", CancellationToken.None);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            load.Execute("SAVEPOINT fence", CancellationToken.None);
            try
            {
                load.Execute($"LOCK TABLE {IdempotencyKeys} IN EXCLUSIVE MODE", CancellationToken.None);
                load.Execute($"LOCK TABLE {string.Join(", ", load.Plan.Tables.Select(t => t.Table))} IN {mode} MODE", CancellationToken.None);
                load.Execute("RELEASE SAVEPOINT fence", CancellationToken.None);
                break;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                load.Execute("ROLLBACK TO SAVEPOINT fence", CancellationToken.None);
                Thread.Sleep(Random.Shared.Next(50, 250));
            }
        }

        load.Execute("SET LOCAL lock_timeout = 0", CancellationToken.None);
    }

    private static List<TableResult> CountExisting(NpgsqlConnection connection, DomainPlan plan) =>
        [.. plan.Tables.Select(table => new TableResult(table.Table, Scalar(connection, $"SELECT count(*) FROM {table.Table}"), TimeSpan.Zero))];

    /// <summary>
    /// Rows written after the data was loaded (orders and leads the API acknowledged, ...): every row a load writes carries
    /// that load's transaction ID (<c>xmin</c>), and the first table of each domain (customers, campaigns) is written by
    /// loads only.
    /// </summary>
    private static List<TableResult> CountWrittenSinceLoad(NpgsqlConnection connection, DomainPlan plan)
    {
        var first = plan.Tables[0].Table;
        return [.. plan.Tables.Skip(1).Select(table => new TableResult(table.Table, Scalar(connection,
            $"SELECT count(*) FROM {table.Table} WHERE xmin::text IS DISTINCT FROM (SELECT xmin::text FROM {first} LIMIT 1)"), TimeSpan.Zero))
            .Where(t => t.Rows > 0)];
    }

    // Table names come from the compiled plans, never from user input.
    private static long Scalar(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        return (long)command.ExecuteScalar()!;
    }
}
