using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataMeesh.Tests.Infrastructure;
using System.Text.Json.Nodes;
using MiniExcelLibs;
using NJsonSchema;

namespace DataMeesh.Tests.DataProducts;

/// <summary>What consumers read: the product, its datasets, rows in every format, with PII governed. No writes here.</summary>
public sealed class ProductReadTests(DataProductApps apps) : IClassFixture<DataProductApps>
{
    public static TheoryData<string, string[]> Products => new()
    {
        { "sales", ["customers", "products", "orders", "order_items", "sales_summary", "customer_lifetime_value", "product_performance"] },
        { "marketing", ["campaigns", "leads", "campaign_metrics", "website_traffic", "campaign_performance", "lead_funnel"] },
    };

    [Theory]
    [MemberData(nameof(Products))]
    public async Task Anonymous_callers_discover_the_product_and_every_dataset_with_counts_freshness_and_quality(string domain, string[] datasets)
    {
        var client = apps.Api(domain);
        var product = await (await client.GetAsync("/")).JsonAsync();
        Assert.Equal(domain, product.GetProperty("domain").GetString());
        Assert.False(string.IsNullOrEmpty(product.GetProperty("owner").GetProperty("team").GetString()));
        Assert.Equal("confidential", product.GetProperty("classification").GetString());
        Assert.Equal(datasets, product.GetProperty("datasets").EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToArray());

        foreach (var dataset in (await (await client.GetAsync("/datasets")).JsonAsync()).EnumerateArray())
        {
            var name = dataset.GetProperty("name").GetString()!;
            var rows = await apps.Databases.ScalarAsync<long>(domain, $"SELECT count(*) FROM {name}");
            Assert.Equal(rows, dataset.GetProperty("rowCount").GetInt64());
            Assert.InRange(dataset.GetProperty("qualityScore").GetDecimal(), 0m, 100m);
            Assert.Equal($"/datasets/{name}/rows", dataset.GetProperty("links").GetProperty("rows").GetString());
        }
    }

    [Fact]
    public async Task A_dataset_describes_its_columns_from_the_live_schema_and_classifies_pii()
    {
        var customers = await (await apps.Api("sales").GetAsync("/datasets/customers")).JsonAsync();
        var columns = customers.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        var live = await apps.Databases.RowsAsync("sales",
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'customers' ORDER BY ordinal_position");
        Assert.Equal(live.Select(r => (string)r[0]!), columns.Keys);
        foreach (var row in live)
        {
            var column = columns[(string)row[0]!];
            Assert.Equal((string)row[1]!, column.GetProperty("type").GetString());
            Assert.Equal((string)row[2]! == "YES", column.GetProperty("nullable").GetBoolean());
            Assert.False(string.IsNullOrWhiteSpace(column.GetProperty("description").GetString()));
        }

        Assert.Equal(["email", "phone"], columns.Values.Where(c => c.GetProperty("classification").GetString() == "pii")
            .Select(c => c.GetProperty("name").GetString()));
        Assert.NotEqual(JsonValueKind.Null, (await (await apps.Api("sales").GetAsync("/datasets/orders")).JsonAsync()).GetProperty("lastUpdatedAt").ValueKind);
    }

    [Fact]
    public async Task An_unknown_dataset_is_a_404_problem() =>
        await (await apps.Api("sales").GetAsync("/datasets/pg_authid")).ProblemAsync(404);

    [Fact]
    public async Task Rows_need_a_token_and_an_expired_or_forged_token_is_refused()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await apps.Api("sales").GetAsync("/datasets/orders/rows")).StatusCode);
        var expired = apps.Api("sales");
        expired.DefaultRequestHeaders.Authorization = new("Bearer", apps.TokenExpiring(DateTime.UtcNow.AddMinutes(-10)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await expired.GetAsync("/datasets/orders/rows")).StatusCode);
        var forged = apps.Api("sales");
        forged.DefaultRequestHeaders.Authorization = new("Bearer", apps.Token("pii-reader")[..^4] + "AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/datasets/orders/rows")).StatusCode);
    }

    [Fact]
    public async Task Pages_follow_the_cursor_to_every_row_exactly_once_in_the_requested_order()
    {
        var client = apps.Client("sales");
        var expected = (await apps.Databases.RowsAsync("sales", "SELECT item_id FROM order_items ORDER BY quantity DESC, item_id")).Select(r => (long)r[0]!).ToList();
        var seen = new List<long>();
        string? url = "/datasets/order_items/rows?sort=-quantity&limit=7&fields=item_id,quantity";
        while (url is not null)
        {
            var page = await (await client.GetAsync(url)).JsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("item_id").GetInt64()));
            Assert.All(page.GetProperty("items").EnumerateArray(), i => Assert.Equal(2, i.EnumerateObject().Count()));
            url = page.GetProperty("links").GetProperty("next").GetString();
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Nullable_sort_columns_page_correctly_both_ways()
    {
        var client = apps.Client("marketing", "pii-reader");
        foreach (var (sort, order) in new[] { ("converted_at", "converted_at ASC NULLS LAST"), ("-converted_at", "converted_at DESC NULLS FIRST") })
        {
            var expected = (await apps.Databases.RowsAsync("marketing", $"SELECT lead_id FROM leads ORDER BY {order}, lead_id")).Select(r => (long)r[0]!).ToList();
            var seen = new List<long>();
            string? url = $"/datasets/leads/rows?sort={sort}&limit=4";
            while (url is not null)
            {
                var page = await (await client.GetAsync(url)).JsonAsync();
                seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("lead_id").GetInt64()));
                url = page.GetProperty("links").GetProperty("next").GetString();
            }

            Assert.Equal(expected, seen);
        }
    }

    [Fact]
    public async Task Filters_select_exactly_what_sql_selects()
    {
        var client = apps.Client("sales");
        var cases = new (string Query, string Where)[]
        {
            ("region=Europe", "region = 'Europe'"),
            ("region=Europe&region=North%20America", "region IN ('Europe', 'North America')"),
            ("total_amount.gte=50000&total_amount.lt=100000", "total_amount >= 50000 AND total_amount < 100000"),
            ("order_date.gte=2026-06-01T00:00:00Z", "order_date >= '2026-06-01T00:00:00Z'"),
            ("order_status.ne=Cancelled", "order_status <> 'Cancelled'"),
        };
        foreach (var (query, where) in cases)
        {
            var expected = (await apps.Databases.RowsAsync("sales", $"SELECT order_id FROM orders WHERE {where} ORDER BY order_id")).Select(r => (long)r[0]!);
            var page = await (await client.GetAsync($"/datasets/orders/rows?{query}&limit=1000")).JsonAsync();
            Assert.Equal(expected, page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("order_id").GetInt64()));
        }
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("fields=order_id,secret", "fields")]
    [InlineData("sort=sales_rep", "sort")]
    [InlineData("nonsense=1", "nonsense")]
    [InlineData("order_id=abc", "order_id")]
    [InlineData("order_id.like=1", "order_id.like")]
    [InlineData("total_amount.gt=1e999", "total_amount.gt")]
    [InlineData("order_date=yesterday", "order_date")]
    [InlineData("format=pdf", "format")]
    public async Task Bad_row_requests_are_400_problems_naming_the_parameter(string query, string field) =>
        await (await apps.Client("sales").GetAsync($"/datasets/orders/rows?{query}")).ProblemAsync(400, field);

    [Fact]
    public async Task A_cursor_only_works_with_the_query_it_came_from()
    {
        var client = apps.Client("sales");
        var page = await (await client.GetAsync("/datasets/orders/rows?limit=2&sort=-total_amount")).JsonAsync();
        var cursor = page.GetProperty("nextCursor").GetString();
        await (await client.GetAsync($"/datasets/orders/rows?limit=2&sort=order_date&cursor={cursor}")).ProblemAsync(400, "cursor");
    }

    [Fact]
    public async Task Pii_is_masked_for_readers_in_json_csv_and_excel_and_visible_to_pii_readers()
    {
        var secrets = (await apps.Databases.RowsAsync("marketing", "SELECT first_name, last_name, email FROM leads"))
            .SelectMany(r => r.Cast<string>()).Distinct().ToList();
        var reader = apps.Client("marketing");

        var json = await (await reader.GetAsync("/datasets/leads/rows?limit=1000")).Content.ReadAsStringAsync();
        var csvRequest = new HttpRequestMessage(HttpMethod.Get, "/datasets/leads/rows");
        csvRequest.Headers.Accept.ParseAdd("text/csv");
        var csv = await (await reader.SendAsync(csvRequest)).Content.ReadAsStringAsync();
        var xlsx = await reader.GetByteArrayAsync("/datasets/leads/rows?format=xlsx");
        var sheet = string.Join("\n", MiniExcel.Query(new MemoryStream(xlsx)).Cast<IDictionary<string, object?>>().SelectMany(r => r.Values).Select(v => v?.ToString()));
        var campaignLeads = await (await reader.GetAsync("/campaigns/1/leads")).Content.ReadAsStringAsync();
        var oneLead = await (await reader.GetAsync("/leads/1")).Content.ReadAsStringAsync();
        foreach (var body in new[] { json, csv, sheet, campaignLeads, oneLead })
        {
            Assert.Contains("***", body);
            Assert.DoesNotContain(secrets, secret => body.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }

        var piiReader = apps.Client("marketing", "pii-reader");
        var unmasked = await (await piiReader.GetAsync("/datasets/leads/rows?limit=1000")).Content.ReadAsStringAsync();
        Assert.All(secrets, secret => Assert.Contains(secret, unmasked));
        Assert.DoesNotContain("***", unmasked);
    }

    [Fact]
    public async Task Readers_cannot_filter_or_sort_on_pii_which_would_leak_it()
    {
        var email = await apps.Databases.ScalarAsync<string>("sales", "SELECT email FROM customers LIMIT 1");
        await (await apps.Client("sales").GetAsync($"/datasets/customers/rows?email={email}")).ProblemAsync(400);
        await (await apps.Client("sales").GetAsync("/datasets/customers/rows?sort=email")).ProblemAsync(400, "sort");
    }

    [Fact]
    public async Task Csv_streams_the_whole_filtered_result_as_rfc_4180()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/datasets/order_items/rows?fields=item_id,line_total&quantity.gte=2");
        request.Headers.Accept.ParseAdd("text/csv");
        var response = await apps.Client("sales").SendAsync(request);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var expected = await apps.Databases.RowsAsync("sales", "SELECT item_id, line_total FROM order_items WHERE quantity >= 2 ORDER BY item_id");
        Assert.Equal("item_id,line_total", lines[0]);
        Assert.Equal(expected.Select(r => $"{r[0]},{((decimal)r[1]!).ToString(System.Globalization.CultureInfo.InvariantCulture)}"), lines[1..]);
    }

    [Fact]
    public async Task Excel_holds_the_header_and_every_row()
    {
        var response = await apps.Client("sales").GetAsync("/datasets/sales_summary/rows?format=xlsx");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        var rows = MiniExcel.Query(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM sales_summary"), rows.Count);
        Assert.Equal(["month", "order_count", "total_revenue", "avg_order_value", "unique_customers"], rows[0].Keys);
    }

    [Fact]
    public async Task Concurrent_orders_with_items_each_get_their_own_rows()
    {
        // Regression: a row with nested collections hands its connection back before the nested query; disposing it a
        // second time later closed whichever request's reader that pooled connection was serving by then (a 500).
        var sales = apps.Client("sales");
        var expected = (await apps.Databases.RowsAsync("sales", "SELECT order_id, count(*) FROM order_items GROUP BY order_id"))
            .ToDictionary(r => (long)r[0]!, r => (long)r[1]!);
        var responses = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => sales.GetAsync($"/orders/{i % expected.Count + 1}")));
        foreach (var response in responses)
        {
            var order = await response.JsonAsync();
            var id = order.GetProperty("order_id").GetInt64();
            var items = order.GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(expected[id], items.Count);
            Assert.All(items, item => Assert.Equal(id, item.GetProperty("order_id").GetInt64()));
        }
    }

    [Fact]
    public async Task Domain_endpoints_return_customers_orders_with_items_and_campaign_children()
    {
        var sales = apps.Client("sales");
        var order = await (await sales.GetAsync("/orders/1")).JsonAsync();
        var itemCount = await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM order_items WHERE order_id = 1");
        Assert.Equal(itemCount, order.GetProperty("items").GetArrayLength());
        Assert.Equal(await apps.Databases.ScalarAsync<decimal>("sales", "SELECT total_amount FROM orders WHERE order_id = 1"),
            order.GetProperty("total_amount").GetDecimal());
        var customerOrders = await (await sales.GetAsync("/customers/1/orders")).JsonAsync();
        Assert.Equal(await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM orders WHERE customer_id = 1"),
            customerOrders.GetProperty("items").GetArrayLength());
        Assert.Equal("***", (await (await sales.GetAsync("/customers/1")).JsonAsync()).GetProperty("email").GetString());
        await (await sales.GetAsync("/customers/999999")).ProblemAsync(404);
        await (await sales.GetAsync("/customers/999999/orders")).ProblemAsync(404);
        await (await sales.GetAsync("/orders/abc")).ProblemAsync(400, "id");

        var marketing = apps.Client("marketing");
        Assert.Equal(1, (await (await marketing.GetAsync("/campaigns/1")).JsonAsync()).GetProperty("campaign_id").GetInt64());
        var metrics = await (await marketing.GetAsync("/campaigns/1/metrics?limit=1000")).JsonAsync();
        Assert.Equal(await apps.Databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM campaign_metrics WHERE campaign_id = 1"),
            metrics.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task The_openapi_document_describes_every_operation_for_client_generation()
    {
        var document = await (await apps.Api("sales").GetAsync("/openapi/v1.json")).JsonAsync();
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/", "/datasets", "/datasets/{name}", "/datasets/{name}/rows", "/contracts", "/contracts/{dataset}.yaml",
                     "/quality", "/quality/runs", "/customers/{id}", "/customers/{id}/orders", "/orders/{id}", "/orders" })
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"OpenAPI lacks {path}");
            foreach (var operation in item.EnumerateObject())
            {
                Assert.False(string.IsNullOrEmpty(operation.Value.GetProperty("operationId").GetString()), $"{path} {operation.Name} has no operationId");
                Assert.True(operation.Value.GetProperty("responses").EnumerateObject().Any(), $"{path} {operation.Name} has no responses");
            }
        }

        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("Bearer", out _));
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("NewOrder", out _));
        Assert.Equal(HttpStatusCode.OK, (await apps.Api("sales").GetAsync("/scalar/")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Products))]
    public async Task The_openapi_document_types_every_dataset_and_real_rows_validate_against_it(string domain, string[] datasets)
    {
        var text = await (await apps.Api(domain).GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync();
        var document = JsonNode.Parse(text)!;
        var schemas = document["components"]!["schemas"]!;
        var client = apps.Client(domain, "pii-reader");
        foreach (var dataset in datasets)
        {
            var pascal = string.Concat(dataset.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
            var row = schemas[pascal + "Row"]!;
            var columns = (await (await apps.Api(domain).GetAsync($"/datasets/{dataset}")).JsonAsync()).GetProperty("columns").EnumerateArray().ToList();
            Assert.Equal(columns.Select(c => c.GetProperty("name").GetString()!).Order(), row["properties"]!.AsObject().Select(p => p.Key).Order());

            var operation = document["paths"]![$"/datasets/{dataset}/rows"]!["get"]!;
            Assert.Equal($"Get{pascal}Rows", operation["operationId"]!.GetValue<string>());
            Assert.Equal($"#/components/schemas/{pascal}Page", operation["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
            var parameters = operation["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToHashSet();
            Assert.Superset(new HashSet<string> { "limit", "cursor", "sort", "fields", "format" }, parameters);
            foreach (var column in columns)
            {
                var name = column.GetProperty("name").GetString()!;
                var pii = column.GetProperty("classification").GetString() == "pii";
                // PII is never a filter (403); every other filterable column is documented with its operators.
                Assert.Equal(!pii && column.GetProperty("filterable").GetBoolean(), parameters.Contains(name) && parameters.Contains(name + ".gte"));
                if (pii)
                {
                    Assert.Contains("pii-reader", row["properties"]![name]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
                }
            }

            // A real page, with PII visible, validates against the published page schema (types, formats, nullability).
            // NJsonSchema resolves references under "definitions" only, so the document's schemas move there.
            var definitions = schemas.ToJsonString().Replace("#/components/schemas/", "#/definitions/", StringComparison.Ordinal);
            var root = new JsonObject { ["$ref"] = $"#/definitions/{pascal}Page", ["definitions"] = JsonNode.Parse(definitions) };
            var schema = await JsonSchema.FromJsonAsync(root.ToJsonString());
            var page = await (await client.GetAsync($"/datasets/{dataset}/rows?limit=1000")).Content.ReadAsStringAsync();
            Assert.True(JsonNode.Parse(page)!["items"]!.AsArray().Count > 0, $"{dataset} has no rows to validate");
            var errors = schema.Validate(page);
            Assert.True(errors.Count == 0, $"{dataset}: " + string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}")));
        }

        if (domain == "sales")
        {
            var order = document["paths"]!["/orders/{id}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;
            Assert.Equal("#/components/schemas/OrdersRow", order["allOf"]![0]!["$ref"]!.GetValue<string>());
            Assert.Equal("#/components/schemas/OrderItemsRow", order["allOf"]![1]!["properties"]!["items"]!["items"]!["$ref"]!.GetValue<string>());
            Assert.Equal("#/components/schemas/OrdersPage",
                document["paths"]!["/customers/{id}/orders"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        }

        // Every reference in the document resolves.
        foreach (Match reference in Regex.Matches(text, "\"\\$ref\":\\s*\"#/components/schemas/([^\"]+)\""))
        {
            Assert.True(schemas[reference.Groups[1].Value] is not null, $"dangling reference {reference.Value}");
        }
    }
}
