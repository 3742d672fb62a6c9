using System.Text.Json.Nodes;
using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// Every statement the workspace sends to Trino (notebook cells, dbt models with their Jinja rendered, Grafana panels on
/// the Trino datasource) against Trino's own grammar, and every table they name against the migrated schema and the dbt
/// project. Trino cannot run on this machine; this is where a syntax error or a PostgreSQL-only construct fails the build.
/// </summary>
public sealed partial class TrinoSqlTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static readonly Lazy<Task<IReadOnlyList<TrinoStatements.Statement>>> Statements = new(TrinoStatements.AllAsync);

    [Fact]
    public async Task The_collector_finds_the_statements_of_every_kind_and_can_read_all_of_them()
    {
        var statements = await Statements.Value;

        var unresolved = statements.Where(s => s.Kind == "unresolved").Select(s => $"{s.Origin}: {s.Sql}").ToList();
        Assert.True(unresolved.Count == 0, "SQL sent to Trino that the check cannot read statically (write it as a literal or a name bound to one):\n"
            + string.Join("\n", unresolved));
        Assert.Contains(statements, s => s.Kind == "notebook" && s.Origin.Contains("01-explore", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Kind == "notebook" && s.Origin.Contains("02-customer-journey", StringComparison.Ordinal));
        // Notebook 05 reads, creates, writes and reads back through Trino cursors as well as trino_query.
        Assert.Equal(7, statements.Count(s => s.Kind == "notebook" && s.Origin.Contains("05-churn-risk", StringComparison.Ordinal)));
        Assert.Contains(statements, s => s.Kind == "notebook" && s.Sql.Contains("INSERT INTO hive.sales.churn_predictions", StringComparison.Ordinal));
        // Every model, plus the lake schema the project's create_schema macro creates.
        Assert.Equal(DbtProject.SqlModelNames().Count() + 1, statements.Count(s => s.Kind == "dbt"));
        Assert.Contains(statements, s => s.Kind == "dbt" && s.Sql.StartsWith("create schema if not exists hive.analytics", StringComparison.Ordinal));
        Assert.Equal(TrinoPanelTargets(), statements.Count(s => s.Kind == "grafana"));
        Assert.DoesNotContain(statements, s => s.Sql.Contains("{{", StringComparison.Ordinal) || s.Sql.Contains("{%", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_statement_the_workspace_sends_to_trino_parses_with_trinos_grammar()
    {
        var statements = (await Statements.Value).Where(s => s.Kind != "unresolved").ToList();

        var results = await TrinoGrammar.ParseAsync(statements.Select(s => (s.Origin, s.Sql)).ToList());

        var invalid = statements.Zip(results).Where(pair => pair.Second.Errors.Count > 0)
            .Select(pair => $"{pair.First.Origin}:\n  {string.Join("\n  ", pair.Second.Errors)}\n{pair.First.Sql}").ToList();
        Assert.True(invalid.Count == 0, $"{invalid.Count} of {statements.Count} statements are not valid Trino SQL:\n\n" + string.Join("\n\n", invalid));
    }

    /// <summary>The check itself: it rejects what Trino rejects, so a green run means the statements were really parsed.</summary>
    [Fact]
    public async Task The_grammar_check_rejects_postgresql_only_sql_and_syntax_errors()
    {
        string[] invalid =
        [
            "SELECT total_amount::numeric FROM sales.public.orders",              // PostgreSQL's cast
            "SELECT email FROM marketing.public.leads WHERE email ILIKE '%x%'",    // PostgreSQL's ILIKE
            "SELECT order_id FROM sales.public.orders LIMIT 5 OFFSET 10",          // Trino wants OFFSET before LIMIT
            "SELECT count(* FROM sales.public.orders",
            "SELECT 1; SELECT 2",                                                  // the client sends one statement
        ];

        var results = await TrinoGrammar.ParseAsync([.. invalid.Select(sql => (sql, sql)), ("valid", "SELECT order_id FROM sales.public.orders OFFSET 10 LIMIT 5")]);

        Assert.All(results.Take(invalid.Length), result => Assert.True(result.Errors.Count > 0, $"accepted: {result.Origin}"));
        Assert.Empty(results[^1].Errors);
    }

    /// <summary>
    /// Every catalog.schema.table a statement reads exists where Trino looks for it: a table or view of the domain's public
    /// schema (whose columns TrinoTypeMappingTests shows are all visible through Trino) or a model dbt builds in the lake.
    /// </summary>
    [Fact]
    public async Task Every_table_a_trino_statement_names_is_in_the_migrated_schema_or_built_by_dbt()
    {
        var statements = (await Statements.Value).Where(s => s.Kind != "unresolved").ToList();
        var results = await TrinoGrammar.ParseAsync(statements.Select(s => (s.Origin, s.Sql)).ToList());
        var published = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var domain in new[] { ResourceNames.SalesDatabase, ResourceNames.MarketingDatabase })
        {
            published.UnionWith((await databases.RowsAsync(domain, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))
                .Select(r => $"{domain}.public.{r[0]}"));
        }

        published.UnionWith(DbtProject.SqlModelNames().Select(model => $"hive.analytics.{model}"));
        // Lake tables the workspace creates itself (notebook 05's hive.sales.churn_predictions).
        published.UnionWith(statements.Select(s => CreatedTable().Match(s.Sql)).Where(m => m.Success).Select(m => m.Groups[1].Value));

        var qualified = results.SelectMany(r => r.Tables.Select(table => (r.Origin, Table: table.Replace("\"", "", StringComparison.Ordinal))))
            .Where(t => t.Table.Count(c => c == '.') == 2).ToList();
        Assert.Contains(qualified, t => t.Table.StartsWith("sales.public.", StringComparison.Ordinal));
        Assert.Contains(qualified, t => t.Table.StartsWith("hive.analytics.", StringComparison.Ordinal));
        var unknown = qualified.Where(t => !published.Contains(t.Table)).Select(t => $"{t.Origin}: {t.Table}").Distinct().ToList();
        Assert.True(unknown.Count == 0, "Trino statements name tables that neither a domain nor dbt provides:\n" + string.Join("\n", unknown));
    }

    /// <summary>Every panel target and every query variable on the Trino datasource.</summary>
    private static int TrinoPanelTargets() =>
        PlatformFiles.Files("grafana/dashboards", "*.json").Select(PlatformFiles.Json).Sum(dashboard =>
            dashboard["panels"]!.AsArray().OfType<JsonObject>()
                .Sum(panel => panel["targets"]?.AsArray().OfType<JsonObject>().Count(t => (string?)t["datasource"]?["type"] == "trino-datasource") ?? 0)
            + (dashboard["templating"]?["list"]?.AsArray().OfType<JsonObject>()
                .Count(v => (string?)v["type"] == "query" && (string?)v["datasource"]?["type"] == "trino-datasource") ?? 0));

    [System.Text.RegularExpressions.GeneratedRegex(@"(?i)^\s*create\s+table\s+(?:if\s+not\s+exists\s+)?([\w.]+)")]
    private static partial System.Text.RegularExpressions.Regex CreatedTable();
}
