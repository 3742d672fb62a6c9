using System.Text.Json.Nodes;
using DataMeesh.Tests.Infrastructure;
using DataMeesh.Tests.Workspace;

namespace DataMeesh.Tests.Api;

/// <summary>
/// Spectral (<c>spectral:oas</c>) and Redocly (<c>recommended</c>) from npm, with the configuration committed beside the
/// package.json in DataMeesh.Tests/Api/OpenApiLint. <c>.ci/run</c> installs them, pinned by that folder's
/// package-lock.json, outside the checkout; a missing piece fails the test naming the command that installs it.
/// </summary>
internal static class OpenApiLinters
{
    public static readonly IReadOnlyDictionary<string, string> Versions = new Dictionary<string, string>
    {
        ["@stoplight/spectral-cli"] = "6.16.3",
        ["@redocly/cli"] = "2.77.0",
    };

    /// <summary>The configuration (.spectral.yaml, redocly.yaml, .redocly.lint-ignore.yaml) and the lock file, in the checkout.</summary>
    public static readonly string ConfigDirectory = Path.Combine(ProjectProcess.FindRepositoryRoot(), "DataMeesh.Tests", "Api", "OpenApiLint");

    /// <summary>The linters, installed from ConfigDirectory's lock file by .ci/run (DATAMEESH_OPENAPI_LINT, else ~/.cache/datameesh/openapi-lint).</summary>
    public static readonly NpmCheckers Installation = new("the OpenAPI lint", ConfigDirectory, "DATAMEESH_OPENAPI_LINT", "openapi-lint", Versions);

    /// <summary>
    /// Lints the documents (file name, e.g. <c>sales.json</c>, to content) with both tools; returns every finding of
    /// either, as "tool file rule message at path" lines (none when both are clean).
    /// </summary>
    public static async Task<IReadOnlyList<string>> LintAsync(IReadOnlyDictionary<string, string> documents)
    {
        var node = await Installation.RequireAsync();

        // The documents beside the configuration: Redocly's ignore file names them relative to itself.
        var work = Directory.CreateTempSubdirectory("datameesh-openapi-lint-");
        try
        {
            foreach (var file in new[] { ".spectral.yaml", "redocly.yaml", ".redocly.lint-ignore.yaml" })
            {
                File.Copy(Path.Combine(ConfigDirectory, file), Path.Combine(work.FullName, file));
            }

            var findings = new List<string>();
            var environment = new Dictionary<string, string?> { ["NO_COLOR"] = "1", ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" };
            foreach (var (name, content) in documents)
            {
                await File.WriteAllTextAsync(Path.Combine(work.FullName, name), content);

                var spectralOutput = Path.Combine(work.FullName, name + ".spectral.json");
                var spectral = await ProcessResult.RunAsync(node,
                    [Bin("@stoplight/spectral-cli", "dist", "index.js"), "lint", name, "--ruleset", ".spectral.yaml", "--format", "json", "--output", spectralOutput, "--fail-severity", "hint"],
                    environment, TimeSpan.FromMinutes(3), work.FullName);
                Assert.True(File.Exists(spectralOutput), $"Spectral did not run: {spectral.Describe()}");
                foreach (var result in JsonNode.Parse(await File.ReadAllTextAsync(spectralOutput))!.AsArray())
                {
                    findings.Add($"spectral {name} {Severity((int?)result!["severity"])} {result["code"]}: {result["message"]} at {string.Join('.', result["path"]!.AsArray())}");
                }

                var redocly = await ProcessResult.RunAsync(node,
                    [Bin("@redocly/cli", "bin", "cli.js"), "lint", name, "--config", "redocly.yaml", "--format", "json"],
                    environment, TimeSpan.FromMinutes(3), work.FullName);
                var report = redocly.Output.IndexOf('{') is var start and >= 0 ? JsonNode.Parse(redocly.Output[start..]) : null;
                Assert.True(report?["problems"] is JsonArray, $"Redocly did not run: {redocly.Describe()}");
                foreach (var problem in report!["problems"]!.AsArray())
                {
                    var where = problem!["location"]?.AsArray().FirstOrDefault()?["pointer"];
                    findings.Add($"redocly {name} {problem["severity"]} {problem["ruleId"]}: {problem["message"]} at {where}");
                }
            }

            return findings;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string Bin(string package, params string[] path) => Path.Combine([Installation.InstallDirectory, "node_modules", package, .. path]);

    private static string Severity(int? spectral) => spectral switch { 0 => "error", 1 => "warning", 2 => "info", _ => "hint" };
}
