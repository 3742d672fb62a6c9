using System.Globalization;
using System.Text.RegularExpressions;
using DataMeesh.Tests.Infrastructure;
using DataMeesh.Tests.Workspace;

namespace DataMeesh.Tests.Bench;

/// <summary>
/// The read-path benchmarks (issue 14) run end to end at a tiny scale with one-second runs, so they keep working as the
/// code changes: bench/api.sh once failed below 10,000 pages, and nothing noticed until a run. Their figures mean nothing
/// here (the machine is busy with the other tests); bench/README.md records real runs. Each script starts its own
/// PostgreSQL server (as the postgres user: the tests run as root in CI) on ports chosen here.
/// </summary>
public sealed class BenchScriptTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(12);
    private static readonly string[] Tools = ["wrk", "pgbench", "bc", "curl", "python3", "git", "runuser"];

    [Fact]
    public async Task The_api_benchmark_runs_every_phase_and_reports_each_target()
    {
        var run = await RunAsync("bench/api.sh", ["25"]);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("500 orders (scale 25)", run.Output);
        Assert.Contains("1. GET /orders/{id} (order + items) / pgbench running the same two statements: median ratio ", run.Output);
        Assert.Equal(2, run.Output.Split('\n').Count(line => line.TrimStart().StartsWith("CPU per request: API ", StringComparison.Ordinal)));
        // The order and the page, each also against the bare endpoint.
        Assert.Equal(2, Regex.Count(run.Output, @"floor \(bench/bare-endpoint: [^)]*\): ratio \d\.\d\d, CPU +\d+\.\d us per request"));
        Assert.Equal(2, Regex.Count(run.Output, @"the data product over the floor: [+-]\d+\.\d us of API CPU per request"));
        // What the load generators cost on the same cores, and the ratio the measured CPU allows.
        Assert.Equal(2, Regex.Count(run.Output, @"machine CPU per request: wrk \d+\.\d \+ API \d+\.\d \+ database \d+\.\d us; per pgbench transaction: pgbench \d+\.\d \+ database \d+\.\d us; these CPU costs allow a ratio of \d\.\d\d"));
        Assert.Contains("2. first rows page (limit 100) / pgbench running its statement: median ratio ", run.Output);
        Assert.Contains("3. page 5 (ids 401-500)", run.Output); // the last page: fewer than 10,000 at this scale
        Assert.Contains("4. CSV export (500 rows, median of 3)", run.Output);
        Assert.Contains("API peak resident memory (VmHWM, whole run): ", run.Output);
    }

    [Fact]
    public async Task The_side_by_side_benchmark_builds_two_commits_and_compares_them()
    {
        var run = await RunAsync("bench/api-ab.sh", ["HEAD", "HEAD", "25"]);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.DoesNotContain("serve different first pages", run.Output); // one commit twice serves the same page
        Assert.Contains("medians of 1 rounds", run.Output);
        Assert.Matches(@"orders API CPU per request A +\d+\.\d us  B +\d+\.\d us  B/A \d\.\d\d", run.Output);
        Assert.Matches(@"page   API CPU per request A +\d+\.\d us  B +\d+\.\d us  B/A \d\.\d\d", run.Output);
        Assert.DoesNotContain("datameesh-bench-ab-builds", (await ProcessResult.RunAsync("git", ["worktree", "list"],
            new Dictionary<string, string?>(), TimeSpan.FromMinutes(1), ProjectProcess.FindRepositoryRoot())).Output); // cleaned up
    }

    private static async Task<ProcessResult> RunAsync(string script, string[] arguments)
    {
        var missing = MissingPrerequisites();
        Assert.True(missing.Count == 0, $"The benchmarks need {string.Join(", ", missing)} (`bash .ci/run` installs them on Debian).");
        var pgPort = LocalPorts.Free();
        var apiPort = FreeConsecutivePorts();
        var environment = new Dictionary<string, string?>
        {
            ["BENCH_PG_PORT"] = pgPort.ToString(CultureInfo.InvariantCulture),
            ["BENCH_API_PORT"] = apiPort.ToString(CultureInfo.InvariantCulture),
            ["BENCH_DURATION"] = "1",
            ["BENCH_ROUNDS"] = "1",
            ["BENCH_WARMUP"] = "2",
        };
        var root = ProjectProcess.FindRepositoryRoot();
        return await ProcessResult.RunAsync("bash", [Path.Combine(root, script), .. arguments], environment, Timeout, root);
    }

    /// <summary>A port whose successor is free too: bench/api-ab.sh starts its second API on the next one.</summary>
    private static int FreeConsecutivePorts()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = LocalPorts.Free();
            if (port < ushort.MaxValue && LocalPorts.IsFree(port + 1))
            {
                return port;
            }
        }

        throw new InvalidOperationException("no two consecutive free ports on 127.0.0.1");
    }

    private static List<string> MissingPrerequisites()
    {
        var missing = new List<string>();
        if (Environment.UserName != "root")
        {
            missing.Add("root (the scripts run PostgreSQL as the postgres user with runuser)");
        }

        if (!File.Exists("/usr/lib/postgresql/15/bin/initdb"))
        {
            missing.Add("PostgreSQL 15's server binaries (/usr/lib/postgresql/15/bin, Debian's postgresql-15)");
        }

        missing.AddRange(Tools.Where(tool => !OnPath(tool)));
        return missing;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(directory => File.Exists(Path.Combine(directory, tool)));
}
