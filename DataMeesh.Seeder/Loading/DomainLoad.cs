using System.Diagnostics;
using Npgsql;

namespace DataMeesh.Seeder.Loading;

/// <summary>
/// One domain's open load transaction (SQL BEGIN, not an NpgsqlTransaction, so it can end in PREPARE TRANSACTION).
/// Disposing it without a commit rolls the load back.
/// </summary>
internal sealed class DomainLoad(DomainPlan plan, NpgsqlDataSource dataSource, Activity? activity, NpgsqlConnection connection) : IDisposable
{
    private readonly Stopwatch stopwatch = Stopwatch.StartNew();
    private readonly List<TableResult> copied = [];
    private long? loadedScale;
    private long? replacedRows;
    private DomainResult? finished;
    private bool transactionOpen;

    public DomainPlan Plan => plan;
    public NpgsqlConnection Connection => connection;
    public NpgsqlDataSource DataSource => dataSource;
    public Activity? Activity => activity;
    public string Domain => plan.Domain;

    /// <summary>The tables are empty (or emptied) and locked: the rows are to be copied and the transaction committed.</summary>
    public bool WillLoad { get; private set; }

    /// <summary>Rows written since the last load that a reset would discard (set when the reset was refused).</summary>
    public IReadOnlyList<TableResult>? RefusedWrites { get; private set; }

    /// <summary>The rows already there, as they were before this run.</summary>
    public long? ReplacedRows => replacedRows;

    public DomainResult Result => finished ?? new DomainResult(plan.Domain, LoadOutcome.Loaded, copied, stopwatch.Elapsed,
        LoadedScale: loadedScale, ReplacedRows: replacedRows);

    /// <summary>The statements that build the dropped indexes and constraints again (<see cref="DeferredIndexes"/>).</summary>
    public IReadOnlyList<string> Rebuild { get; private set; } = [];

    public void Prepared(long? scale, long? replaced, IReadOnlyList<string> rebuild)
    {
        loadedScale = scale;
        replacedRows = replaced;
        Rebuild = rebuild;
        WillLoad = true;
    }

    public void Finish(DomainResult result)
    {
        finished = result;
        Rollback();
    }

    public void Refuse(IReadOnlyList<TableResult> written)
    {
        RefusedWrites = written;
        Rollback();
    }

    public void Copied(TableResult table) => copied.Add(table);

    public void Begin()
    {
        Execute("BEGIN");
        transactionOpen = true;
    }

    /// <summary>Ends the transaction with <paramref name="sql"/> (COMMIT, or PREPARE TRANSACTION for a pair).</summary>
    public async Task EndAsync(string sql)
    {
        transactionOpen = false;
        await ExecuteAsync(sql);
    }

    /// <summary>Stops the clock: the load's time is its copy, not the wait for the other domain's commit.</summary>
    public void StopClock() => stopwatch.Stop();

    public void Execute(string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>A long statement (an index build over millions of rows) that Ctrl-C cancels on the server.</summary>
    public void Execute(string sql, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection);
        using var cancel = cancellationToken.Register(command.Cancel);
        command.ExecuteNonQuery();
    }

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void Rollback()
    {
        WillLoad = false;
        transactionOpen = false;
        try
        {
            Execute("ROLLBACK");
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection is gone, and with it the transaction.
        }
    }

    public void Dispose()
    {
        if (transactionOpen && connection.FullState.HasFlag(System.Data.ConnectionState.Open))
        {
            Rollback();
        }

        connection.Dispose();
        activity?.Dispose();
    }
}
