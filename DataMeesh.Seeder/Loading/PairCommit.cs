using Npgsql;

namespace DataMeesh.Seeder.Loading;

internal enum CommitOutcome
{
    /// <summary>Every loaded domain committed.</summary>
    Committed,

    /// <summary>Ctrl-C came before the decision: every domain was rolled back.</summary>
    RolledBack,

    /// <summary>Ctrl-C came after the first domain had committed: the others were committed too, to keep the pair.</summary>
    CommittedDespiteCancellation,
}

/// <summary>
/// Commits the domains' loads together or not at all, though they are separate databases (possibly on separate servers):
/// two-phase commit with PostgreSQL's PREPARE TRANSACTION. Each load is prepared (written to disk, locks kept, survives a
/// crash of the seeder or of the server); then the first domain's COMMIT PREPARED is the decision, and the others follow.
/// A seeder that dies before the decision leaves prepared loads that the next run rolls back; one that dies after it
/// leaves prepared loads that the next run commits (<see cref="InDoubtLoads"/>). Needs <c>max_prepared_transactions</c> ≥ 1
/// on each server (PostgreSQL's default is 0).
/// </summary>
internal static class PairCommit
{
    /// <summary>Every prepared seeder load's global ID starts so (one run's loads share the run ID).</summary>
    public const string GidPrefix = "datameesh-seed:";

    public static async Task<CommitOutcome> CommitAsync(IReadOnlyList<DomainLoad> loads, PhasePause pause, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return CommitOutcome.RolledBack; // the loads are disposed uncommitted
        }

        if (loads.Count == 1)
        {
            await loads[0].EndAsync("COMMIT");
            return CommitOutcome.Committed;
        }

        // The gids name the deciding transaction, so whoever finds a follower prepared can ask the decider's server whether
        // the decision was made (pg_xact_status): no log of our own is needed, on either server.
        var run = Guid.NewGuid().ToString("N")[..12];
        var decider = loads[0];
        await using var xidCommand = new NpgsqlCommand("SELECT pg_current_xact_id()::text", decider.Connection);
        var deciderXid = (string)(await xidCommand.ExecuteScalarAsync(CancellationToken.None))!;
        var gids = loads.Select((load, i) => i == 0
            ? $"{GidPrefix}{run}:{load.Domain}:decides"
            : $"{GidPrefix}{run}:{load.Domain}:after:{decider.Domain}:{deciderXid}").ToList();

        var prepared = new List<int>();
        try
        {
            for (var i = 0; i < loads.Count; i++)
            {
                await loads[i].EndAsync($"PREPARE TRANSACTION '{gids[i]}'");
                prepared.Add(i);
            }
        }
        catch
        {
            await RollBackPreparedAsync(loads, gids, prepared);
            throw;
        }

        await pause.AtAsync(PhasePause.Prepared, cancellationToken);
        if (cancellationToken.IsCancellationRequested)
        {
            await RollBackPreparedAsync(loads, gids, prepared);
            return CommitOutcome.RolledBack;
        }

        // The decision. From here on, Ctrl-C no longer undoes anything: it would leave the pair mixed.
        await loads[0].ExecuteAsync($"COMMIT PREPARED '{gids[0]}'", CancellationToken.None);
        await pause.AtAsync(PhasePause.FirstCommitted, cancellationToken);
        for (var i = 1; i < loads.Count; i++)
        {
            await CommitWithRetriesAsync(loads[i], gids[i]);
        }

        return cancellationToken.IsCancellationRequested ? CommitOutcome.CommittedDespiteCancellation : CommitOutcome.Committed;
    }

    /// <summary>The decision is made: a follower's commit is retried (on a fresh connection) rather than given up.</summary>
    private static async Task CommitWithRetriesAsync(DomainLoad load, string gid)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = load.DataSource.CreateCommand($"COMMIT PREPARED '{gid}'");
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (NpgsqlException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
            catch (NpgsqlException e)
            {
                throw new InvalidOperationException(
                    $"{load.Domain}'s load is prepared but its commit failed ({e.Message}); the other domain has committed. " +
                    "Run the seeder again (any options): it commits the prepared load first, so both domains hold the new data.", e);
            }
        }
    }

    private static async Task RollBackPreparedAsync(IReadOnlyList<DomainLoad> loads, List<string> gids, List<int> prepared)
    {
        foreach (var i in prepared)
        {
            try
            {
                await loads[i].ExecuteAsync($"ROLLBACK PREPARED '{gids[i]}'");
            }
            catch (NpgsqlException)
            {
                // Still prepared, never decided: the next run rolls it back (InDoubtLoads).
            }
        }
    }

    /// <summary>The servers' max_prepared_transactions, checked before anything is loaded.</summary>
    public static async Task<string?> CheckPreparedTransactionsAsync(string domain, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT current_setting('max_prepared_transactions')::int");
        var allowed = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        return allowed > 0 ? null :
            $"Both domains are loaded together or not at all, with a two-phase commit, and {domain}'s server does not allow " +
            "prepared transactions (max_prepared_transactions = 0, PostgreSQL's default). Start it with " +
            "`-c max_prepared_transactions=8` (or set it in postgresql.conf and restart; the AppHost's servers have it), " +
            "or load one domain per run with --domain (each domain is still all-or-nothing on its own).";
    }
}
