using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DataMeesh.AppHost.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataMeesh.AppHost.Tests;

/// <summary>
/// The running AppHost: the domain half (both products fresh after the seeder, contracts, rows, telemetry, isolation) wherever
/// Docker runs; the platform half (the customer journey through Trino, Grafana's datasources, JupyterHub) where its images exist.
/// </summary>
public sealed partial class EndToEndTests(RunningPlatform platform) : IClassFixture<RunningPlatform>
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    // Leads (marketing) joined by email to the customers they became and those customers' orders (sales), as an analyst
    // without PII rights: through the pseudonym email_hash both domains carry (the e-mails themselves are masked).
    private const string CustomerJourney = """
        WITH journey AS (
            SELECT l.lead_id, l.source, coalesce(c.campaign_name, '(no campaign)') AS campaign, l.created_at, l.converted_at,
                   cu.customer_id
            FROM marketing.public.leads l
            LEFT JOIN marketing.public.campaigns c ON c.campaign_id = l.campaign_id
            LEFT JOIN sales.public.customers cu ON cu.email_hash = l.email_hash AND l.converted_at IS NOT NULL
        ),
        revenue AS (
            SELECT customer_id, sum(total_amount) AS revenue
            FROM sales.public.orders
            WHERE order_status <> 'Cancelled'
            GROUP BY customer_id
        )
        SELECT j.source, j.campaign,
               count(*) AS leads,
               count(j.converted_at) AS conversions,
               CAST(count(j.converted_at) AS double) / count(*) AS conversion_rate,
               avg(CAST(date_diff('second', j.created_at, j.converted_at) AS double)) / 86400 AS avg_days_to_convert,
               coalesce(sum(r.revenue), 0) AS revenue
        FROM journey j
        LEFT JOIN revenue r ON r.customer_id = j.customer_id
        GROUP BY j.source, j.campaign
        ORDER BY j.source, j.campaign
        """;

    // The reference sample (README, "The seeder"): what --scale 1 loads into each table.
    public static TheoryData<string, string, long> ReferenceSample() => new()
    {
        { ResourceNames.SalesApi, "customers", 15 }, { ResourceNames.SalesApi, "products", 10 },
        { ResourceNames.SalesApi, "orders", 20 }, { ResourceNames.SalesApi, "order_items", 34 },
        { ResourceNames.MarketingApi, "campaigns", 8 }, { ResourceNames.MarketingApi, "leads", 15 },
        { ResourceNames.MarketingApi, "campaign_metrics", 724 }, { ResourceNames.MarketingApi, "website_traffic", 840 },
    };

    [RequiresDockerFact]
    public void The_seeder_loaded_the_reference_sample_and_exited_0() => Assert.Equal(0, platform.SeederExit.ExitCode);

    [RequiresDockerFact]
    public async Task Both_products_report_the_loaded_data_within_seconds_of_the_seeder()
    {
        // Fresh products after a load: row counts, freshness, score and health follow the seeder, not the 15-minute schedule.
        var deadline = platform.SeederExit.At + TimeSpan.FromSeconds(30);
        foreach (var api in (string[])[ResourceNames.SalesApi, ResourceNames.MarketingApi])
        {
            using var http = platform.App.CreateHttpClient(api, "http");
            var expected = ReferenceSample().Where(row => (string)row[0] == api).ToDictionary(row => (string)row[1], row => (long)row[2]);
            // Only datasets with a freshness SLA report when they were last updated.
            var withFreshness = new HashSet<string>();
            foreach (var name in expected.Keys)
            {
                using var dataset = JsonDocument.Parse(await http.GetStringAsync($"/datasets/{name}", Timeout));
                if (dataset.RootElement.GetProperty("freshness").ValueKind == JsonValueKind.Object)
                {
                    withFreshness.Add(name);
                }
            }

            Assert.NotEmpty(withFreshness);
            Dictionary<string, (long? Rows, bool Updated, bool Scored)> seen = [];
            string health;
            do
            {
                using var datasets = JsonDocument.Parse(await http.GetStringAsync("/datasets", Timeout));
                seen = datasets.RootElement.EnumerateArray().ToDictionary(d => d.GetProperty("name").GetString()!, d => (
                    d.GetProperty("rowCount").ValueKind == JsonValueKind.Number ? d.GetProperty("rowCount").GetInt64() : (long?)null,
                    d.GetProperty("lastUpdatedAt").ValueKind == JsonValueKind.String || !withFreshness.Contains(d.GetProperty("name").GetString()!),
                    d.GetProperty("qualityScore").ValueKind == JsonValueKind.Number));
                health = await (await http.GetAsync("/health", Timeout)).Content.ReadAsStringAsync();
                if (health == "Healthy" && expected.All(e => seen.TryGetValue(e.Key, out var s) && s.Rows == e.Value && s.Updated && s.Scored))
                {
                    break;
                }

                await Task.Delay(500);
            }
            while (DateTime.UtcNow < deadline);

            Assert.Equal("Healthy", health);
            Assert.All(expected, e =>
            {
                Assert.True(seen.TryGetValue(e.Key, out var s), $"{api} does not list {e.Key}");
                Assert.Equal((e.Key, (long?)e.Value, true, true), (e.Key, s.Rows, s.Updated, s.Scored));
            });
        }
    }

    [RequiresDockerFact]
    public async Task Both_apis_serve_contracts_to_anyone_and_rows_to_a_token_holder()
    {
        // One token from the dashboard command reads both domains.
        var token = await Tokens.FromDashboardCommandAsync(platform.App, "e2e");
        foreach (var (api, dataset) in new[] { (ResourceNames.SalesApi, "orders"), (ResourceNames.MarketingApi, "leads") })
        {
            using var http = platform.App.CreateHttpClient(api, "http");
            var contract = await http.GetStringAsync($"/contracts/{dataset}.yaml", Timeout);
            Assert.Contains("apiVersion: v3.1.0", contract, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/datasets/{dataset}/rows", Timeout)).StatusCode);

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var page = JsonDocument.Parse(await http.GetStringAsync($"/datasets/{dataset}/rows?limit=5", Timeout));
            Assert.Equal(5, page.RootElement.GetProperty("items").GetArrayLength());
        }
    }

    [RequiresDockerFact]
    public async Task The_seeders_trace_of_the_sales_load_and_the_apis_traces_reach_the_otlp_endpoint()
    {
        await platform.Telemetry.WaitForSpanAsync(s => s.Service == ResourceNames.Seeder && s.Name == "seed sales", TimeSpan.FromSeconds(30), "'seed sales' from the seeder");
        await platform.Telemetry.WaitForSpanAsync(s => s.Service == ResourceNames.Seeder && s.Name == "seed marketing", TimeSpan.FromSeconds(30), "'seed marketing' from the seeder");

        using var http = platform.App.CreateHttpClient(ResourceNames.SalesApi, "http");
        await http.GetStringAsync("/datasets/orders", Timeout);
        await platform.Telemetry.WaitForSpanAsync(s => s.Service == ResourceNames.SalesApi && s.Name.Contains("/datasets/{name}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "for GET /datasets/{name} from sales-api");
    }

    [RequiresDockerFact]
    public void The_databases_keep_their_data_in_volumes_of_this_run_only()
    {
        var (_, names) = Docker.Run("volume", "ls", "--quiet", "--filter", $"name=datameesh-e2e-{platform.RunId}-");
        var mine = names.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"datameesh-e2e-{platform.RunId}-{PlatformContract.Volumes.SalesPostgresData}", mine);
        Assert.Contains($"datameesh-e2e-{platform.RunId}-{PlatformContract.Volumes.MarketingPostgresData}", mine);
        Assert.DoesNotContain(platform.App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .SelectMany(r => r.Annotations.OfType<ContainerMountAnnotation>()), m => m.Type == ContainerMountType.Volume && !m.Source!.StartsWith("datameesh-e2e-", StringComparison.Ordinal));
    }

    [RequiresPlatformImagesFact]
    public async Task The_customer_journey_through_trino_matches_the_seed_data()
    {
        using var http = platform.App.CreateHttpClient(ResourceNames.Trino, "http");
        var trino = new TrinoClient(http, PlatformContract.Users.Analyst);
        var rows = await trino.QueryAsync(CustomerJourney, Timeout);
        var expected = await ExpectedJourneyAsync();

        Assert.Equal(expected.Keys.Order(), rows.Select(r => (r["source"].GetString()!, r["campaign"].GetString()!)).Order());
        foreach (var row in rows)
        {
            var want = expected[(row["source"].GetString()!, row["campaign"].GetString()!)];
            Assert.Equal(want.Leads, row["leads"].GetInt64());
            Assert.Equal(want.Conversions, row["conversions"].GetInt64());
            Assert.Equal((double)want.Conversions / want.Leads, row["conversion_rate"].GetDouble(), 6);
            Assert.Equal(want.Revenue, decimal.Parse(row["revenue"].ToString(), System.Globalization.CultureInfo.InvariantCulture));
            if (want.Conversions > 0)
            {
                Assert.Equal(want.DaysToConvert.Average(), row["avg_days_to_convert"].GetDouble(), 3);
            }
        }

        // The reference sample's story: 15 leads, 6 of them converted into customers who ordered.
        Assert.Equal(15, rows.Sum(r => r["leads"].GetInt64()));
        Assert.Equal(6, rows.Sum(r => r["conversions"].GetInt64()));
        Assert.True(rows.Sum(r => decimal.Parse(r["revenue"].ToString(), System.Globalization.CultureInfo.InvariantCulture)) > 0);
    }

    /// <summary>
    /// The views' money and ratios reach Trino as the decimals their migrations declare (DataMeesh.Tests checks the same
    /// against the connector's documented mapping; this is the real connector), and notebook 01's funnel query runs.
    /// </summary>
    [RequiresPlatformImagesFact]
    public async Task The_views_money_and_ratio_columns_are_visible_through_trino_as_declared_decimals()
    {
        using var http = platform.App.CreateHttpClient(ResourceNames.Trino, "http");
        var trino = new TrinoClient(http, PlatformContract.Users.Analyst);
        var expected = new Dictionary<string, string>
        {
            ["sales.sales_summary.total_revenue"] = "decimal(18,2)", ["sales.sales_summary.avg_order_value"] = "decimal(14,2)",
            ["sales.customer_lifetime_value.lifetime_value"] = "decimal(18,2)", ["sales.customer_lifetime_value.avg_order_value"] = "decimal(14,2)",
            ["sales.product_performance.total_revenue"] = "decimal(18,2)", ["sales.product_performance.avg_discount"] = "decimal(5,2)",
            ["marketing.campaign_performance.remaining_budget"] = "decimal(12,2)", ["marketing.campaign_performance.budget_utilization_pct"] = "decimal(5,2)",
            ["marketing.campaign_performance.conversion_rate"] = "decimal(5,2)", ["marketing.lead_funnel.avg_lead_score"] = "decimal(5,2)",
        };

        var visible = new Dictionary<string, string>();
        foreach (var catalog in new[] { "sales", "marketing" })
        {
            foreach (var row in await trino.QueryAsync(
                         $"SELECT table_name, column_name, data_type FROM {catalog}.information_schema.columns WHERE table_schema = 'public'", Timeout))
            {
                visible[$"{catalog}.{row["table_name"].GetString()}.{row["column_name"].GetString()}"] = row["data_type"].GetString()!;
            }
        }

        Assert.All(expected, column => Assert.True(visible.TryGetValue(column.Key, out var type) && type == column.Value,
            $"{column.Key}: Trino shows {visible.GetValueOrDefault(column.Key) ?? "nothing"}, expected {column.Value}"));
        var funnel = await trino.QueryAsync("SELECT status, lead_count, avg_lead_score FROM marketing.public.lead_funnel", Timeout);
        Assert.Equal(15, funnel.Sum(r => r["lead_count"].GetInt64()));
    }

    /// <summary>
    /// The AppHost's wiring of the PII policy on the domain half: the reader logins cannot select a personal column, the
    /// PII-entitled logins can, and both APIs hash e-mails with the same pii-key, so the pseudonyms link converted leads.
    /// </summary>
    [RequiresDockerFact]
    public async Task The_reader_logins_see_no_personal_column_and_the_domains_pseudonyms_join()
    {
        async Task<NpgsqlConnection> LoginAsync(string database, string role, string passwordParameter)
        {
            var builder = new NpgsqlConnectionStringBuilder(await platform.App.GetConnectionStringAsync(database))
            {
                Username = role, Password = TestSecrets.Values[passwordParameter], Pooling = false,
            };
            var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
            return connection;
        }

        async Task<List<string>> ColumnAsync(NpgsqlConnection connection, string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            var values = new List<string>();
            while (await reader.ReadAsync())
            {
                values.Add(reader.GetString(0));
            }

            return values;
        }

        await using var salesReader = await LoginAsync(ResourceNames.SalesDatabase, PlatformContract.Roles.SalesReader, PlatformContract.Parameters.SalesReaderPassword);
        await using var marketingReader = await LoginAsync(ResourceNames.MarketingDatabase, PlatformContract.Roles.MarketingReader, PlatformContract.Parameters.MarketingReaderPassword);
        foreach (var (connection, sql) in new[] { (salesReader, "SELECT email FROM customers"), (salesReader, "SELECT sales_rep FROM orders"),
                     (marketingReader, "SELECT first_name FROM leads"), (marketingReader, "SELECT * FROM leads") })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ColumnAsync(connection, sql));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }

        await using var salesPii = await LoginAsync(ResourceNames.SalesDatabase, PlatformContract.Roles.SalesPiiReader, PlatformContract.Parameters.SalesPiiReaderPassword);
        Assert.All(await ColumnAsync(salesPii, "SELECT email FROM customers"), email => Assert.Contains("@", email, StringComparison.Ordinal));

        var customers = (await ColumnAsync(salesReader, "SELECT email_hash FROM customers")).ToHashSet();
        var converted = await ColumnAsync(marketingReader, "SELECT email_hash FROM leads WHERE converted_at IS NOT NULL");
        Assert.Equal(15, customers.Count);
        Assert.Equal(6, converted.Count(customers.Contains)); // the reference sample: 6 converted leads became customers
    }

    /// <summary>Trino's column masks (platform/trino/rules.json): personal columns are "***" for every group but platform.</summary>
    [RequiresPlatformImagesFact]
    public async Task Trino_masks_personal_columns_for_every_group_but_platform()
    {
        using var http = platform.App.CreateHttpClient(ResourceNames.Trino, "http");
        const string Personal = """
            SELECT email AS value FROM sales.public.customers
            UNION ALL SELECT phone FROM sales.public.customers WHERE phone IS NOT NULL
            UNION ALL SELECT sales_rep FROM sales.public.orders
            UNION ALL SELECT first_name FROM marketing.public.leads
            UNION ALL SELECT last_name FROM marketing.public.leads
            UNION ALL SELECT email FROM marketing.public.leads
            """;
        foreach (var user in new[] { PlatformContract.Users.Analyst, PlatformContract.Users.Alice, PlatformContract.Users.Bob, PlatformContract.Users.Grafana })
        {
            var values = (await new TrinoClient(http, user).QueryAsync(Personal, Timeout)).Select(r => r["value"].GetString()).ToList();
            Assert.NotEmpty(values);
            Assert.All(values, value => Assert.Equal("***", value));
        }

        var entitled = await new TrinoClient(http, PlatformContract.Users.Admin).QueryAsync("SELECT email AS value FROM sales.public.customers", Timeout);
        Assert.All(entitled, row => Assert.Contains("@", row["value"].GetString(), StringComparison.Ordinal));
    }

    [RequiresPlatformImagesFact]
    public async Task Trino_denies_domain_catalogs_to_users_outside_every_group()
    {
        using var http = platform.App.CreateHttpClient(ResourceNames.Trino, "http");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new TrinoClient(http, "stranger").QueryAsync("SELECT count(*) FROM sales.public.customers", Timeout));
        Assert.Contains("Access Denied", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [RequiresPlatformImagesFact]
    public async Task Grafana_has_working_trino_and_postgresql_datasources()
    {
        using var http = platform.App.CreateHttpClient(ResourceNames.Grafana, "http");
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{TestSecrets.Values[PlatformContract.Parameters.GrafanaAdminPassword]}"));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);

        using var datasources = JsonDocument.Parse(await http.GetStringAsync("/api/datasources", Timeout));
        var list = datasources.RootElement.EnumerateArray().ToList();
        Assert.Contains(list, d => d.GetProperty("type").GetString() == "trino-datasource");
        Assert.Contains(list, d => d.GetProperty("type").GetString() is "grafana-postgresql-datasource" or "postgres");
        foreach (var datasource in list)
        {
            var uid = datasource.GetProperty("uid").GetString();
            var health = await http.GetAsync($"/api/datasources/uid/{uid}/health", Timeout);
            Assert.True(health.IsSuccessStatusCode, $"datasource {uid}: {await health.Content.ReadAsStringAsync()}");
        }
    }

    [RequiresPlatformImagesFact]
    public async Task JupyterHub_is_healthy()
    {
        using var http = platform.App.CreateHttpClient(ResourceNames.JupyterHub, "http");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/hub/health", Timeout)).StatusCode);
    }

    [RequiresPlatformImagesFact]
    public async Task The_token_service_asks_the_running_hub_about_hub_tokens()
    {
        // A refusal in the hub's words (401) proves the token service reaches the hub; an unreachable hub would be a 503.
        using var http = platform.App.CreateHttpClient(ResourceNames.TokenService, "http");
        using var request = new HttpRequestMessage(HttpMethod.Post, PlatformTokens.JupyterHubExchangePath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-hub-token");
        using var response = await http.SendAsync(request, Timeout);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("JupyterHub does not accept this token", await response.Content.ReadAsStringAsync(Timeout), StringComparison.Ordinal);
    }

    private sealed record Expected(long Leads, long Conversions, decimal Revenue, List<double> DaysToConvert);

    /// <summary>The same journey computed from the domain databases directly, joined here in memory.</summary>
    private async Task<Dictionary<(string Source, string Campaign), Expected>> ExpectedJourneyAsync()
    {
        var customers = new Dictionary<string, decimal>();
        await using (var sales = new NpgsqlConnection(await platform.App.GetConnectionStringAsync(ResourceNames.SalesDatabase)))
        {
            await sales.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SELECT c.email, coalesce(sum(o.total_amount) FILTER (WHERE o.order_status <> 'Cancelled'), 0)
                FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id GROUP BY c.email
                """, sales);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                customers[reader.GetString(0)] = reader.GetDecimal(1);
            }
        }

        var expected = new Dictionary<(string, string), Expected>();
        await using var marketing = new NpgsqlConnection(await platform.App.GetConnectionStringAsync(ResourceNames.MarketingDatabase));
        await marketing.OpenAsync();
        await using var leads = new NpgsqlCommand("""
            SELECT l.source, coalesce(c.campaign_name, '(no campaign)'), l.email, l.created_at, l.converted_at
            FROM leads l LEFT JOIN campaigns c ON c.campaign_id = l.campaign_id
            """, marketing);
        await using var rows = await leads.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            var key = (rows.GetString(0), rows.GetString(1));
            var entry = expected.TryGetValue(key, out var found) ? found : expected[key] = new Expected(0, 0, 0, []);
            var converted = !rows.IsDBNull(4);
            var revenue = converted && customers.TryGetValue(rows.GetString(2), out var r) ? r : 0;
            if (converted)
            {
                entry.DaysToConvert.Add((rows.GetDateTime(4) - rows.GetDateTime(3)).TotalDays);
            }

            expected[key] = entry with { Leads = entry.Leads + 1, Conversions = entry.Conversions + (converted ? 1 : 0), Revenue = entry.Revenue + revenue };
        }

        return expected;
    }
}
