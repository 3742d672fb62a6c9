using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.Seeding;

/// <summary>The seeder as operators run it: a process, configured through environment variables.</summary>
public sealed class SeederCli(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    public static Dictionary<string, string?> Environment(MigratedDatabases databases) => new()
    {
        ["ConnectionStrings__sales"] = databases.Sales,
        ["ConnectionStrings__marketing"] = databases.Marketing,
    };

    [Theory]
    [InlineData("--scale", "0")]
    [InlineData("--scale", "-3")]
    [InlineData("--scale", "many")]
    [InlineData("--scale", "99999999999")]
    [InlineData("--seed", "1.5")]
    [InlineData("--as-of", "2026-13-01")]
    [InlineData("--as-of", "yesterday")]
    [InlineData("--domain", "finance")]
    [InlineData("--schema-timeout", "-1")]
    [InlineData("--frobnicate", "1")]
    public async Task Bad_arguments_exit_2_with_a_clear_message(string option, string value)
    {
        var (exitCode, output, error) = await ProjectProcess.RunAsync("DataMeesh.Seeder", [option, value], Environment(databases));

        Assert.Equal(2, exitCode);
        Assert.Contains("error:", error);
        Assert.Contains("Usage:", error);
        Assert.DoesNotContain("   at ", output + error);
        Assert.Equal(0L, await databases.ScalarAsync<long>("sales", "SELECT count(*) FROM customers"));
    }

    [Fact]
    public async Task Help_describes_every_option_and_the_exit_codes()
    {
        var (exitCode, output, _) = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--help"], Environment(databases));

        Assert.Equal(0, exitCode);
        foreach (var option in new[] { "--scale", "--seed", "--as-of", "--reset", "--schema-timeout", "--domain", "Exit codes" })
        {
            Assert.Contains(option, output);
        }
    }

    [Fact]
    public async Task Missing_connection_strings_exit_2_and_name_the_setting()
    {
        var (exitCode, _, error) = await ProjectProcess.RunAsync("DataMeesh.Seeder", [], new Dictionary<string, string?>());

        Assert.Equal(2, exitCode);
        Assert.Contains("ConnectionStrings__sales", error);
        Assert.Contains("ConnectionStrings__marketing", error);
    }

    [Fact]
    public async Task An_unmigrated_database_exits_3_and_says_how_to_migrate()
    {
        var notMigrated = new Dictionary<string, string?>
        {
            ["ConnectionStrings__sales"] = await PostgresServer.NewDatabaseConnectionStringAsync("nomigrate"),
            ["ConnectionStrings__marketing"] = databases.Marketing,
        };

        var (exitCode, output, error) = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--schema-timeout", "1"], notMigrated);

        Assert.Equal(3, exitCode);
        Assert.Contains("dotnet DataMeesh.SalesApi.dll migrate", error);
        Assert.DoesNotContain("   at ", output + error);
        // Nothing is loaded anywhere when one domain is not ready: the run stops before its first COPY.
        Assert.Equal(0L, await databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM leads"));
    }
}
