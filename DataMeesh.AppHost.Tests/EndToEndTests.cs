using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DataMeesh.AppHost.Tests.Infrastructure;
using Npgsql;
using Resources = DataMeesh.PlatformContract.Resources;

namespace DataMeesh.AppHost.Tests;

/// <summary>The running mesh: both APIs, the cross-domain customer journey through Trino, Grafana's datasources, JupyterHub.</summary>
public sealed class EndToEndTests(RunningPlatform platform) : IClassFixture<RunningPlatform>
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    // Leads (marketing) joined by email to the customers they became and those customers' orders (sales).
    private const string CustomerJourney = """
        WITH journey AS (
            SELECT l.lead_id, l.source, coalesce(c.campaign_name, '(no campaign)') AS campaign, l.created_at, l.converted_at,
                   cu.customer_id
            FROM marketing.public.leads l
            LEFT JOIN marketing.public.campaigns c ON c.campaign_id = l.campaign_id
            LEFT JOIN sales.public.customers cu ON cu.email = l.email AND l.converted_at IS NOT NULL
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

    [RequiresDockerFact]
    public async Task Both_apis_serve_their_datasets_contracts_and_rows_to_a_reader()
    {
        foreach (var api in (string[])[ResourceNames.SalesApi, ResourceNames.MarketingApi])
        {
            using var http = platform.App.CreateHttpClient(api, "http");
            // The product description, datasets and contracts are public; rows need a token.
            using var datasets = JsonDocument.Parse(await http.GetStringAsync("/datasets", Timeout));
            var name = FirstName(datasets.RootElement) ?? throw new Xunit.Sdk.XunitException($"{api}: /datasets lists no dataset name");
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/datasets/{Uri.EscapeDataString(name)}/rows", Timeout)).StatusCode);

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Create("e2e", "reader"));

            var rows = await http.GetAsync($"/datasets/{Uri.EscapeDataString(name)}/rows", Timeout);
            Assert.Equal(HttpStatusCode.OK, rows.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/contracts", Timeout)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health", Timeout)).StatusCode);
        }
    }

    [RequiresDockerFact]
    public async Task The_customer_journey_through_trino_matches_the_seed_data()
    {
        using var http = platform.App.CreateHttpClient(Resources.Trino, "http");
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

    [RequiresDockerFact]
    public async Task Trino_denies_domain_catalogs_to_users_outside_every_group()
    {
        using var http = platform.App.CreateHttpClient(Resources.Trino, "http");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new TrinoClient(http, "stranger").QueryAsync("SELECT count(*) FROM sales.public.customers", Timeout));
        Assert.Contains("Access Denied", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [RequiresDockerFact]
    public async Task Grafana_has_working_trino_and_postgresql_datasources()
    {
        using var http = platform.App.CreateHttpClient(Resources.Grafana, "http");
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

    [RequiresDockerFact]
    public async Task JupyterHub_is_healthy_on_its_documented_port()
    {
        Assert.Equal(PlatformContract.Ports.JupyterHubHost, platform.App.GetEndpoint(Resources.JupyterHub, "http").Port);
        using var http = platform.App.CreateHttpClient(Resources.JupyterHub, "http");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/hub/health", Timeout)).StatusCode);
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

    private static string? FirstName(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => element.EnumerateArray().Select(FirstName).FirstOrDefault(n => n is not null),
        JsonValueKind.Object when element.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String => name.GetString(),
        JsonValueKind.Object => element.EnumerateObject().Select(p => FirstName(p.Value)).FirstOrDefault(n => n is not null),
        _ => null,
    };
}
