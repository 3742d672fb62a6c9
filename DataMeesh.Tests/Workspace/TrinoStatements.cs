using System.Text.Json.Nodes;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// Every statement the workspace sends to Trino, as TrinoSql/collect_trino_sql.py finds them: notebook cells, dbt models
/// rendered with their Jinja, Grafana panels and variables on the Trino datasource, the PDF report's queries. Collected once.
/// </summary>
internal static class TrinoStatements
{
    public sealed record Statement(string Origin, string Kind, string Sql);

    private static readonly string Collector = Path.Combine(TrinoGrammar.CheckerDirectory, "collect_trino_sql.py");

    private static readonly Lazy<Task<IReadOnlyList<Statement>>> All = new(CollectAsync);

    public static Task<IReadOnlyList<Statement>> AllAsync() => All.Value;

    /// <summary>Each dbt model's SQL as dbt sends it to Trino (refs and sources rendered), by model name.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> DbtModelsAsync() =>
        (await AllAsync()).Where(s => s.Kind == "dbt" && s.Origin.EndsWith(".sql", StringComparison.Ordinal))
            .ToDictionary(s => Path.GetFileNameWithoutExtension(s.Origin), s => s.Sql);

    private static async Task<IReadOnlyList<Statement>> CollectAsync()
    {
        await DebianPython.RequireAsync();
        var run = await ProcessResult.RunAsync(DebianPython.Python, [Collector, PlatformFiles.Root],
            new Dictionary<string, string?> { ["PYTHONDONTWRITEBYTECODE"] = "1" }, TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, $"collect_trino_sql.py failed: {run.Describe()}");
        return JsonNode.Parse(run.Output)!.AsArray()
            .Select(s => new Statement((string)s!["origin"]!, (string)s["kind"]!, (string)s["sql"]!)).ToList();
    }
}
