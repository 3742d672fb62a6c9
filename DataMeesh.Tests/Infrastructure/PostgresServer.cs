using Npgsql;
using Testcontainers.PostgreSql;

namespace DataMeesh.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server every integration test uses: the one <c>DATAMEESH_TEST_POSTGRES</c> points at (CI starts one),
/// otherwise a throwaway container through Testcontainers. Tests never share a database: each creates its own.
/// </summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "DATAMEESH_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> AdminConnectionString = new(StartAsync);

    public static Task<string> GetAdminConnectionStringAsync() => AdminConnectionString.Value;

    /// <summary>A connection string for a database that does not exist yet (migrations create it).</summary>
    public static async Task<string> NewDatabaseConnectionStringAsync(string purpose) =>
        NewDatabaseConnectionString(await GetAdminConnectionStringAsync(), purpose);

    /// <summary>A connection string for a database that does not exist yet, on the server of <paramref name="adminConnectionString"/>.</summary>
    public static string NewDatabaseConnectionString(string adminConnectionString, string purpose)
    {
        var name = $"t_{purpose}_{Guid.NewGuid():N}".ToLowerInvariant();
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString)
        {
            Database = name[..Math.Min(name.Length, 48)], // PostgreSQL truncates identifiers at 63 bytes; stay well inside
        };
        return builder.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString) =>
        await DropDatabaseAsync(await GetAdminConnectionStringAsync(), connectionString);

    public static async Task DropDatabaseAsync(string adminConnectionString, string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            var builder = new NpgsqlConnectionStringBuilder(configured) { Database = "postgres" };
            return builder.ConnectionString;
        }

        try
        {
            var container = new PostgreSqlBuilder("postgres:17")
                .WithCommand("-c", $"max_prepared_transactions={PrivatePostgres.PreparedTransactions * 4}").Build();
            await container.StartAsync();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return new NpgsqlConnectionStringBuilder(container.GetConnectionString()) { Database = "postgres" }.ConnectionString;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"DataMeesh.Tests need a real PostgreSQL server. Either set {EnvironmentVariable} to a connection string of a server " +
                "the tests may create databases on, started with max_prepared_transactions > 0 (the seeder's two-phase commit; e.g. " +
                "\"Host=127.0.0.1;Port=5432;Username=postgres;Password=...\"; `bash .ci/run` starts one), or install and start Docker so Testcontainers can run postgres:17. Docker was not usable: " + e.Message, e);
        }
    }
}
