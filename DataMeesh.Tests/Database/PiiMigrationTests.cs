using DataMeesh.DataProducts.Database;
using DataMeesh.Tests.DataProducts;
using DataMeesh.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DataMeesh.Tests.Database;

/// <summary>Migration 0006 (the PII policy) on a database that already holds data: the upgrade every running mesh makes.</summary>
public sealed class PiiMigrationTests : DatabaseScope
{
    [Fact]
    public async Task Upgrading_a_database_with_data_closes_the_readers_personal_columns_and_the_key_hashes_the_existing_rows()
    {
        var connectionString = await NewDatabaseAsync("pii-upgrade");
        var scripts = MigrationScript.LoadFrom(MigratedDatabases.SalesMigrations);
        await MigrateAsync(connectionString, [.. scripts.Where(s => s.Version < 6)]);
        await MigratedDatabases.ExecuteAsync(connectionString, """
            INSERT INTO customers (customer_name, email, phone, country, industry, company_size)
            VALUES ('Before Ltd', 'before.upgrade@example.com', '+1 555 0100', 'Norway', 'Retail', 'Small')
            """);
        // Before the policy the reader read every column.
        Assert.Equal("before.upgrade@example.com", await AsReaderAsync(connectionString, "SELECT email FROM customers"));

        await MigrateAsync(connectionString, scripts);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => AsReaderAsync(connectionString, "SELECT email FROM customers"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.Null(await MigratedDatabases.QueryScalarAsync<string?>(connectionString, "SELECT email_hash FROM customers"));

        Assert.Equal(1, await MigratedDatabases.ApplyPiiKeyAsync(connectionString, MigratedDatabases.PiiKey));
        Assert.Equal(PiiPolicyTests.Hmac(MigratedDatabases.PiiKey, "before.upgrade@example.com"), await AsReaderAsync(connectionString, "SELECT email_hash FROM customers"));
    }

    private static async Task MigrateAsync(string connectionString, IReadOnlyList<MigrationScript> scripts)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new SchemaMigrator(dataSource, new DomainDatabase("sales", connectionString, scripts), NullLogger<SchemaMigrator>.Instance)
            .MigrateAsync(CancellationToken.None);
    }

    private static async Task<string?> AsReaderAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SET ROLE sales_reader; {sql}", connection);
        return (string?)await command.ExecuteScalarAsync();
    }
}
