using Npgsql;

namespace DataMeesh.Seeder.Loading;

/// <summary>
/// One seeder at a time per database: a session-level advisory lock on each database the run loads, held on a connection
/// of its own for the whole run (a transaction-level lock would pass to a prepared transaction and outlive a killed
/// seeder). Taken in the same domain order by every run, so two runs never wait for each other crosswise; released when
/// the run ends or its process dies.
/// </summary>
internal sealed class SeedLock : IAsyncDisposable
{
    // Any constant works: advisory locks are per database. Shared with no other DataMeesh lock.
    private const long SeedLockKey = 0x5345_4544_4d45_5348; // "SEEDMESH"

    private readonly List<NpgsqlConnection> connections = [];

    public static async Task<SeedLock> AcquireAsync(IReadOnlyDictionary<string, NpgsqlDataSource> databases, Action<string> waiting,
        CancellationToken cancellationToken)
    {
        var seedLock = new SeedLock();
        try
        {
            foreach (var domain in SeedOptions.AllDomains.Where(databases.ContainsKey))
            {
                var connection = await databases[domain].OpenConnectionAsync(cancellationToken);
                seedLock.connections.Add(connection);
                if (!await LockAsync(connection, "pg_try_advisory_lock", cancellationToken))
                {
                    waiting($"Another seeder is loading {domain}; waiting for it to finish.");
                    await LockAsync(connection, "pg_advisory_lock", cancellationToken);
                }
            }

            return seedLock;
        }
        catch
        {
            await seedLock.DisposeAsync();
            throw;
        }
    }

    private static async Task<bool> LockAsync(NpgsqlConnection connection, string function, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {function}(@key)::text", connection);
        command.Parameters.AddWithValue("key", SeedLockKey);
        return await command.ExecuteScalarAsync(cancellationToken) is not "false";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in connections)
        {
            try
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
                await unlock.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException)
            {
                // A lost connection has released its locks already.
            }

            await connection.DisposeAsync();
        }
    }
}
