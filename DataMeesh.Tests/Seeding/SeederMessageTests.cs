using System.Diagnostics;
using System.Text.RegularExpressions;
using DataMeesh.Seeder;
using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.Seeding;

/// <summary>What the seeder process prints and returns, as an operator sees it.</summary>
public sealed partial class SeederMessageTests : DatabaseScope
{
    private const string AsOf = "2026-11-23";

    [Fact]
    public async Task A_refused_login_fails_at_once_with_its_own_message_and_exit_code_4()
    {
        var databases = await NewMigratedPairAsync();
        var environment = SeederCli.Environment(databases);
        environment["ConnectionStrings__sales"] = new Npgsql.NpgsqlConnectionStringBuilder(databases.Sales) { Username = "no_such_login" }.ConnectionString;

        // Ten minutes of --schema-timeout: only failing fast lets it exit within the test's two.
        var run = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--schema-timeout", "600"], environment, TimeSpan.FromMinutes(2));

        Assert.Equal(ExitCodes.LoginRefused, run.ExitCode);
        Assert.Contains("Cannot log in to the sales database", run.Error);
        Assert.Contains("no_such_login", run.Error);
        Assert.Contains("ConnectionStrings__sales", run.Error);
        Assert.DoesNotContain("schema is not ready", run.Error);
        Assert.DoesNotContain("   at ", run.Output + run.Error);
        Assert.Equal(0L, await databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM leads"));
    }

    [Fact]
    public async Task Domain_and_total_lines_share_one_format()
    {
        var databases = await NewMigratedPairAsync();

        var run = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--as-of", AsOf], SeederCli.Environment(databases));

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        var lines = run.Output.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Matches(Timed("sales: loaded 79"), Assert.Single(lines, l => l.StartsWith("sales:", StringComparison.Ordinal)));
        Assert.Matches(Timed("marketing: loaded 1,587"), Assert.Single(lines, l => l.StartsWith("marketing:", StringComparison.Ordinal)));
        Assert.Matches(Timed("total: loaded 1,666"), Assert.Single(lines, l => l.StartsWith("total:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_run_that_finds_the_data_says_which_scale_is_there_when_another_was_asked_for()
    {
        var databases = await NewMigratedPairAsync();
        await SeedRunner.SeedOrThrowAsync(databases, SeedRunner.Options(scale: 2));

        var same = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--scale", "2", "--as-of", AsOf], SeederCli.Environment(databases));
        var other = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--scale", "3", "--as-of", AsOf], SeederCli.Environment(databases));

        Assert.Equal(0, same.ExitCode);
        Assert.Contains("sales: already holds the sample at scale 2 (customers: 30, products: 10, orders: 40, order_items: 68); nothing changed. Use --reset", same.Output);
        Assert.DoesNotContain("was not loaded", same.Output);
        Assert.Equal(0, other.ExitCode);
        Assert.Contains("sales: already holds the sample at scale 2", other.Output);
        Assert.Contains("marketing: already holds the sample at scale 2", other.Output);
        Assert.Contains("--scale 3 was not loaded. Use --reset to replace it.", other.Output);
        Assert.DoesNotContain("total:", other.Output);
    }

    [Fact]
    public async Task Reset_says_that_it_replaces_the_data_and_with_what()
    {
        var databases = await NewMigratedPairAsync();
        await SeedRunner.SeedOrThrowAsync(databases, SeedRunner.Options());

        var run = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--reset", "--scale", "2", "--as-of", AsOf], SeederCli.Environment(databases));

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("sales: --reset: replacing its 79 rows (scale 1) with the sample at scale 2", run.Output);
        Assert.Contains("marketing: --reset: replacing its 1,587 rows (scale 1) with the sample at scale 2", run.Output);
        Assert.Matches(Timed("sales: replaced 79 rows with 148"), run.Output);
        Assert.Matches(Timed("total: loaded 3,362"), run.Output);
    }

    [Fact]
    public async Task Help_shows_no_date_as_the_as_of_default_and_lists_every_exit_code()
    {
        var (exitCode, output, _) = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--help"], new Dictionary<string, string?>());

        Assert.Equal(0, exitCode);
        var asOfHelp = string.Join(' ', output.Split('\n').SkipWhile(l => !l.Contains("--as-of", StringComparison.Ordinal)).Take(2));
        Assert.Contains("default: today, UTC", asOfHelp);
        Assert.DoesNotContain("[default:", asOfHelp);
        Assert.DoesNotMatch(@"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}", output);
        foreach (var code in new[] { "0 loaded", "1 load failed", "2 bad arguments", "3 schema not migrated", "4 login refused", "5 --reset refused", "130 cancelled" })
        {
            Assert.Contains(code, output.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal));
        }

        Assert.Contains("--discard-writes", output);
    }

    [Fact]
    public async Task Discard_writes_without_reset_is_a_usage_error()
    {
        var databases = await NewMigratedPairAsync();

        var run = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--discard-writes"], SeederCli.Environment(databases));

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--discard-writes only applies with --reset", run.Error);
        Assert.Equal(0L, await databases.ScalarAsync<long>("sales", "SELECT count(*) FROM customers"));
    }

    /// <summary>
    /// On a terminal (a pseudo-terminal from util-linux's <c>script</c>, which every Debian system has) a load draws a bar
    /// per table; a run that loads nothing draws none, instead of eight bars at 0 %.
    /// </summary>
    [Fact]
    public async Task On_a_terminal_only_a_run_that_loads_draws_progress_bars()
    {
        var databases = await NewMigratedPairAsync();

        var first = await InTerminalAsync(databases, $"--as-of {AsOf}");
        var second = await InTerminalAsync(databases, $"--as-of {AsOf}");

        Assert.Contains("sales.customers", first);
        Assert.Contains("100%", first);
        Assert.Contains("already holds the sample at scale 1", second);
        Assert.DoesNotContain("%", second);
        Assert.DoesNotContain("sales.customers", second);
    }

    private static async Task<string> InTerminalAsync(MigratedDatabases databases, string args)
    {
        var seeder = Path.Combine(ProjectProcess.FindRepositoryRoot(), "DataMeesh.Seeder", "bin",
            new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0", "DataMeesh.Seeder.dll");
        var startInfo = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "-qec", $"dotnet {seeder} {args}", "/dev/null" })
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["TERM"] = "xterm";
        // Spectre.Console draws no live display where it detects a CI system.
        foreach (var ci in new[] { "CI", "GITHUB_ACTIONS", "TF_BUILD" })
        {
            startInfo.Environment.Remove(ci);
        }

        foreach (var (key, value) in SeederCli.Environment(databases))
        {
            startInfo.Environment[key] = value;
        }

        using var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await output + await process.StandardError.ReadToEndAsync());
        return await output;
    }

    /// <summary>"&lt;prefix&gt; rows in 0.52 s (3,204 rows/s)".</summary>
    private static Regex Timed(string prefix) => new($@"^{Regex.Escape(prefix)} rows in \d+\.\d\d s \([\d,]+ rows/s\)$", RegexOptions.Multiline);
}
