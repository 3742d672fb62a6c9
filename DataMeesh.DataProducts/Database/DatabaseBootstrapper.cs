using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataMeesh.DataProducts.Database;

/// <summary>
/// Creates the domain's database when it does not exist yet. Aspire's <c>AddDatabase</c> creates it only in run mode;
/// on Kubernetes nothing does, so the service that owns the database creates it.
/// </summary>
public static class DatabaseBootstrapper
{
    private const string InvalidCatalogName = "3D000";
    private const string DuplicateDatabase = "42P04";
    private const string UniqueViolation = "23505";

    /// <returns><c>true</c> when this call created the database.</returns>
    public static async Task<bool> EnsureDatabaseExistsAsync(string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(target.Database))
        {
            throw new InvalidOperationException("The connection string names no database (Database=...).");
        }

        try
        {
            await using var probe = new NpgsqlConnection(target.ConnectionString);
            await probe.OpenAsync(cancellationToken);
            return false;
        }
        catch (PostgresException e) when (e.SqlState == InvalidCatalogName)
        {
            logger.LogInformation("Database {Database} does not exist yet; creating it", target.Database);
        }

        // Connect to the server's maintenance database with the same credentials and no pooling: this connection is a
        // one-off, and pooling it would keep a session open on "postgres" for the life of the process.
        var maintenance = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);

        // CREATE DATABASE takes no parameters; the name is quoted as an identifier, never spliced as SQL text.
        await using var create = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(target.Database)}", connection);
        try
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
            logger.LogInformation("Created database {Database}", target.Database);
            return true;
        }
        catch (PostgresException e) when (e.SqlState is DuplicateDatabase or UniqueViolation)
        {
            // Another replica created it between our probe and our CREATE: that is the outcome we wanted.
            return false;
        }
    }

    internal static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
