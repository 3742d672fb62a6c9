using Npgsql;

namespace DataMeesh.Seeder.Loading;

/// <summary>
/// Finishes what a seeder that died in the middle of a two-phase commit (<see cref="PairCommit"/>) left prepared. Runs
/// under <see cref="SeedLock"/> on the databases it scans, and a live seeder holds that lock on every database of its
/// pair, so no live seeder owns what it finds. A prepared decider was never committed, so nothing of its run committed: it
/// is rolled back. A prepared follower is committed when its decider committed (the decider's server says so:
/// <c>pg_xact_status</c>) and rolled back otherwise (a decider still prepared is orphaned too, and is rolled back by the
/// next run on its database).
/// </summary>
internal static class InDoubtLoads
{
    private sealed record Prepared(string Domain, string Gid, string Run, string? DeciderDomain, string? DeciderXid);

    /// <returns>What was done, one line per prepared load.</returns>
    /// <param name="databases">The databases to scan, locked by this run.</param>
    /// <param name="deciders">Every configured domain's database, to ask about a decider's transaction.</param>
    public static async Task<List<string>> ResolveAsync(IReadOnlyDictionary<string, NpgsqlDataSource> databases,
        IReadOnlyDictionary<string, NpgsqlDataSource> deciders, CancellationToken cancellationToken)
    {
        var found = new List<Prepared>();
        foreach (var (domain, dataSource) in databases)
        {
            await using var command = dataSource.CreateCommand(
                "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND starts_with(gid, @prefix) ORDER BY prepared");
            command.Parameters.AddWithValue("prefix", PairCommit.GidPrefix);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                // datameesh-seed:<run>:<domain>:decides | datameesh-seed:<run>:<domain>:after:<decider domain>:<decider xid>
                var gid = reader.GetString(0);
                var parts = gid[PairCommit.GidPrefix.Length..].Split(':');
                found.Add(parts is [var run, _, "after", var deciderDomain, var xid]
                    ? new Prepared(domain, gid, parts[0], deciderDomain, xid)
                    : new Prepared(domain, gid, parts[0], null, null));
            }
        }

        var done = new List<string>();
        foreach (var decider in found.Where(p => p.DeciderDomain is null))
        {
            await ExecuteAsync(databases[decider.Domain], $"ROLLBACK PREPARED '{decider.Gid}'", cancellationToken);
            done.Add($"{decider.Domain}: rolled back a load that an interrupted run (#{decider.Run}) had prepared but not committed; " +
                "the previous data is unchanged.");
        }

        foreach (var follower in found.Where(p => p.DeciderDomain is not null))
        {
            if (!deciders.TryGetValue(follower.DeciderDomain!, out var deciderDatabase))
            {
                throw new InvalidOperationException(
                    $"{follower.Domain} holds a load prepared by an interrupted run (#{follower.Run}) whose outcome {follower.DeciderDomain} " +
                    $"decides; set ConnectionStrings__{follower.DeciderDomain} so the seeder can finish it.");
            }

            await using var status = deciderDatabase.CreateCommand("SELECT pg_xact_status(@xid::xid8)");
            status.Parameters.AddWithValue("xid", follower.DeciderXid!);
            switch (await status.ExecuteScalarAsync(cancellationToken) as string)
            {
                case "committed":
                    await ExecuteAsync(databases[follower.Domain], $"COMMIT PREPARED '{follower.Gid}'", cancellationToken);
                    // The interrupted run committed the decider but may have died before announcing either domain.
                    await DataLoadAnnouncement.SendAsync(databases[follower.Domain], follower.Domain, cancellationToken);
                    await DataLoadAnnouncement.SendAsync(deciderDatabase, follower.DeciderDomain!, cancellationToken);
                    done.Add($"{follower.Domain}: committed the load of an interrupted run (#{follower.Run}) that had already committed " +
                        $"{follower.DeciderDomain}; both domains now hold that run's data.");
                    break;
                case "aborted" or "in progress":
                    await ExecuteAsync(databases[follower.Domain], $"ROLLBACK PREPARED '{follower.Gid}'", cancellationToken);
                    done.Add($"{follower.Domain}: rolled back a load that an interrupted run (#{follower.Run}) had prepared but not committed; " +
                        "the previous data is unchanged.");
                    break;
                default:
                    throw new InvalidOperationException(
                        $"{follower.Domain} holds a load prepared by an interrupted run (#{follower.Run}), and {follower.DeciderDomain}'s server " +
                        $"no longer knows whether transaction {follower.DeciderXid} committed. Compare the domains and finish it by hand: " +
                        $"COMMIT PREPARED '{follower.Gid}' or ROLLBACK PREPARED '{follower.Gid}' in the {follower.Domain} database.");
            }
        }

        return done;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
