using System.Text.Json;
using System.Text.RegularExpressions;
using DataMeesh.AppHost.Tests.Infrastructure;

namespace DataMeesh.AppHost.Tests;

/// <summary>
/// The seed's stories against the real Trino, lake and metastore, where their images exist (skipped otherwise, naming
/// what is missing). The statements are read from the files that send them (notebook 05, executive_report.py), so this
/// runs what Mike's notebook and Emma's report send. DataMeesh.Tests runs the same statements on PostgreSQL at scale 1
/// and 50 and parses them with Trino's grammar.
/// </summary>
/// <remarks>Part of <see cref="EndToEndTests"/>, so the stories share its one running platform.</remarks>
public sealed partial class EndToEndTests
{
    private static readonly string ChurnNotebook = Path.Combine(ProjectPaths.RepositoryRoot, "platform", "notebooks", "05-churn-risk.ipynb");
    private static readonly string Report = Path.Combine(ProjectPaths.RepositoryRoot, "platform", "jupyterhub", "executive_report.py");

    /// <summary>
    /// Mike's story: as a sales user, notebook 05's statements create the external Parquet table in the lake and write
    /// predictions through Trino (EXECUTE IMMEDIATE with the arrays the Python client sends); the files land under the
    /// table's location, the sales team's queries read them, marketing may read but not write, Grafana reads the bands.
    /// </summary>
    [RequiresPlatformImagesFact]
    public async Task Churn_predictions_are_written_to_the_lake_by_sales_through_trino_and_read_by_the_others()
    {
        using var http = platform.App.CreateHttpClient(ResourceNames.Trino, "http");
        var alice = new TrinoClient(http, PlatformContract.Users.Alice);
        var notebook = NotebookCode();

        await alice.QueryAsync(Literal(notebook, "CREATE_SCHEMA_SQL"), Timeout);
        await alice.QueryAsync(Literal(notebook, "CREATE_TABLE_SQL"), Timeout);
        var insert = Literal(notebook, "INSERT_SQL");
        var execute = $"EXECUTE IMMEDIATE '{insert.Replace("'", "''", StringComparison.Ordinal)}' USING ARRAY[1, 2], ARRAY[DOUBLE '0.9', DOUBLE '0.1'], " +
                      "ARRAY['High', 'Low'], ARRAY[80, 5], ARRAY[4, 2], ARRAY['logistic-regression', 'logistic-regression'], ARRAY['2026-11-23', '2026-11-23']";
        await alice.QueryAsync(execute, Timeout);

        var bands = await alice.QueryAsync(Literal(notebook, "RISK_BANDS_SQL"), Timeout);
        Assert.Equal(["High", "Low"], bands.Select(r => r["risk_band"].GetString()));
        var callFirst = await alice.QueryAsync(Literal(notebook, "CALL_FIRST_SQL"), Timeout);
        Assert.Equal(1, Assert.Single(callFirst)["customer_id"].GetInt64());
        var files = await alice.QueryAsync("SELECT DISTINCT \"$path\" AS path FROM hive.sales.churn_predictions", Timeout);
        Assert.All(files, f => Assert.StartsWith($"s3a://{PlatformContract.Lake.Bucket}/sales/churn_predictions/scored_as_of=2026-11-23/",
            f["path"].GetString(), StringComparison.Ordinal));

        var bob = new TrinoClient(http, PlatformContract.Users.Bob);
        Assert.Equal(2, (await bob.QueryAsync("SELECT count(*) AS n FROM hive.sales.churn_predictions", Timeout)).Single()["n"].GetInt64());
        var denied = await Assert.ThrowsAsync<InvalidOperationException>(() => bob.QueryAsync(execute, Timeout));
        Assert.Contains("Access Denied", denied.Message, StringComparison.OrdinalIgnoreCase);

        var grafana = new TrinoClient(http, PlatformContract.Users.Grafana);
        Assert.Equal(2, (await grafana.QueryAsync(ReportLiteral("CHURN_RISK_SQL"), Timeout)).Count);
    }

    /// <summary>Emma's KPIs that need no dbt build, as the report and the Executive Overview read them: the reference sample's numbers.</summary>
    [RequiresPlatformImagesFact]
    public async Task The_executive_kpis_through_trino_as_grafana_are_the_reference_samples()
    {
        using var http = platform.App.CreateHttpClient(ResourceNames.Trino, "http");
        var grafana = new TrinoClient(http, PlatformContract.Users.Grafana);

        async Task<JsonElement> Value(string name) => (await grafana.QueryAsync(ReportLiteral(name), Timeout)).Single().Values.Single();

        Assert.Equal(1_220_200m, decimal.Parse((await Value("REVENUE_SQL")).ToString(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(20, (await Value("ORDERS_SQL")).GetInt64());
        Assert.Equal(15, (await Value("CUSTOMERS_SQL")).GetInt64());
        Assert.Equal(15, (await Value("LEADS_SQL")).GetInt64());
        await using var marketing = new Npgsql.NpgsqlConnection(await platform.App.GetConnectionStringAsync(ResourceNames.MarketingDatabase));
        await marketing.OpenAsync();
        await using var spent = new Npgsql.NpgsqlCommand("SELECT sum(spent) FROM campaigns", marketing);
        Assert.Equal((decimal)(await spent.ExecuteScalarAsync())!, decimal.Parse((await Value("AD_SPEND_SQL")).ToString(), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Scenario 2 and Sarah's story in the lake: dbt builds every model and runs every test inside the workspace container,
    /// as the platform's dbt user (what the hub's users and the docs service run), and the marts reconcile through Trino:
    /// sales' lifetime value adds up to sales' own view, finance's cohorts to that same total, and marketing's campaign ROI
    /// spends what the campaigns spent and attributes part of that revenue, never more.
    /// </summary>
    [RequiresPlatformImagesFact]
    public async Task Dbt_builds_the_marts_in_the_lake_and_roi_and_finance_reuse_sales_lifetime_value()
    {
        var hub = platform.ContainerOf(ResourceNames.JupyterHub);
        // A scratch copy: the image's project is read-only for the hub's user, and dbt writes target/ and logs/ beside it.
        var (exitCode, output) = Docker.Run(TimeSpan.FromMinutes(20), "exec", "--env", $"TRINO_USER={PlatformContract.Users.Dbt}", hub, "sh", "-c",
            "rm -rf /tmp/dbt-e2e && cp -r /opt/datameesh/templates/home/dbt /tmp/dbt-e2e && cd /tmp/dbt-e2e && DBT_PROFILES_DIR=. dbt build");
        Assert.True(exitCode == 0, $"dbt build failed in the workspace container:\n{output}");

        using var http = platform.App.CreateHttpClient(ResourceNames.Trino, "http");
        var analyst = new TrinoClient(http, PlatformContract.Users.Analyst);
        async Task<decimal> Sum(string sql) =>
            decimal.Parse((await analyst.QueryAsync(sql, Timeout)).Single().Values.Single().ToString(), System.Globalization.CultureInfo.InvariantCulture);

        var lifetimeValue = await Sum("SELECT sum(lifetime_value) FROM hive.analytics.mart_sales__customer_lifetime_value");
        Assert.Equal(await Sum("SELECT sum(lifetime_value) FROM sales.public.customer_lifetime_value"), lifetimeValue);
        Assert.Equal(lifetimeValue, await Sum("SELECT sum(revenue) FROM hive.analytics.mart_finance__revenue_by_cohort"));
        Assert.Equal(await Sum("SELECT sum(spent) FROM marketing.public.campaigns"), await Sum("SELECT sum(ad_spend) FROM hive.analytics.mart_marketing__campaign_roi"));
        var attributed = await Sum("SELECT sum(attributed_revenue) FROM hive.analytics.mart_marketing__campaign_roi");
        Assert.InRange(attributed, 0.01m, lifetimeValue);
    }

    internal static string NotebookCode()
    {
        using var notebook = JsonDocument.Parse(File.ReadAllText(ChurnNotebook));
        return string.Join("\n", notebook.RootElement.GetProperty("cells").EnumerateArray()
            .Where(cell => cell.GetProperty("cell_type").GetString() == "code")
            .Select(cell => cell.GetProperty("source") is { ValueKind: JsonValueKind.Array } lines
                ? string.Concat(lines.EnumerateArray().Select(l => l.GetString()))
                : cell.GetProperty("source").GetString()));
    }

    internal static string ReportLiteral(string name) => Literal(File.ReadAllText(Report), name);

    /// <summary>A Python string constant NAME = "..." or NAME = """...""" (the report's parenthesised concatenations joined).</summary>
    internal static string Literal(string python, string name)
    {
        var match = Regex.Match(python, $@"^{name} = (?:""""""(?<text>.*?)""""""|\((?<parts>(?:\s*""[^""]*"")+)\s*\)|""(?<text>[^""]*)"")", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(match.Success, $"{name} is not a string constant");
        return match.Groups["parts"].Success
            ? string.Concat(Regex.Matches(match.Groups["parts"].Value, @"""([^""]*)""").Select(m => m.Groups[1].Value))
            : match.Groups["text"].Value;
    }
}

/// <summary>What the end-to-end story tests send, read here where nothing runs: a statement the reader misses fails now, not only where Trino runs.</summary>
public sealed class StoryStatementTests
{
    [Theory]
    [InlineData("CREATE_SCHEMA_SQL", "CREATE SCHEMA IF NOT EXISTS hive.sales"), InlineData("CREATE_TABLE_SQL", "CREATE TABLE IF NOT EXISTS hive.sales.churn_predictions")]
    [InlineData("INSERT_SQL", "INSERT INTO hive.sales.churn_predictions"), InlineData("RISK_BANDS_SQL", "SELECT risk_band"), InlineData("CALL_FIRST_SQL", "SELECT p.customer_id")]
    public void The_notebooks_statements_are_read_whole(string name, string start)
    {
        var sql = EndToEndTests.Literal(EndToEndTests.NotebookCode(), name).Trim();

        Assert.StartsWith(start, sql, StringComparison.Ordinal);
        Assert.DoesNotContain("\"", sql, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REVENUE_SQL", "FROM sales.public.sales_summary"), InlineData("ORDERS_SQL", "FROM sales.public.sales_summary")]
    [InlineData("CUSTOMERS_SQL", "WHERE total_orders > 0"), InlineData("LEADS_SQL", "FROM marketing.public.lead_funnel")]
    [InlineData("AD_SPEND_SQL", "FROM marketing.public.campaigns"), InlineData("CHURN_RISK_SQL", "ORDER BY CASE risk_band")]
    [InlineData("AVERAGE_ORDER_SQL", "AS average_order_value FROM sales.public.sales_summary")]
    public void The_reports_statements_are_read_whole(string name, string part)
    {
        var sql = EndToEndTests.ReportLiteral(name);

        Assert.StartsWith("SELECT ", sql, StringComparison.Ordinal);
        Assert.Contains(part, sql, StringComparison.Ordinal);
    }
}
