extern alias SalesApi;
extern alias MarketingApi;

using System.Reflection;
using DataMeesh.DataProducts.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DataMeesh.Tests.Infrastructure;

/// <summary>
/// A fresh sales and marketing database pair, migrated by the APIs' own migrations; dropped afterwards. On the shared test
/// server unless a server's superuser connection string is given.
/// </summary>
public sealed class MigratedDatabases : IAsyncLifetime
{
    private readonly string? adminConnectionString;

    public MigratedDatabases()
    {
    }

    /// <summary>On the server of <paramref name="adminConnectionString"/> (a superuser connection) instead of the shared one.</summary>
    internal MigratedDatabases(string? adminConnectionString) => this.adminConnectionString = adminConnectionString;

    /// <summary>The mesh's pseudonym key in tests (DataProducts:PiiKey): stored right after migrating, as the APIs do at start-up.</summary>
    public const string PiiKey = "pii-key-for-tests-0123456789";

    public static Assembly SalesMigrations => typeof(SalesApi::Program).Assembly;
    public static Assembly MarketingMigrations => typeof(MarketingApi::Program).Assembly;

    public string Sales { get; private set; } = "";
    public string Marketing { get; private set; } = "";

    public string ConnectionString(string domain) => domain == ResourceNames.SalesDatabase ? Sales : Marketing;

    public async Task InitializeAsync()
    {
        var admin = adminConnectionString ?? await PostgresServer.GetAdminConnectionStringAsync();
        Sales = PostgresServer.NewDatabaseConnectionString(admin, "sales");
        Marketing = PostgresServer.NewDatabaseConnectionString(admin, "marketing");
        await Task.WhenAll(MigrateAsync(Sales, SalesMigrations), MigrateAsync(Marketing, MarketingMigrations));
        await Task.WhenAll(ApplyPiiKeyAsync(Sales, PiiKey), ApplyPiiKeyAsync(Marketing, PiiKey));
    }

    public static async Task<long> ApplyPiiKeyAsync(string connectionString, string key)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await PiiKeys.ApplyAsync(connection, key, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        var admin = adminConnectionString ?? await PostgresServer.GetAdminConnectionStringAsync();
        await PostgresServer.DropDatabaseAsync(admin, Sales);
        await PostgresServer.DropDatabaseAsync(admin, Marketing);
    }

    public static async Task<MigrationResult> MigrateAsync(string connectionString, Assembly migrations)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var migrator = new SchemaMigrator(dataSource, new DomainDatabase(DomainOf(migrations), connectionString, MigrationScript.LoadFrom(migrations)),
            NullLogger<SchemaMigrator>.Instance);
        return await migrator.MigrateAsync(CancellationToken.None);
    }

    public static string DomainOf(Assembly migrations) =>
        migrations == SalesMigrations ? ResourceNames.SalesDatabase : ResourceNames.MarketingDatabase;

    public Task<T> ScalarAsync<T>(string domain, string sql) => QueryScalarAsync<T>(ConnectionString(domain), sql);

    public Task<List<object?[]>> RowsAsync(string domain, string sql) => QueryRowsAsync(ConnectionString(domain), sql);

    public static async Task<T> QueryScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)value;
    }

    public static async Task<List<object?[]>> QueryRowsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        return await ReadRowsAsync(reader);
    }

    /// <summary>Every remaining row of <paramref name="reader"/>, SQL NULL as null.</summary>
    public static async Task<List<object?[]>> ReadRowsAsync(NpgsqlDataReader reader)
    {
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
