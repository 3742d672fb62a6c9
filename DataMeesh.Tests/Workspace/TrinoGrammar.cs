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

    /// <summary>The package, installed from CheckerDirectory's lock file by .ci/run (DATAMEESH_TRINO_PARSER, else ~/.cache/datameesh/trino-sql-parser).</summary>
    public static readonly Infrastructure.NpmCheckers Installation = new("the Trino grammar check", CheckerDirectory, "DATAMEESH_TRINO_PARSER",
        "trino-sql-parser", new Dictionary<string, string> { [Package] = Version });

    public sealed record Result(string Origin, IReadOnlyList<string> Errors, IReadOnlyList<string> Tables);

    /// <summary>Parses each statement; one result per statement, in order.</summary>
    public static async Task<IReadOnlyList<Result>> ParseAsync(IReadOnlyList<(string Origin, string Sql)> statements)
    {
        var node = await Installation.RequireAsync();

        var input = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(input, JsonSerializer.Serialize(statements.Select(s => new { origin = s.Origin, sql = s.Sql })));
            var run = await ProcessResult.RunAsync(node, [Path.Combine(CheckerDirectory, "validate-trino-sql.mjs"), Installation.InstallDirectory, input],
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
}
