using DataMeesh.Seeder;
using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.Seeding;

/// <summary>
/// Both domains commit together or neither: the real seeder process interrupted by Ctrl-C (SIGINT) or killed (SIGKILL)
/// while copying, once both loads are prepared, and between the two domains' commits. Each test seeds the reference
/// sample, then runs <c>--reset --scale 2</c> and interrupts it; the pair ends as it was or, once the first domain has
/// committed, as the new load (completed by the next run if the seeder died).
/// </summary>
public sealed class PairCommitTests : DatabaseScope
{
    private static readonly string[] ResetToScale2 = ["--reset", "--scale", "2", "--as-of", "2026-11-23"];

    private static readonly Lazy<Task<Dictionary<string, string>>> Scale2 = new(async () =>
    {
        var fresh = new MigratedDatabases();
        await fresh.InitializeAsync();
        try
        {
            await SeedRunner.SeedOrThrowAsync(fresh, SeedRunner.Options(scale: 2));
            return await SeedRunner.FingerprintAsync(fresh);
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    });

    [Fact]
    public async Task Ctrl_C_while_copying_rolls_both_domains_back_and_exits_130()
    {
        var (databases, before) = await SeededPairAsync();

        using (var seeder = ProjectProcess.Start("DataMeesh.Seeder", ["--reset", "--scale", "200000"], SeederCli.Environment(databases)))
        {
            await CopyProgress.WaitUntilRowsAreStreamingAsync(databases);
            seeder.Interrupt();
            Assert.Equal(ExitCodes.Cancelled, await seeder.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            Assert.Contains("cancelled; the transaction was rolled back", seeder.Error);
        }

        Assert.Equal(0L, await PreparedAsync(databases));
        Assert.Equal(before, await SeedRunner.FingerprintAsync(databases));
    }

    [Fact]
    public async Task Kill_while_copying_leaves_both_domains_as_they_were()
    {
        var (databases, before) = await SeededPairAsync();
        var schemaBefore = await SeedRunner.SchemaAsync(databases);

        using (var seeder = ProjectProcess.Start("DataMeesh.Seeder", ["--reset", "--scale", "200000"], SeederCli.Environment(databases)))
        {
            await CopyProgress.WaitUntilRowsAreStreamingAsync(databases);
            seeder.Kill();
        }

        Assert.Equal(0L, await PreparedAsync(databases));
        Assert.Equal(before, await SeedRunner.FingerprintAsync(databases));
        // The indexes and constraints the load had dropped are back with the rollback.
        Assert.Equal(schemaBefore, await SeedRunner.SchemaAsync(databases));
    }

    [Fact]
    public async Task Ctrl_C_once_both_are_prepared_rolls_both_back_and_exits_130()
    {
        var (databases, before) = await SeededPairAsync();

        using (var seeder = StartPausedAt("prepared", databases))
        {
            await seeder.WaitForOutputAsync("paused at prepared", TimeSpan.FromMinutes(2));
            Assert.Equal(2L, await PreparedAsync(databases));
            seeder.Interrupt();
            Assert.Equal(ExitCodes.Cancelled, await seeder.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        }

        Assert.Equal(0L, await PreparedAsync(databases));
        Assert.Equal(before, await SeedRunner.FingerprintAsync(databases));
    }

    [Fact]
    public async Task Kill_once_both_are_prepared_is_rolled_back_by_the_next_run()
    {
        var (databases, before) = await SeededPairAsync();

        using (var seeder = StartPausedAt("prepared", databases))
        {
            await seeder.WaitForOutputAsync("paused at prepared", TimeSpan.FromMinutes(2));
            seeder.Kill();
        }

        // Prepared transactions outlive their session: both loads wait, undecided, holding their locks.
        Assert.Equal(2L, await PreparedAsync(databases));
        var next = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--as-of", "2026-11-23"], SeederCli.Environment(databases));

        Assert.True(next.ExitCode == 0, next.Output + next.Error);
        Assert.Contains("sales: rolled back a load that an interrupted run", next.Output);
        Assert.Contains("marketing: rolled back a load that an interrupted run", next.Output);
        Assert.Equal(0L, await PreparedAsync(databases));
        Assert.Equal(before, await SeedRunner.FingerprintAsync(databases));
    }

    [Fact]
    public async Task Ctrl_C_between_the_two_commits_commits_the_second_domain_too()
    {
        var (databases, _) = await SeededPairAsync();

        using (var seeder = StartPausedAt("first-committed", databases))
        {
            await seeder.WaitForOutputAsync("paused at first-committed", TimeSpan.FromMinutes(2));
            Assert.Equal(1L, await PreparedAsync(databases));
            seeder.Interrupt();
            Assert.Equal(ExitCodes.Success, await seeder.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            Assert.Contains("Cancelled after sales had committed: the other domains were committed too", seeder.Output);
        }

        Assert.Equal(0L, await PreparedAsync(databases));
        Assert.Equal(await Scale2.Value, await SeedRunner.FingerprintAsync(databases));
    }

    [Fact]
    public async Task Kill_between_the_two_commits_is_completed_by_the_next_run()
    {
        var (databases, _) = await SeededPairAsync();

        using (var seeder = StartPausedAt("first-committed", databases))
        {
            await seeder.WaitForOutputAsync("paused at first-committed", TimeSpan.FromMinutes(2));
            seeder.Kill();
        }

        // Sales has committed (the decision); marketing's load is prepared, and only the next run can finish it.
        Assert.Equal(40L, await databases.ScalarAsync<long>("sales", "SELECT count(*) FROM orders"));
        Assert.Equal(1L, await PreparedAsync(databases));
        var next = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--as-of", "2026-11-23"], SeederCli.Environment(databases));

        Assert.True(next.ExitCode == 0, next.Output + next.Error);
        Assert.Contains("marketing: committed the load of an interrupted run", next.Output);
        Assert.Contains("sales: already holds the sample at scale 2", next.Output);
        Assert.Equal(0L, await PreparedAsync(databases));
        Assert.Equal(await Scale2.Value, await SeedRunner.FingerprintAsync(databases));
    }

    [Fact]
    public async Task A_domain_that_fails_to_load_takes_the_other_back_with_it()
    {
        var (databases, before) = await SeededPairAsync();
        // Marketing's COPY fails on its last table, after sales has copied everything.
        await MigratedDatabases.ExecuteAsync(databases.Marketing, """
            CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
            CREATE TRIGGER refuse BEFORE INSERT ON website_traffic FOR EACH ROW EXECUTE FUNCTION refuse();
            """);

        var run = await ProjectProcess.RunAsync("DataMeesh.Seeder", ResetToScale2, SeederCli.Environment(databases));

        Assert.Equal(ExitCodes.LoadFailed, run.ExitCode);
        Assert.Contains("refused by the test", run.Error);
        Assert.Contains("sales: rolled back with the other domain", run.Error);
        Assert.Equal(0L, await PreparedAsync(databases));
        Assert.Equal(before, await SeedRunner.FingerprintAsync(databases));
    }

    [Fact]
    public async Task Servers_without_prepared_transactions_are_refused_before_anything_loads_and_one_domain_still_loads()
    {
        await using var server = await PrivatePostgres.StartNewAsync(maxPreparedTransactions: 0);
        var databases = new MigratedDatabases(server.AdminConnectionString);
        await databases.InitializeAsync();

        var both = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--as-of", "2026-11-23"], SeederCli.Environment(databases));
        Assert.Equal(ExitCodes.Usage, both.ExitCode);
        Assert.Contains("max_prepared_transactions = 0", both.Error);
        Assert.Contains("--domain", both.Error);
        Assert.Equal(0L, await databases.ScalarAsync<long>("sales", "SELECT count(*) FROM customers"));

        var one = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--domain", "sales", "--as-of", "2026-11-23"], SeederCli.Environment(databases));
        Assert.True(one.ExitCode == 0, one.Output + one.Error);
        Assert.Equal(15L, await databases.ScalarAsync<long>("sales", "SELECT count(*) FROM customers"));
    }

    private static ProjectProcess StartPausedAt(string phase, MigratedDatabases databases) =>
        ProjectProcess.Start("DataMeesh.Seeder", ResetToScale2, new Dictionary<string, string?>(SeederCli.Environment(databases))
        {
            ["Seeder__PauseAt"] = phase,
        });

    private async Task<(MigratedDatabases Databases, Dictionary<string, string> Before)> SeededPairAsync()
    {
        var databases = await NewMigratedPairAsync();
        cleanups.Add(databases);
        await SeedRunner.SeedOrThrowAsync(databases, SeedRunner.Options());
        return (databases, await SeedRunner.FingerprintAsync(databases));
    }

    /// <summary>The seeder's prepared transactions in the pair's databases (pg_prepared_xacts is server-wide).</summary>
    private static async Task<long> PreparedAsync(MigratedDatabases databases) =>
        await databases.ScalarAsync<long>("sales", $"""
            SELECT count(*) FROM pg_prepared_xacts
            WHERE starts_with(gid, 'datameesh-seed:') AND database IN ('{Name(databases.Sales)}', '{Name(databases.Marketing)}')
            """);

    private static string Name(string connectionString) => new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!;

    private readonly List<MigratedDatabases> cleanups = [];

    /// <summary>A failed test may leave a load prepared, and PostgreSQL refuses to drop a database that has one.</summary>
    public override async Task DisposeAsync()
    {
        foreach (var databases in cleanups)
        {
            foreach (var connectionString in new[] { databases.Sales, databases.Marketing })
            {
                var gids = await MigratedDatabases.QueryRowsAsync(connectionString,
                    "SELECT gid FROM pg_prepared_xacts WHERE database = current_database()");
                foreach (var gid in gids.Select(r => (string)r[0]!))
                {
                    await MigratedDatabases.ExecuteAsync(connectionString, $"ROLLBACK PREPARED '{gid}'");
                }
            }
        }

        await base.DisposeAsync();
    }
}
