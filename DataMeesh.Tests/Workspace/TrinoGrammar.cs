using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// Trino's grammar, from outside the project: npm's dt-sql-parser (its TrinoSQL grammar derives from Trino's SqlBase.g4),
/// run by Node with the checker in DataMeesh.Tests/Workspace/TrinoSql. <c>.ci/run</c> installs the package, pinned by that
/// folder's package-lock.json, outside the checkout; a missing piece fails the test naming the command that installs it.
/// </summary>
internal static class TrinoGrammar
{
    public const string Package = "dt-sql-parser";
    public const string Version = "4.5.1";

    /// <summary>Where the checker, its package.json and its lock file are (in the checkout).</summary>
    public static readonly string CheckerDirectory = Path.Combine(Infrastructure.ProjectProcess.FindRepositoryRoot(), "DataMeesh.Tests", "Workspace", "TrinoSql");

    /// <summary>Where the package is installed: DATAMEESH_TRINO_PARSER, else ~/.cache/datameesh/trino-sql-parser.</summary>
    public static string InstallDirectory =>
        Environment.GetEnvironmentVariable("DATAMEESH_TRINO_PARSER") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "datameesh", "trino-sql-parser");

    private static string InstallCommand =>
        $"mkdir -p {InstallDirectory} && cp {CheckerDirectory}/package.json {CheckerDirectory}/package-lock.json {InstallDirectory}/ " +
        $"&& npm ci --prefix {InstallDirectory} (what .ci/run does; Node 20 or later and the npm registry needed)";

    public sealed record Result(string Origin, IReadOnlyList<string> Errors, IReadOnlyList<string> Tables);

    /// <summary>Parses each statement; one result per statement, in order.</summary>
    public static async Task<IReadOnlyList<Result>> ParseAsync(IReadOnlyList<(string Origin, string Sql)> statements)
    {
        var node = FindNode() ?? throw new Xunit.Sdk.XunitException(
            $"node is not on PATH: the Trino grammar check runs {Package} {Version} on Node 20 or later (apt-get install -y nodejs npm).");
        var installed = Path.Combine(InstallDirectory, "node_modules", Package, "package.json");
        if (!File.Exists(installed))
        {
            Assert.Fail($"{Package} {Version} is not installed in {InstallDirectory}. Install it: {InstallCommand}");
        }

        var version = (string?)JsonNode.Parse(await File.ReadAllTextAsync(installed))?["version"];
        Assert.True(version == Version, $"{InstallDirectory} has {Package} {version}, the check is pinned to {Version}. Reinstall: {InstallCommand}");

        var input = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(input, JsonSerializer.Serialize(statements.Select(s => new { origin = s.Origin, sql = s.Sql })));
            var run = await ProcessResult.RunAsync(node, [Path.Combine(CheckerDirectory, "validate-trino-sql.mjs"), InstallDirectory, input],
                new Dictionary<string, string?>(), TimeSpan.FromMinutes(3));
            Assert.True(run.ExitCode == 0, $"The Trino grammar check did not run: {run.Describe()}");

            var output = JsonNode.Parse(run.Output)!;
            Assert.Equal($"{Package}@{Version}", (string?)output["parser"]);
            var results = output["results"]!.AsArray().Select(r => new Result((string)r!["origin"]!,
                r["errors"]!.AsArray().Select(e => (string)e!).ToList(), r["tables"]!.AsArray().Select(t => (string)t!).ToList())).ToList();
            Assert.Equal(statements.Count, results.Count);
            return results;
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static string? FindNode() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "node"))
            .FirstOrDefault(File.Exists);
}
