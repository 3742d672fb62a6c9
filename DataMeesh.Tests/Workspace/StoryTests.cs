using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// The seed's stories on seeded data at scale 1 and 50, through <see cref="MeshOnPostgres"/> (the statements Trino would
/// run, on the tables its catalogs read): the dbt project builds and its declared tests hold; sales' customer lifetime value
/// is sales' own number, and marketing's campaign ROI and finance's revenue reuse it to the cent.
/// </summary>
public abstract class StoryTests(SeededDomains seeded)
{
    private static readonly DbtProject Project = DbtProject.Load();

    protected SeededDomains Seeded => seeded;

    [Fact]
    public async Task Every_dbt_model_builds_on_the_seeded_data_and_its_declared_tests_hold()
    {
        var mesh = await seeded.MeshAsync();
        var failures = new List<string>();
        foreach (var model in Project.Models.Values)
        {
            var relation = $"hive.analytics.{model.Name}";
            Assert.True(await mesh.ScalarAsync<long>($"SELECT count(*) FROM {relation}") > 0, $"{model.Name} is empty at scale {seeded.Scale}");
            foreach (var column in model.Columns)
            {
                foreach (var test in column.Tests)
                {
                    var arguments = DbtProject.TestArguments(test);
                    var where = (arguments?.Get("config") as YamlMappingNode)?.Text("where") is { } condition ? $" AND ({condition})" : "";
                    var failing = DbtProject.TestName(test) switch
                    {
                        "not_null" => $"SELECT count(*) FROM {relation} WHERE {column.Name} IS NULL{where}",
                        "unique" => $"SELECT count(*) FROM (SELECT {column.Name} FROM {relation} WHERE {column.Name} IS NOT NULL{where} GROUP BY {column.Name} HAVING count(*) > 1) d",
                        "accepted_values" => $"SELECT count(*) FROM {relation} WHERE {column.Name} NOT IN ("
                            + string.Join(", ", ((YamlSequenceNode)arguments!.Get("values")!).Children.Select(v => $"'{((YamlScalarNode)v).Value}'")) + $"){where}",
                        "relationships" => $"SELECT count(*) FROM {relation} c WHERE c.{column.Name} IS NOT NULL{where} AND NOT EXISTS (SELECT 1 FROM hive.analytics."
                            + RefTarget(arguments!.Text("to")!) + $" p WHERE p.{arguments!.Text("field")} = c.{column.Name})",
                        var other => throw new InvalidDataException($"{model.Name}.{column.Name}: the check does not know dbt test {other}"),
                    };
                    var count = await mesh.ScalarAsync<long>(failing);
                    if (count > 0)
                    {
                        failures.Add($"{model.Name}.{column.Name} {DbtProject.TestName(test)}: {count} failing row(s)");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"dbt tests fail at scale {seeded.Scale}:\n" + string.Join("\n", failures));
    }

    /// <summary>The mesh shows each domain relation with exactly the columns Trino's connector shows, no more.</summary>
    [Fact]
    public async Task The_mesh_shows_the_domains_columns_trino_shows()
    {
        var mesh = await seeded.MeshAsync();
        foreach (var domain in new[] { ResourceNames.SalesDatabase, ResourceNames.MarketingDatabase })
        {
            var hidden = (await MeshOnPostgres.HiddenColumnsAsync(seeded.Databases, domain)).Select(h => $"{h.Relation}.{h.Column}").ToHashSet();
            var source = (await seeded.Databases.RowsAsync(domain,
                "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public'")).Select(r => (string)r[0]!);
            var shown = (await Infrastructure.MigratedDatabases.QueryRowsAsync(mesh.ConnectionString,
                $"SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = '{domain}'")).Select(r => (string)r[0]!);

            Assert.Equal(source.Where(c => !hidden.Contains(c)).Order(StringComparer.Ordinal), shown.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Customer_lifetime_value_is_sales_own_number_customer_by_customer()
    {
        var mesh = await seeded.MeshAsync();

        var differing = await mesh.QueryAsync("""
            SELECT m.customer_id, m.order_count, m.lifetime_value, v.total_orders, v.lifetime_value AS view_lifetime_value
            FROM hive.analytics.mart_sales__customer_lifetime_value m
            FULL JOIN sales.public.customer_lifetime_value v ON v.customer_id = m.customer_id
            WHERE m.customer_id IS NULL OR v.customer_id IS NULL OR m.order_count <> v.total_orders OR m.lifetime_value <> v.lifetime_value
            """);
        var total = await mesh.ScalarAsync<decimal>("SELECT sum(lifetime_value) FROM hive.analytics.mart_sales__customer_lifetime_value");

        Assert.Empty(differing.Rows);
        Assert.Equal(await mesh.ScalarAsync<decimal>("SELECT sum(total_revenue) FROM sales.public.sales_summary"), total);
        if (seeded.Scale == 1)
        {
            Assert.Equal(1_220_200m, total); // the reference sample's revenue (README, "The seeder")
        }
    }

    [Fact]
    public async Task Campaign_roi_is_the_journeys_converted_revenue_over_ad_spend()
    {
        var mesh = await seeded.MeshAsync();

        var attributed = await mesh.ScalarAsync<decimal>("SELECT sum(attributed_revenue) FROM hive.analytics.mart_marketing__campaign_roi");
        var journey = await mesh.ScalarAsync<decimal>("""
            SELECT sum(total_revenue) FROM hive.analytics.mart_customer_journey WHERE journey_status = 'Converted' AND campaign_id IS NOT NULL
            """);
        var campaigns = await mesh.QueryAsync("""
            SELECT r.campaign_id, r.ad_spend, r.attributed_revenue, r.revenue_per_ad_dollar, r.roi_pct, c.spent, c.budget
            FROM hive.analytics.mart_marketing__campaign_roi r JOIN marketing.public.campaigns c ON c.campaign_id = r.campaign_id
            """);

        Assert.True(attributed > 0, $"no revenue attributed to any campaign at scale {seeded.Scale}");
        Assert.Equal(journey, attributed);
        Assert.Equal(await mesh.ScalarAsync<long>("SELECT count(*) FROM marketing.public.campaigns"), campaigns.Rows.Count);
        for (var row = 0; row < campaigns.Rows.Count; row++)
        {
            var spend = (decimal)campaigns.Value(row, "ad_spend")!;
            var revenue = (decimal)campaigns.Value(row, "attributed_revenue")!;
            Assert.Equal((decimal)campaigns.Value(row, "spent")!, spend);
            Assert.Equal(spend == 0 ? null : Math.Round(revenue / spend, 2, MidpointRounding.AwayFromZero), (decimal?)campaigns.Value(row, "revenue_per_ad_dollar"));
            Assert.Equal(spend == 0 ? null : Math.Round(100 * (revenue - spend) / spend, 1, MidpointRounding.AwayFromZero), (decimal?)campaigns.Value(row, "roi_pct"));
        }
    }

    [Fact]
    public async Task Finance_revenue_by_cohort_adds_up_to_sales_lifetime_value()
    {
        var mesh = await seeded.MeshAsync();

        var finance = await mesh.QueryAsync("SELECT sum(revenue) AS revenue, sum(customers) AS customers, sum(orders) AS orders FROM hive.analytics.mart_finance__revenue_by_cohort");
        var sales = await mesh.QueryAsync("""
            SELECT sum(lifetime_value) AS revenue, count(*) AS customers, sum(order_count) AS orders
            FROM hive.analytics.mart_sales__customer_lifetime_value WHERE order_count > 0
            """);

        Assert.Equal(Convert.ToDecimal(sales.Rows[0][0], CultureInfo.InvariantCulture), Convert.ToDecimal(finance.Rows[0][0], CultureInfo.InvariantCulture));
        Assert.Equal(Convert.ToInt64(sales.Rows[0][1], CultureInfo.InvariantCulture), Convert.ToInt64(finance.Rows[0][1], CultureInfo.InvariantCulture));
        Assert.Equal(Convert.ToInt64(sales.Rows[0][2], CultureInfo.InvariantCulture), Convert.ToInt64(finance.Rows[0][2], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Mike's story: notebook 05 reads the orders through Trino, trains (at scale 50, where the seed plants churn) or falls
    /// back to the overdue ratio (the reference sample has too few repeat accounts), writes one prediction per repeat
    /// account to hive.sales.churn_predictions and reads them back as the sales team does.
    /// </summary>
    [Fact]
    public async Task Churn_notebook_writes_one_prediction_per_repeat_account_to_the_lake_without_personal_data()
    {
        var mesh = await seeded.MeshAsync();
        var run = await mesh.RunNotebookAsync(SeededDomains.ChurnNotebook);
        NotebookRuns.Keep(run.Directory, $"{SeededDomains.ChurnNotebook}-scale-{seeded.Scale}");

        Assert.True(run.Process.ExitCode == 0, run.Process.Describe());
        var outputs = run.ExecutedNotebook["cells"]!.AsArray().OfType<System.Text.Json.Nodes.JsonObject>()
            .SelectMany(cell => cell["outputs"]?.AsArray().OfType<System.Text.Json.Nodes.JsonObject>() ?? []).ToList();
        Assert.DoesNotContain(outputs, output => (string?)output["output_type"] == "error");
        var text = string.Join("\n", outputs.Select(o => o["text"] is System.Text.Json.Nodes.JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)o["text"]));

        var repeatAccounts = await mesh.ScalarAsync<long>("""
            SELECT count(*) FROM (SELECT customer_id FROM sales.public.orders WHERE order_status <> 'Cancelled' GROUP BY customer_id HAVING count(*) >= 2) r
            """);
        var predictions = await mesh.QueryAsync("""
            SELECT count(*) AS n, count(DISTINCT customer_id) AS customers, min(churn_probability) AS lowest, max(churn_probability) AS highest,
                   min(model) AS model, count(DISTINCT scored_as_of) AS days
            FROM hive.sales.churn_predictions
            """);
        Assert.Equal(repeatAccounts, (long)predictions.Value(0, "n")!);
        Assert.Equal(repeatAccounts, (long)predictions.Value(0, "customers")!);
        Assert.InRange((decimal)predictions.Value(0, "lowest")!, 0m, 1m);
        Assert.InRange((decimal)predictions.Value(0, "highest")!, 0m, 1m);
        Assert.Equal(1L, (long)predictions.Value(0, "days")!);
        var columns = await mesh.QueryAsync("SELECT * FROM hive.sales.churn_predictions LIMIT 0");
        Assert.Equal(["customer_id", "churn_probability", "risk_band", "days_since_last_order", "orders", "model", "scored_as_of"], columns.Columns);

        var figures = run.Figures.Select(Path.GetFileName).ToList();
        Assert.All(run.Figures, png => Assert.True(new FileInfo(png).Length > 5_000, $"{png} is nearly empty"));
        if (seeded.Scale == 1)
        {
            Assert.Equal("overdue-ratio", (string)predictions.Value(0, "model")!);
            Assert.Equal(["05-churn-model-check.png", "05-churn-risk.png"], figures);
        }
        else
        {
            // The seed plants churn from scale 2 on (README, "What a larger scale holds"): the model must find it.
            Assert.Equal("logistic-regression", (string)predictions.Value(0, "model")!);
            Assert.Equal(["05-churn-drivers.png", "05-churn-model-check.png", "05-churn-risk.png"], figures);
            var auc = System.Text.RegularExpressions.Regex.Match(text, @"AUC (\d\.\d\d) \(cross-validated\) against (\d\.\d\d)");
            Assert.True(auc.Success, "the notebook does not print its cross-validated AUC:\n" + text);
            var (model, baseline) = (decimal.Parse(auc.Groups[1].Value, CultureInfo.InvariantCulture), decimal.Parse(auc.Groups[2].Value, CultureInfo.InvariantCulture));
            Assert.True(model >= 0.75m && model > baseline + 0.1m, $"AUC {model} against {baseline} for days since the last order alone");
        }
    }

    /// <summary>Sarah's notebook 06: the campaign ROI mart through Trino, charted top 9 + the rest and by channel.</summary>
    [Fact]
    public async Task Campaign_roi_notebook_runs_and_reports_the_marts_revenue_per_ad_dollar()
    {
        var mesh = await seeded.MeshAsync();
        var run = await mesh.RunNotebookAsync("06-campaign-roi");
        NotebookRuns.Keep(run.Directory, $"06-campaign-roi-scale-{seeded.Scale}");

        Assert.True(run.Process.ExitCode == 0, run.Process.Describe());
        var outputs = run.ExecutedNotebook["cells"]!.AsArray().OfType<System.Text.Json.Nodes.JsonObject>()
            .SelectMany(cell => cell["outputs"]?.AsArray().OfType<System.Text.Json.Nodes.JsonObject>() ?? []).ToList();
        Assert.DoesNotContain(outputs, output => (string?)output["output_type"] == "error");
        Assert.Equal(["06-campaign-roi.png"], run.Figures.Select(Path.GetFileName));
        Assert.True(new FileInfo(run.Figures[0]).Length > 20_000, "06-campaign-roi.png is nearly empty");
        var text = string.Concat(outputs.Select(o => o["text"] is System.Text.Json.Nodes.JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)o["text"]));
        var ratio = await mesh.ScalarAsync<decimal>("SELECT sum(attributed_revenue) / sum(ad_spend) FROM hive.analytics.mart_marketing__campaign_roi");
        Assert.Contains($"{ratio.ToString("N2", CultureInfo.InvariantCulture)} dollars of revenue per ad dollar", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Emma's one click: platform/jupyterhub/executive_report.py renders a real PDF from the statements the Executive
    /// Overview runs (here on the mesh, after dbt and notebook 05), with every KPI and no missing part; its pages are
    /// rendered to PNG with poppler's pdftoppm (DATAMEESH_NOTEBOOK_OUTPUTS keeps them to look at).
    /// </summary>
    [Fact]
    public async Task The_executive_report_is_a_pdf_of_every_kpi_with_campaigns_cohorts_and_churn_risk()
    {
        var mesh = await seeded.MeshAsync();
        var work = Directory.CreateTempSubdirectory("datameesh-report-").FullName;
        try
        {
            var pdf = Path.Combine(work, "executive-report.pdf");
            const string Render = """
                import sys
                sys.path[:0] = sys.argv[1:3]
                import datetime, trino_on_postgres, executive_report
                executive_report.trino_connection = trino_on_postgres.Connection
                generated_at = datetime.datetime.fromisoformat(sys.argv[4])
                open(sys.argv[3], "wb").write(executive_report.build(generated_at=generated_at))
                """;
            var run = await ProcessResult.RunAsync(DebianPython.Python, ["-c", Render, TrinoGrammar.CheckerDirectory, PlatformFiles.PathOf("jupyterhub"), pdf, GeneratedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture)],
                new Dictionary<string, string?> { ["MESH_PG_DSN"] = mesh.Dsn, ["MPLCONFIGDIR"] = Path.Combine(work, "matplotlib"), ["PYTHONDONTWRITEBYTECODE"] = "1" },
                TimeSpan.FromMinutes(3));
            Assert.True(run.ExitCode == 0, run.Describe());
            Assert.Equal("%PDF-"u8.ToArray(), File.ReadAllBytes(pdf)[..5]);

            var text = await Poppler.TextAsync(pdf);
            Assert.Contains("DataMeesh executive report", text, StringComparison.Ordinal);
            Assert.All(["Revenue", "Orders", "Average order value", "Customers with orders", "Leads", "Lead conversion", "Ad spend",
                "Revenue per ad dollar", "Revenue per ad dollar: top 9 campaigns by revenue", "Revenue by quarter of first order", "Churn risk (latest scoring)"],
                title => Assert.Contains(title, text, StringComparison.Ordinal));
            Assert.DoesNotContain("not there yet", text, StringComparison.Ordinal);
            Assert.DoesNotContain("query failed", text, StringComparison.Ordinal);
            Assert.DoesNotContain("no data", text, StringComparison.Ordinal);
            // The stamp is the time given, never the day the tests run; the KPIs are read with it left out, as whole numbers
            // (at scale 1 the 20 orders would otherwise be found in "2026").
            var stamp = $"generated {GeneratedAt:yyyy-MM-dd HH:mm} UTC from Trino";
            Assert.Contains(stamp, text, StringComparison.Ordinal);
            var figures = text.Replace(stamp, "", StringComparison.Ordinal);
            var orders = await mesh.ScalarAsync<decimal>("SELECT sum(order_count) FROM sales.public.sales_summary");
            var leads = await mesh.ScalarAsync<decimal>("SELECT sum(lead_count) FROM marketing.public.lead_funnel");
            Assert.Matches(WholeNumber(orders), figures);
            Assert.Matches(WholeNumber(leads), figures);

            var pages = await Poppler.PagesAsPngAsync(pdf, Path.Combine(work, "pages"));
            Assert.Equal(2, pages.Count);
            Assert.All(pages, png => Assert.True(new FileInfo(png).Length > 20_000, $"{png} is nearly empty"));
            NotebookRuns.Keep(work, $"executive-report-scale-{seeded.Scale}");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>When the tests say the report was generated: the seed's as-of date, the clock the data shares.</summary>
    private static readonly DateTime GeneratedAt = DataMeesh.Tests.Seeding.SeedRunner.AsOf.ToDateTime(new TimeOnly(6, 30), DateTimeKind.Utc);

    /// <summary><paramref name="value"/> as the report writes a count (1,234), not part of a longer number or a date.</summary>
    private static string WholeNumber(decimal value) =>
        $@"(?<![\d,.\-]){System.Text.RegularExpressions.Regex.Escape(value.ToString("N0", CultureInfo.InvariantCulture))}(?![\d,.\-])";

    private static string RefTarget(string to) => System.Text.RegularExpressions.Regex.Match(to, @"ref\(\s*'(\w+)'\s*\)").Groups[1].Value;
}

public sealed class StoriesAtScale1Tests(SeededDomains seeded) : StoryTests(seeded), IClassFixture<SeededDomains>
{
    /// <summary>
    /// The link Emma clicks: the dbt-docs service (platform/jupyterhub/dbt_docs_service.py, run as a process) answers
    /// /reports/executive.pdf with a PDF rendered on request, and with a 503 in our words, not a stack trace, when
    /// Trino does not answer.
    /// </summary>
    [Fact]
    public async Task The_docs_service_serves_the_report_pdf_and_a_clear_503_without_trino()
    {
        var mesh = await Seeded.MeshAsync();
        var work = Directory.CreateTempSubdirectory("datameesh-report-service-").FullName;
        try
        {
            const string Serve = """
                import sys, threading, time, urllib.error, urllib.request
                sys.path[:0] = sys.argv[1:3]
                import trino_on_postgres, executive_report, dbt_docs_service
                executive_report.trino_connection = trino_on_postgres.Connection
                threading.Thread(target=dbt_docs_service.main, daemon=True).start()
                url = f"http://127.0.0.1:{dbt_docs_service.PORT}{dbt_docs_service.REPORT_PATH}"
                for attempt in range(100):
                    try:
                        with urllib.request.urlopen(url, timeout=120) as response:
                            body = response.read()
                            print(response.status, response.headers["Content-Type"], response.headers["Content-Disposition"], body[:5].decode())
                            break
                    except urllib.error.HTTPError as error:
                        print(error.code, error.headers["Content-Type"], error.read().decode().strip())
                        break
                    except urllib.error.URLError:
                        time.sleep(0.2)
                """;
            async Task<ProcessResult> RequestAsync(string dsn)
            {
                using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
                listener.Start();
                var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                return await ProcessResult.RunAsync(DebianPython.Python, ["-c", Serve, TrinoGrammar.CheckerDirectory, PlatformFiles.PathOf("jupyterhub")],
                    new Dictionary<string, string?>
                    {
                        ["MESH_PG_DSN"] = dsn, ["DBT_DOCS_PORT"] = port.ToString(CultureInfo.InvariantCulture),
                        ["DBT_DOCS_SITE"] = Path.Combine(work, "site"), ["DBT_DOCS_PROJECT"] = Path.Combine(work, "no-project"),
                        ["MPLCONFIGDIR"] = Path.Combine(work, "matplotlib"), ["PYTHONDONTWRITEBYTECODE"] = "1",
                    }, TimeSpan.FromMinutes(3));
            }

            var served = await RequestAsync(mesh.Dsn);
            Assert.True(served.ExitCode == 0, served.Describe());
            Assert.Matches(@"^200 application/pdf inline; filename=""datameesh-executive-report-\d{4}-\d\d-\d\d\.pdf"" %PDF-$", LastLine(served.Output));

            var unreachable = await RequestAsync("host=127.0.0.1 port=1 dbname=none user=nobody connect_timeout=2");
            Assert.True(unreachable.ExitCode == 0, unreachable.Describe());
            Assert.Equal("503 text/plain; charset=utf-8 The executive report cannot be built right now: Trino did not answer. It may still be starting; try again in a minute.",
                LastLine(unreachable.Output));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>What the client printed (the service logs its own start line before it).</summary>
    private static string LastLine(string output) => output.Trim().Split('\n')[^1].Trim();
}

public sealed class StoriesAtScale50Tests(SeededDomainsAtScale50 seeded) : StoryTests(seeded), IClassFixture<SeededDomainsAtScale50>;
