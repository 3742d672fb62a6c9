using System.Net;
using System.Text;
using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.DataProducts;

/// <summary>Writes keep the domains live: computed totals, one transaction, idempotency keys, roles and clear refusals.</summary>
public sealed class ProductWriteTests(DataProductApps apps) : IClassFixture<DataProductApps>
{
    private static object Order(long productId = 1, int quantity = 2, decimal discount = 10m) => new
    {
        customerId = 1, paymentMethod = "Invoice", salesRep = "Ann Lee", region = "Europe",
        items = new[] { new { productId, quantity, discountPercent = discount }, new { productId = 2L, quantity = 1, discountPercent = 0m } },
    };

    [Fact]
    public async Task An_order_is_placed_with_prices_and_totals_from_the_catalogue()
    {
        var response = await apps.Client("sales", "sales-writer").PostJsonAsync("/orders", Order());
        var order = await response.JsonAsync(HttpStatusCode.Created);
        var id = order.GetProperty("order_id").GetInt64();
        Assert.Equal($"/orders/{id}", response.Headers.Location?.ToString());
        var expected = await apps.Databases.ScalarAsync<decimal>("sales",
            "SELECT round(2 * (SELECT price FROM products WHERE product_id = 1) * 0.9, 2) + (SELECT price FROM products WHERE product_id = 2)");
        Assert.Equal(expected, order.GetProperty("total_amount").GetDecimal());
        Assert.Equal(expected, await apps.Databases.ScalarAsync<decimal>("sales", $"SELECT total_amount FROM orders WHERE order_id = {id}"));
        Assert.Equal(2L, await apps.Databases.ScalarAsync<long>("sales", $"SELECT count(*) FROM order_items WHERE order_id = {id}"));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_idempotency_key_create_exactly_one_order()
    {
        var client = apps.Client("sales", "sales-writer");
        var before = await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM orders");
        var keys = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid().ToString()).ToList();
        var responses = await Task.WhenAll(keys.SelectMany(key => Enumerable.Range(0, 6).Select(_ => client.PostJsonAsync("/orders", Order(), key))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(before + keys.Count, await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM orders"));
        foreach (var group in responses.GroupBy(r => r.RequestMessage!.Headers.GetValues("Idempotency-Key").Single()))
        {
            var bodies = await Task.WhenAll(group.Select(r => r.Content.ReadAsStringAsync()));
            Assert.Single(bodies.Distinct());
            Assert.Equal(group.Count() - 1, group.Count(r => r.Headers.Contains("Idempotent-Replayed")));
        }
    }

    [Fact]
    public async Task A_key_reused_for_a_different_request_is_refused()
    {
        var client = apps.Client("sales", "sales-writer");
        var key = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync("/orders", Order(quantity: 1), key)).StatusCode);
        await (await client.PostJsonAsync("/orders", Order(quantity: 3), key)).ProblemAsync(422, "Idempotency-Key");
        await (await client.PostJsonAsync("/orders", Order(), new string('k', 300))).ProblemAsync(400, "Idempotency-Key");
    }

    [Fact]
    public async Task Invalid_orders_are_refused_with_the_field_and_leave_no_row()
    {
        var client = apps.Client("sales", "sales-writer");
        var before = await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM orders");
        await (await client.PostJsonAsync("/orders", Order(productId: 999_999))).ProblemAsync(400, "items[0].productId");
        await (await client.PostJsonAsync("/orders", Order(quantity: -1))).ProblemAsync(400, "items[0].quantity");
        await (await client.PostJsonAsync("/orders", Order(discount: 150))).ProblemAsync(400, "items[0].discountPercent");
        await (await client.PostJsonAsync("/orders", new { customerId = 999_999, paymentMethod = "Invoice", salesRep = "A", region = "Europe",
            items = new[] { new { productId = 1, quantity = 1 } } })).ProblemAsync(400, "customerId");
        await (await client.PostJsonAsync("/orders", new { customerId = 1, paymentMethod = "Bitcoin", salesRep = "A", region = "Europe",
            items = new[] { new { productId = 1, quantity = 1 } } })).ProblemAsync(400, "paymentMethod");
        await (await client.PostJsonAsync("/orders", new { customerId = 1, items = Array.Empty<object>() })).ProblemAsync(400, "items");
        await (await client.SendAsync(Raw("/orders", """{"customerId": "one", "items": []}"""))).ProblemAsync(400, "customerId");
        await (await client.SendAsync(Raw("/orders", """{"customerId": 1, "items": [{"productId": 1, "quantity": 99999999999999999999}]}""")))
            .ProblemAsync(400, "items[0].quantity");
        await (await client.SendAsync(Raw("/orders", "{not json"))).ProblemAsync(400);
        await (await client.SendAsync(Raw("/orders", "{\"salesRep\": \"" + new string('x', 100_000) + "\"}"))).ProblemAsync(413);
        Assert.Equal(before, await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM orders"));
    }

    [Fact]
    public async Task Writing_needs_the_writer_role_and_quality_runs_the_steward_role()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await apps.Api("sales").PostJsonAsync("/orders", Order())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await apps.Client("sales", "pii-reader").PostJsonAsync("/orders", Order())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await apps.Client("marketing", "marketing-writer").PostAsync("/quality/runs", null)).StatusCode);
    }

    [Fact]
    public async Task Leads_and_campaign_metrics_are_recorded_once_and_conflicts_are_409()
    {
        var client = apps.Client("marketing", DataProductApps.WriterRoles("marketing"));
        var email = $"new.lead.{Guid.NewGuid():N}@example.com";
        var lead = new { firstName = "Nora", lastName = "Quist", email = email.ToUpperInvariant(), leadSource = "LinkedIn", leadScore = 71, campaignId = 1 };
        var key = Guid.NewGuid().ToString();
        var first = await (await client.PostJsonAsync("/leads", lead, key)).JsonAsync(HttpStatusCode.Created);
        var replay = await (await client.PostJsonAsync("/leads", lead, key)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(first.GetProperty("lead_id").GetInt64(), replay.GetProperty("lead_id").GetInt64());
        Assert.Equal(1L, await apps.Databases.ScalarAsync<long>("marketing", $"SELECT count(*) FROM leads WHERE email = '{email}'"));
        Assert.DoesNotContain("Nora", first.ToString());
        await (await client.PostJsonAsync("/leads", lead)).ProblemAsync(409, "email");
        await (await client.PostJsonAsync("/leads", lead with { email = "not-an-email" })).ProblemAsync(400, "email");
        await (await client.PostJsonAsync("/leads", lead with { email = "x@example.com", leadSource = "Carrier pigeon" })).ProblemAsync(400, "leadSource");
        await (await client.PostJsonAsync("/leads", lead with { email = "y@example.com", campaignId = 999_999 })).ProblemAsync(400, "campaignId");

        var day = apps.AsOf.AddYears(-20).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture); // before every seeded campaign day
        var metrics = new { metricDate = day, impressions = 1000, clicks = 50, conversions = 5, costPerClick = 1.25m };
        var created = await (await client.PostJsonAsync("/campaigns/1/metrics", metrics)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(10.00m, created.GetProperty("conversion_rate").GetDecimal());
        await (await client.PostJsonAsync("/campaigns/1/metrics", metrics)).ProblemAsync(409);
        await (await client.PostJsonAsync("/campaigns/999999/metrics", metrics)).ProblemAsync(404);
        await (await client.PostJsonAsync("/campaigns/1/metrics", metrics with { clicks = 5000 })).ProblemAsync(400, "clicks");
    }

    [Fact]
    public async Task Keyset_paging_returns_each_row_once_while_orders_are_being_placed()
    {
        var reader = apps.Client("sales");
        var writer = apps.Client("sales", "sales-writer");
        var existing = (await apps.Databases.RowsAsync("sales", "SELECT order_id FROM orders ORDER BY order_id")).Select(r => (long)r[0]!).ToHashSet();
        using var stop = new CancellationTokenSource();
        var inserting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await writer.PostJsonAsync("/orders", Order());
            }
        });

        var seen = new List<long>();
        string? url = "/datasets/orders/rows?limit=3&fields=order_id";
        while (url is not null && seen.Count < 10_000)
        {
            var page = await (await reader.GetAsync(url)).JsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("order_id").GetInt64()));
            url = page.GetProperty("links").GetProperty("next").GetString();
            if (seen.Count > existing.Count + 30)
            {
                break; // enough pages interleaved with inserts
            }
        }

        await stop.CancelAsync();
        await inserting;
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Subset(seen.ToHashSet(), existing);
    }

    private static HttpRequestMessage Raw(string url, string json) =>
        new(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
