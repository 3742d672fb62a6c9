using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// Grafana's charts stay readable whatever the data's size: on the reference sample (8 campaigns) and at scale 50 (400
/// campaigns) every chart draws at most <see cref="MaxSeries"/> series or bars (the top ones, the rest grouped), and a
/// chart with several measures gives each its own unit and axis. Charts on the PostgreSQL datasources run on the seeded
/// databases as the reader roles; charts on Trino on the mesh database that stands in for Trino here (MeshOnPostgres).
/// </summary>
public abstract class DashboardReadabilityTests(SeededDomains seeded)
{
    /// <summary>Top 9 and "Other": about as many colours and labels as a reader tells apart in a half-row panel.</summary>
    public const int MaxSeries = 10;

    private static readonly string[] Charts = ["timeseries", "barchart", "bargauge", "piechart"];

    public static TheoryData<string, string> PostgresCharts()
    {
        var data = new TheoryData<string, string>();
        foreach (var (dashboard, panel, target) in GrafanaTests.Targets())
        {
            if (Charts.Contains((string?)panel["type"]) && (string?)target["datasource"]?["type"] is "grafana-postgresql-datasource" or "trino-datasource")
            {
                data.Add(PlatformFiles.Relative(dashboard), (string)panel["title"]!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PostgresCharts), MemberType = typeof(DashboardReadabilityTests))]
    public async Task Chart_draws_at_most_ten_series_or_bars(string dashboard, string title)
    {
        var (panel, target) = Find(dashboard, title);
        var result = await RunAsync(target);

        var drawn = IsTimeSeries(target) && result.Columns.Contains("metric")
            ? result.Rows.Select(r => r[result.Columns.IndexOf("metric")]).Distinct().Count()
            : IsTimeSeries(target) ? ValueFields(panel, result).Count : result.Rows.Count;

        Assert.True(result.Rows.Count > 0, $"{dashboard} / {title} has no data at scale {seeded.Scale}");
        Assert.True(drawn <= MaxSeries, $"{dashboard} / {title} draws {drawn} series or bars at scale {seeded.Scale} (at most {MaxSeries}: show the top ones and group the rest)");
    }

    /// <summary>
    /// Grafana draws every measure of a panel against the panel's unit unless a field override says otherwise: order counts
    /// on a dollar axis, scores on a count axis. Every measure after the first needs an override with its unit and axis.
    /// </summary>
    [Theory]
    [MemberData(nameof(PostgresCharts), MemberType = typeof(DashboardReadabilityTests))]
    public async Task Chart_with_several_measures_gives_each_its_own_unit_and_axis(string dashboard, string title)
    {
        var (panel, target) = Find(dashboard, title);
        var fields = ValueFields(panel, await RunAsync(target));

        var overrides = panel["fieldConfig"]?["overrides"]?.AsArray().OfType<JsonObject>()
            .Where(o => (string?)o["matcher"]?["id"] == "byName")
            .ToDictionary(o => (string)o["matcher"]!["options"]!, o => o["properties"]!.AsArray().OfType<JsonObject>()
                .ToDictionary(p => (string)p["id"]!, p => p["value"]?.ToJsonString())) ?? [];
        foreach (var field in fields.Skip(1))
        {
            Assert.True(overrides.TryGetValue(field, out var properties) && properties.ContainsKey("unit") && properties.ContainsKey("custom.axisPlacement"),
                $"{dashboard} / {title}: {field} is drawn against the panel's unit ({panel["fieldConfig"]?["defaults"]?["unit"]?.ToString() ?? "none"}) " +
                $"on the same axis as {fields[0]}; give it an override with its own unit and custom.axisPlacement");
        }

        var axes = fields.Skip(1).Select(f => overrides[f]["custom.axisPlacement"]).Append(
            (string?)panel["fieldConfig"]?["defaults"]?["custom"]?["axisPlacement"] is { } placement ? $"\"{placement}\"" : "\"auto\"").ToList();
        Assert.True(fields.Count <= 1 || axes.Distinct().Count() == axes.Count, $"{dashboard} / {title}: two measures share an axis: {string.Join(", ", axes)}");
    }

    /// <summary>PostgreSQL's datasource says "time_series"; the Trino plugin's format 0 is its time series (1 is table).</summary>
    private static bool IsTimeSeries(JsonObject target) =>
        target["format"] is JsonValue format && (format.TryGetValue<string>(out var text) ? text == "time_series" : format.GetValue<int>() == 0);

    /// <summary>The numeric columns a chart draws (for a bar gauge, those its field filter selects); the time and label columns are not.</summary>
    private static List<string> ValueFields(JsonObject panel, MeshOnPostgres.Result result)
    {
        var fields = result.Columns.Where((name, i) => name is not "time" and not "metric" && result.Numeric[i]).ToList();
        if ((string?)panel["options"]?["reduceOptions"]?["fields"] is { Length: > 2 } filter && filter.StartsWith('/') && filter.EndsWith('/'))
        {
            fields = fields.Where(f => Regex.IsMatch(f, filter[1..^1], RegexOptions.None, TimeSpan.FromSeconds(1))).ToList();
        }

        return fields;
    }

    private static (JsonObject Panel, JsonObject Target) Find(string dashboard, string title)
    {
        var (path, panel, target) = GrafanaTests.Targets().Single(t => PlatformFiles.Relative(t.Dashboard) == dashboard && (string?)t.Panel["title"] == title);
        target = (JsonObject)target.DeepClone();
        target["dashboard"] = path;
        return (panel, target);
    }

    private async Task<MeshOnPostgres.Result> RunAsync(JsonObject target)
    {
        if ((string?)target["datasource"]?["type"] == "trino-datasource")
        {
            var mesh = await seeded.MeshAsync();
            var sql = GrafanaTests.ReplaceMacros(GrafanaTests.ReplaceVariables(PlatformFiles.Json((string)target["dashboard"]!), (string)target["rawSQL"]!));
            return await mesh.QueryAsync(sql);
        }

        var domain = (string)target["datasource"]!["uid"]! == "sales-pg" ? "sales" : "marketing";
        await using var connection = new NpgsqlConnection(seeded.Databases.ConnectionString(domain));
        await connection.OpenAsync();
        await using (var role = new NpgsqlCommand($"SET ROLE {SeededDomains.ReaderRole(domain)}", connection))
        {
            await role.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand(GrafanaTests.ReplaceMacros((string)target["rawSql"]!), connection);
        await using var reader = await command.ExecuteReaderAsync();
        return await MeshOnPostgres.Result.ReadAsync(reader);
    }
}

public sealed class DashboardReadabilityAtScale1Tests(SeededDomains seeded) : DashboardReadabilityTests(seeded), IClassFixture<SeededDomains>;

/// <summary>Scale 50, where every chart that listed all campaigns drew 400 of them; notebook 03 runs here too.</summary>
public sealed class DashboardReadabilityAtScale50Tests(SeededDomainsAtScale50 seeded) : DashboardReadabilityTests(seeded), IClassFixture<SeededDomainsAtScale50>
{
    [Fact]
    public Task Domain_analytics_runs_headless_at_scale_50() => NotebookTests.AssertDomainAnalyticsRunsAsync(seeded);
}
