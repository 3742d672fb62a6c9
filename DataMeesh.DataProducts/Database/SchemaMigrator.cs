using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataMeesh.DataProducts.Database;

/// <summary>
/// Applies a domain's versioned SQL migrations. Safe when several replicas start at once: every replica takes the same
/// advisory lock, the first applies what is missing, the others then find nothing to do. Applied versions are recorded
/// with a checksum in <c>datameesh.schema_migrations</c> and never applied twice; a changed script is refused.
/// </summary>
public sealed class SchemaMigrator(
    [FromKeyedServices(DomainDatabase.SchemaOwner)] NpgsqlDataSource dataSource, DomainDatabase database, ILogger<SchemaMigrator> logger)
{
    private readonly IReadOnlyList<MigrationScript> migrations = database.Migrations;

    /// <summary>Schema for the platform's own bookkeeping, kept out of <c>public</c> so consumers never see it.</summary>
    public const string PlatformSchema = "datameesh";

    // An arbitrary constant shared by every DataMeesh service: advisory locks are scoped to the current database, so
    // the sales and marketing databases never contend for it.
    internal const long MigrationLockKey = 0x4441_5441_4d45_5348; // "DATAMESH"

    public async Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await DatabaseBootstrapper.EnsureDatabaseExistsAsync(database.ConnectionString, logger, cancellationToken);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_lock(@key)", cancellationToken, ("key", MigrationLockKey));
        try
        {
            await ExecuteAsync(connection, $"""
                CREATE SCHEMA IF NOT EXISTS {PlatformSchema};
                CREATE TABLE IF NOT EXISTS {PlatformSchema}.schema_migrations (
                    version      integer     PRIMARY KEY,
                    name         text        NOT NULL,
                    checksum     text        NOT NULL,
                    applied_at   timestamptz NOT NULL DEFAULT now(),
                    applied_by   text        NOT NULL DEFAULT current_user,
                    execution_ms integer     NOT NULL
                );
                """, cancellationToken);

            var applied = await ReadAppliedAsync(connection, cancellationToken);
            VerifyUnchanged(applied);

            var pending = migrations.Where(m => !applied.ContainsKey(m.Version)).ToList();
            foreach (var migration in pending)
            {
                await ApplyAsync(connection, migration, cancellationToken);
            }

            var result = new MigrationResult(pending.Select(m => m.Version).ToList(), migrations[^1].Version, stopwatch.Elapsed);
            if (pending.Count > 0)
            {
                logger.LogInformation("Database {Database} migrated to version {Version} ({Count} applied in {Elapsed} ms)",
                    connection.Database, result.CurrentVersion, pending.Count, (int)stopwatch.Elapsed.TotalMilliseconds);
            }
            else
            {
                logger.LogInformation("Database {Database} is up to date at version {Version}", connection.Database, result.CurrentVersion);
            }

            return result;
        }
        finally
        {
            // Unlock explicitly: the connection goes back to the pool, where a held session lock would outlive us.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("key", MigrationLockKey));
            }
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, MigrationScript migration, CancellationToken cancellationToken)
    {
        logger.LogInformation("Applying migration {Version} {Name}", migration.Version, migration.Name);
        var stopwatch = Stopwatch.StartNew();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            // Platform scripts name their roles after the domain (sales_reader, sales_api, ...).
            await using (var domain = new NpgsqlCommand("SELECT set_config('datameesh.domain', @domain, true)", connection, transaction))
            {
                domain.Parameters.AddWithValue("domain", database.ConnectionName);
                await domain.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var script = new NpgsqlCommand(migration.Sql, connection, transaction))
            {
                await script.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = new NpgsqlCommand($"""
                INSERT INTO {PlatformSchema}.schema_migrations (version, name, checksum, execution_ms)
                VALUES (@version, @name, @checksum, @executionMs)
                """, connection, transaction))
            {
                record.Parameters.AddWithValue("version", migration.Version);
                record.Parameters.AddWithValue("name", migration.Name);
                record.Parameters.AddWithValue("checksum", migration.Checksum);
                record.Parameters.AddWithValue("executionMs", (int)stopwatch.ElapsedMilliseconds);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException e)
        {
            throw new MigrationException(
                $"Migration {migration.Version:D4}_{migration.Name} failed and was rolled back: {e.MessageText} (SQLSTATE {e.SqlState}).", e);
        }
    }

    private void VerifyUnchanged(IReadOnlyDictionary<int, string> applied)
    {
        foreach (var migration in migrations)
        {
            if (applied.TryGetValue(migration.Version, out var checksum) && checksum != migration.Checksum)
            {
                throw new MigrationException(
                    $"Migration {migration.Version:D4}_{migration.Name} was changed after it was applied. " +
                    "Applied migrations are immutable: revert the edit and add a new migration instead.");
            }
        }

        var unknown = applied.Keys.Where(v => migrations.All(m => m.Version != v)).ToList();
        if (unknown.Count > 0)
        {
            throw new MigrationException(
                $"The database has migration(s) {string.Join(", ", unknown)} that this build does not know: it is newer than this service. " +
                "Deploy the newer service instead of rolling back.");
        }
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, string>();
        await using var command = new NpgsqlCommand($"SELECT version, checksum FROM {PlatformSchema}.schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <param name="Applied">Versions applied by this call (empty when the database was already up to date).</param>
/// <param name="CurrentVersion">The schema version the database is at now.</param>
public sealed record MigrationResult(IReadOnlyList<int> Applied, int CurrentVersion, TimeSpan Elapsed);

/// <summary>A migration problem that retrying cannot fix (a failing script, an edited or unknown migration).</summary>
public sealed class MigrationException(string message, Exception? innerException = null) : Exception(message, innerException);
