using DataMeesh.DataProducts.Database;
using DataMeesh.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DataMeesh.Tests.Database;

public sealed class MigrationTests : DatabaseScope
{
    [Fact]
    public async Task Migrate_creates_the_missing_database_and_records_every_version()
    {
        var connectionString = await NewDatabaseAsync("migrations");

        var result = await MigratedDatabases.MigrateAsync(connectionString, MigratedDatabases.SalesMigrations);

        var expected = MigrationScript.LoadFrom(MigratedDatabases.SalesMigrations).Select(m => m.Version).ToList();
        Assert.Equal(expected, result.Applied);
        var recorded = await MigratedDatabases.QueryRowsAsync(connectionString,
            "SELECT version, checksum FROM datameesh.schema_migrations ORDER BY version");
        Assert.Equal(expected, recorded.Select(r => (int)r[0]!).ToList());
        Assert.All(recorded, r => Assert.Matches("^[0-9a-f]{64}$", (string)r[1]!));
    }

    [Fact]
    public async Task Migrating_again_applies_nothing_and_keeps_data()
    {
        var connectionString = await NewDatabaseAsync("migrations");
        await MigratedDatabases.MigrateAsync(connectionString, MigratedDatabases.MarketingMigrations);
        await MigratedDatabases.ExecuteAsync(connectionString,
            "INSERT INTO campaigns (campaign_name, campaign_type, channel, start_date, budget, status) VALUES ('Keep me', 'PPC', 'Email', '2026-01-01', 10, 'Active')");

        var second = await MigratedDatabases.MigrateAsync(connectionString, MigratedDatabases.MarketingMigrations);

        Assert.Empty(second.Applied);
        Assert.Equal(1L, await MigratedDatabases.QueryScalarAsync<long>(connectionString, "SELECT count(*) FROM campaigns"));
    }

    [Fact]
    public async Task Replicas_migrating_at_once_apply_each_version_exactly_once()
    {
        var connectionString = await NewDatabaseAsync("migrations");

        // Eight replicas start together on a server where the database does not even exist yet.
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => MigratedDatabases.MigrateAsync(connectionString, MigratedDatabases.SalesMigrations))));

        var versions = MigrationScript.LoadFrom(MigratedDatabases.SalesMigrations).Select(m => m.Version).ToList();
        Assert.Equal(versions, results.SelectMany(r => r.Applied).Order().ToList());
        Assert.Equal((long)versions.Count,
            await MigratedDatabases.QueryScalarAsync<long>(connectionString, "SELECT count(*) FROM datameesh.schema_migrations"));
    }

    [Fact]
    public async Task An_applied_migration_that_was_edited_is_refused()
    {
        var connectionString = await NewDatabaseAsync("migrations");
        await MigrateWithAsync(connectionString, new MigrationScript(1, "first", "CREATE TABLE first_table (id int);"));

        var error = await Assert.ThrowsAsync<MigrationException>(() =>
            MigrateWithAsync(connectionString, new MigrationScript(1, "first", "CREATE TABLE first_table (id bigint);")));

        Assert.Contains("changed after it was applied", error.Message);
    }

    [Fact]
    public async Task A_failing_migration_is_rolled_back_entirely()
    {
        var connectionString = await NewDatabaseAsync("migrations");

        var error = await Assert.ThrowsAsync<MigrationException>(() => MigrateWithAsync(connectionString,
            new MigrationScript(1, "broken", "CREATE TABLE half_done (id int); SELECT * FROM no_such_table;")));

        Assert.Contains("no_such_table", error.Message);
        Assert.Equal(0L, await MigratedDatabases.QueryScalarAsync<long>(connectionString, "SELECT count(*) FROM datameesh.schema_migrations"));
        Assert.Null(await MigratedDatabases.QueryScalarAsync<object?>(connectionString, "SELECT to_regclass('public.half_done')::text"));
    }

    [Fact]
    public async Task A_database_newer_than_the_service_is_refused()
    {
        var connectionString = await NewDatabaseAsync("migrations");
        await MigrateWithAsync(connectionString, new MigrationScript(1, "one", "SELECT 1;"), new MigrationScript(2, "two", "SELECT 2;"));

        var error = await Assert.ThrowsAsync<MigrationException>(() =>
            MigrateWithAsync(connectionString, new MigrationScript(1, "one", "SELECT 1;")));

        Assert.Contains("newer than this service", error.Message);
    }

    [Theory]
    [InlineData("DataMeesh.SalesApi", "sales", "customers")]
    [InlineData("DataMeesh.MarketingApi", "marketing", "leads")]
    public async Task The_migrate_command_migrates_and_exits_zero_every_time(string project, string connectionName, string table)
    {
        var connectionString = await NewDatabaseAsync("migrations");
        var environment = new Dictionary<string, string?> { [$"ConnectionStrings__{connectionName}"] = connectionString };

        var first = await ProjectProcess.RunAsync(project, ["migrate"], environment);
        var second = await ProjectProcess.RunAsync(project, ["migrate"], environment);

        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.True(second.ExitCode == 0, second.Output + second.Error);
        Assert.Contains("applied nothing", second.Output);
        Assert.NotNull(await MigratedDatabases.QueryScalarAsync<object?>(connectionString, $"SELECT to_regclass('public.{table}')::text"));
    }

    [Fact]
    public async Task The_migrate_command_exits_one_with_a_message_when_the_server_is_unreachable()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__sales"] = "Host=127.0.0.1;Port=1;Database=sales;Username=postgres;Timeout=3",
        };

        var (exitCode, output, error) = await ProjectProcess.RunAsync("DataMeesh.SalesApi", ["migrate"], environment);

        Assert.Equal(1, exitCode);
        Assert.Contains("Migration failed", output + error);
        Assert.DoesNotContain("   at ", output + error); // a message, not a stack trace
    }

    [Fact]
    public async Task The_migrate_command_without_a_connection_string_says_how_to_set_it()
    {
        var (exitCode, output, error) = await ProjectProcess.RunAsync("DataMeesh.SalesApi", ["migrate"], new Dictionary<string, string?>());

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ConnectionStrings__sales", output + error);
    }

    private static async Task MigrateWithAsync(string connectionString, params MigrationScript[] scripts)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new SchemaMigrator(dataSource, new DomainDatabase("test", connectionString, scripts), NullLogger<SchemaMigrator>.Instance)
            .MigrateAsync(CancellationToken.None);
    }
}
