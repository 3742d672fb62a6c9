using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataMeesh.Tests.Infrastructure;
using DataMeesh.Tests.Seeding;
using Npgsql;
using YamlDotNet.RepresentationModel;

namespace DataMeesh.Tests.Workspace;

/// <summary>Grafana's provisioning and dashboards: every datasource a panel names exists, every PostgreSQL query runs and returns rows.</summary>
public sealed partial class GrafanaTests(SeededDomains seeded) : IClassFixture<SeededDomains>
{
    private const string PostgresType = "grafana-postgresql-datasource";
    private const string DashboardsMountPath = "/var/lib/grafana/dashboards";

    private static readonly Dictionary<string, Datasource> Datasources = ReadDatasources();

    /// <summary>A provisioned datasource; Domain is set for PostgreSQL ones (from the SALES_/MARKETING_ variables they read).</summary>
    private sealed record Datasource(string Uid, string Type, string? Domain);

    public static TheoryData<string> Dashboards() => new(PlatformFiles.Files("grafana/dashboards", "*.json").Select(PlatformFiles.Relative));

    public static TheoryData<string, string, string> PostgresQueries()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (dashboard, panel, target) in Targets())
        {
            if ((string?)target["datasource"]?["type"] == PostgresType)
            {
                data.Add(PlatformFiles.Relative(dashboard), (string)panel["title"]!, (string)target["refId"]!);
            }
        }

        return data;
    }

    [Fact]
    public void Datasources_have_fixed_uids_and_read_their_settings_from_the_environment()
    {
        var file = File.ReadAllText(PlatformFiles.PathOf("grafana", "provisioning", "datasources", "datameesh.yaml"));

        Assert.Equal(["marketing-pg", "sales-pg", "trino"], Datasources.Keys.Order());
        Assert.Equal(["marketing", "sales"], Datasources.Values.Where(d => d.Type == PostgresType).Select(d => d.Domain).Order());
        foreach (var variable in new[] { "SALES_PG_HOST", "SALES_PG_PORT", "SALES_PG_DB", "SALES_PG_USER", "SALES_PG_PASSWORD",
                     "MARKETING_PG_HOST", "MARKETING_PG_PORT", "MARKETING_PG_DB", "MARKETING_PG_USER", "MARKETING_PG_PASSWORD", "TRINO_URL" })
        {
            Assert.Contains("${" + variable + "}", file, StringComparison.Ordinal);
        }

        Assert.Equal("trino-datasource", Datasources["trino"].Type);
    }

    [Fact]
    public void The_dashboard_provider_reads_the_folder_the_dashboards_are_mounted_at()
    {
        var provider = PlatformFiles.Yaml(PlatformFiles.PathOf("grafana", "provisioning", "dashboards", "datameesh.yaml")).Items("providers").Single();

        Assert.Equal("file", provider.Text("type"));
        Assert.Equal(DashboardsMountPath, ((YamlMappingNode)provider.Get("options")!).Text("path"));
    }

    [Fact]
    public void The_dashboards_exist_with_unique_stable_uids()
    {
        var dashboards = PlatformFiles.Files("grafana/dashboards", "*.json").Select(PlatformFiles.Json).ToList();

        Assert.Equal(["Campaign ROI", "Customer Journey Analytics", "Data Quality", "Executive Overview", "Marketing", "Sales Performance"],
            dashboards.Select(d => (string)d["title"]!).Order());
        Assert.All(dashboards, d => Assert.False(string.IsNullOrWhiteSpace((string?)d["uid"])));
        Assert.Equal(dashboards.Count, dashboards.Select(d => (string)d["uid"]!).Distinct().Count());
        Assert.All(dashboards, d => Assert.Null(d["id"]));
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Every_datasource_a_dashboard_names_is_provisioned(string dashboard)
    {
        var json = PlatformFiles.Json(PlatformFiles.PathOf(dashboard));
        var references = json.DescendantsNamed("datasource").OfType<JsonObject>().ToList();

        Assert.NotEmpty(references);
        Assert.All(references, reference =>
        {
            var uid = (string?)reference["uid"];
            Assert.True(uid is not null && Datasources.ContainsKey(uid), $"{dashboard} names datasource uid '{uid}', which is not provisioned");
            Assert.Equal(Datasources[uid!].Type, (string?)reference["type"]);
        });
        Assert.All(Targets().Where(t => PlatformFiles.Relative(t.Dashboard) == dashboard), t =>
            Assert.False(string.IsNullOrWhiteSpace((string?)t.Target["rawSql"] ?? (string?)t.Target["rawSQL"]), $"{t.Panel["title"]} has no SQL"));
    }

    [Theory]
    [MemberData(nameof(PostgresQueries))]
    public async Task Postgres_panel_query_runs_as_the_read_only_role_and_returns_rows(string dashboard, string panel, string refId)
    {
        var target = Targets().Single(t => PlatformFiles.Relative(t.Dashboard) == dashboard && (string?)t.Panel["title"] == panel
                                           && (string?)t.Target["refId"] == refId).Target;
        var datasource = Datasources[(string)target["datasource"]!["uid"]!];
        var sql = ReplaceMacros((string)target["rawSql"]!);

        await using var connection = new NpgsqlConnection(seeded.Databases.ConnectionString(datasource.Domain!));
        await connection.OpenAsync();
        await using (var setRole = new NpgsqlCommand($"SET ROLE {SeededDomains.ReaderRole(datasource.Domain!)}", connection))
        {
            await setRole.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
        }

        Assert.True(rows > 0, $"{dashboard} / {panel} returned no rows on the seeded {datasource.Domain} database:\n{sql}");
        if ((string?)target["format"] == "time_series")
        {
            Assert.Contains("time", Enumerable.Range(0, reader.FieldCount).Select(reader.GetName));
        }
    }

    public static TheoryData<string, string> TrinoQueries()
    {
        var data = new TheoryData<string, string>();
        foreach (var (dashboard, name, _) in TrinoStatementsOf())
        {
            data.Add(PlatformFiles.Relative(dashboard), name);
        }

        return data;
    }

    /// <summary>
    /// Every statement a dashboard sends to Trino (panels and query variables) returns rows on the seeded data, run on the
    /// mesh database that stands in for Trino here (MeshOnPostgres), with the dbt project built and notebook 05 run.
    /// </summary>
    [Theory]
    [MemberData(nameof(TrinoQueries))]
    public async Task Trino_panel_and_variable_queries_return_rows_on_the_seeded_mesh(string dashboard, string name)
    {
        var (path, _, sql) = TrinoStatementsOf().Single(s => PlatformFiles.Relative(s.Dashboard) == dashboard && s.Name == name);
        var mesh = await seeded.MeshAsync();

        var result = await mesh.QueryAsync(ReplaceMacros(ReplaceVariables(PlatformFiles.Json(path), sql)));

        Assert.True(result.Rows.Count > 0, $"{dashboard} / {name} returned no rows on the seeded mesh:\n{sql}");
    }

    /// <summary>
    /// Emma's dashboard: its panels run exactly the PDF report's statements (so the PDF prints the dashboard's numbers),
    /// it links the PDF where the dbt-docs service serves it, and its campaign chart drills into Campaign ROI with the
    /// campaign as that dashboard's variable, which every filtered panel there uses.
    /// </summary>
    [Fact]
    public async Task The_executive_overview_runs_the_reports_statements_links_its_pdf_and_drills_into_campaigns()
    {
        var executive = PlatformFiles.Json(PlatformFiles.PathOf("grafana", "dashboards", "executive.json"));
        var panels = executive["panels"]!.AsArray().OfType<JsonObject>().ToList();
        var report = (await TrinoStatements.AllAsync()).Where(s => s.Kind == "report").ToList();

        var panelStatements = panels.Select(p => (string)p["targets"]![0]!["rawSQL"]!).Order().ToList();
        Assert.Equal(report.Where(s => !s.Origin.EndsWith("LATEST_ORDER_SQL", StringComparison.Ordinal)).Select(s => s.Sql).Order(), panelStatements);

        var pdf = executive["links"]!.AsArray().OfType<JsonObject>().Single(l => ((string)l["title"]!).Contains("PDF", StringComparison.Ordinal));
        Assert.Equal($"http://localhost:{PlatformContract.Ports.DbtDocsHost}/reports/executive.pdf", (string?)pdf["url"]);
        Assert.Contains("REPORT_PATH = \"/reports/executive.pdf\"", File.ReadAllText(PlatformFiles.PathOf("jupyterhub", "dbt_docs_service.py")), StringComparison.Ordinal);

        var roi = PlatformFiles.Json(PlatformFiles.PathOf("grafana", "dashboards", "campaign-roi.json"));
        Assert.Equal("campaign-roi", (string?)roi["uid"]);
        var campaign = Assert.Single(Variables(roi), v => (string?)v["name"] == "campaign");
        Assert.True((bool?)campaign["includeAll"] == true && (string?)campaign["allValue"] == "__all");
        var drill = panels.Single(p => (string?)p["type"] == "barchart" && ((string)p["title"]!).Contains("campaigns", StringComparison.Ordinal));
        var link = (string)drill["fieldConfig"]!["defaults"]!["links"]![0]!["url"]!;
        Assert.StartsWith("/d/campaign-roi/", link, StringComparison.Ordinal);
        Assert.Contains("var-campaign=${__data.fields.campaign", link, StringComparison.Ordinal);
        Assert.Contains(" AS campaign,", (string)drill["targets"]![0]!["rawSQL"]!, StringComparison.Ordinal);
        var filtered = roi["panels"]!.AsArray().OfType<JsonObject>().Where(p => (string?)p["type"] is "stat" or "table").ToList();
        Assert.NotEmpty(filtered);
        Assert.All(filtered, p => Assert.Contains("${campaign:sqlstring}", (string)p["targets"]![0]!["rawSQL"]!, StringComparison.Ordinal));
    }

    /// <summary>Each Trino statement of every dashboard: panel targets by title, query variables as "variable NAME".</summary>
    internal static IEnumerable<(string Dashboard, string Name, string Sql)> TrinoStatementsOf()
    {
        foreach (var (dashboard, panel, target) in Targets().Where(t => (string?)t.Target["datasource"]?["type"] == "trino-datasource"))
        {
            yield return (dashboard, $"{panel["title"]} / {target["refId"]}", (string)target["rawSQL"]!);
        }

        foreach (var dashboard in PlatformFiles.Files("grafana/dashboards", "*.json"))
        {
            foreach (var variable in Variables(PlatformFiles.Json(dashboard)).Where(v => (string?)v["type"] == "query" && (string?)v["datasource"]?["type"] == "trino-datasource"))
            {
                var query = variable["query"];
                yield return (dashboard, $"variable {variable["name"]}", query is JsonObject q ? (string)q["query"]! : (string)query!);
            }
        }
    }

    internal static IEnumerable<JsonObject> Variables(JsonObject dashboard) => dashboard["templating"]?["list"]?.AsArray().OfType<JsonObject>() ?? [];

    /// <summary>
    /// The dashboard's variables as Grafana sends them on opening it: each variable's "All" value when it has one, else its
    /// current value; <c>${name:sqlstring}</c> quoted as a SQL string (what collect_trino_sql.py does for the grammar check).
    /// </summary>
    internal static string ReplaceVariables(JsonObject dashboard, string sql)
    {
        var values = Variables(dashboard).ToDictionary(v => (string)v["name"]!, v =>
            (bool?)v["includeAll"] == true && (string?)v["allValue"] is { } all ? all : v["current"]?["value"]?.ToString());
        return VariableReference().Replace(sql, m =>
        {
            var name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[3].Value;
            if (!values.TryGetValue(name, out var value) || value is null)
            {
                return m.Value;
            }

            return m.Groups[2].Value == "sqlstring" ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'" : value;
        });
    }

    [GeneratedRegex(@"\$\{(\w+)(?::(\w+))?\}|\$(?!__)(\w+)")]
    private static partial Regex VariableReference();

    /// <summary>Grafana's macros with a fixed range: the year up to the seeded sample's as-of date.</summary>
    internal static string ReplaceMacros(string sql)
    {
        var to = SeedRunner.AsOf.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(1);
        var from = to.AddYears(-1);
        string Literal(DateTime value) => "'" + value.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) + "'";

        var replaced = TimeFilter().Replace(sql, m => $"{m.Groups[1].Value} BETWEEN {Literal(from)} AND {Literal(to)}")
            .Replace("$__timeFrom()", Literal(from), StringComparison.Ordinal)
            .Replace("$__timeTo()", Literal(to), StringComparison.Ordinal);
        Assert.False(replaced.Contains('$', StringComparison.Ordinal), $"A macro or variable this test does not know is left in:\n{replaced}");
        return replaced;
    }

    internal static IEnumerable<(string Dashboard, JsonObject Panel, JsonObject Target)> Targets() =>
        from dashboard in PlatformFiles.Files("grafana/dashboards", "*.json")
        from panel in PlatformFiles.Json(dashboard)["panels"]!.AsArray().OfType<JsonObject>()
        from target in panel["targets"]?.AsArray().OfType<JsonObject>() ?? []
        select (dashboard, panel, target);

    private static Dictionary<string, Datasource> ReadDatasources()
    {
        var provisioning = PlatformFiles.Yaml(PlatformFiles.PathOf("grafana", "provisioning", "datasources", "datameesh.yaml"));
        return provisioning.Items("datasources").Select(ds =>
        {
            var database = (ds.Get("jsonData") as YamlMappingNode)?.Text("database");
            var domain = database is null ? null : DomainVariable().Match(database) is { Success: true } m ? m.Groups[1].Value.ToLowerInvariant() : null;
            return new Datasource(ds.Text("uid") ?? "", ds.Text("type") ?? "", domain);
        }).ToDictionary(d => d.Uid);
    }

    [GeneratedRegex(@"\$__timeFilter\(([^)]+)\)")]
    private static partial Regex TimeFilter();

    [GeneratedRegex(@"^\$\{([A-Z]+)_PG_DB\}$")]
    private static partial Regex DomainVariable();
}

internal static class JsonNodes
{
    /// <summary>Every value under a property with this name, at any depth.</summary>
    public static IEnumerable<JsonNode?> DescendantsNamed(this JsonNode node, string name) => node switch
    {
        JsonObject obj => obj.SelectMany(p => (p.Key == name ? [p.Value] : Enumerable.Empty<JsonNode?>())
            .Concat(p.Value is null ? [] : p.Value.DescendantsNamed(name))),
        JsonArray array => array.Where(item => item is not null).SelectMany(item => item!.DescendantsNamed(name)),
        _ => [],
    };
}
