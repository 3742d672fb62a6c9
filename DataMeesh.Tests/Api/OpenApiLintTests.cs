using System.Text.Json.Nodes;
using DataMeesh.Tests.DataProducts;

namespace DataMeesh.Tests.Api;

/// <summary>
/// Both APIs' OpenAPI documents (served, with the catalog loaded) are lint-clean under Spectral and Redocly, and say
/// what the APIs do: who may call each operation, what a write takes, what a row may hold.
/// </summary>
public sealed class OpenApiLintTests(DataProductApps apps) : IClassFixture<DataProductApps>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head"];

    [Fact]
    public async Task Both_documents_have_no_spectral_or_redocly_error_or_warning()
    {
        var documents = new Dictionary<string, string>
        {
            ["sales.json"] = await apps.Api("sales").GetStringAsync("/openapi/v1.json"),
            ["marketing.json"] = await apps.Api("marketing").GetStringAsync("/openapi/v1.json"),
        };

        var findings = await OpenApiLinters.LintAsync(documents);

        Assert.True(findings.Count == 0, "Lint findings (fix them, or switch a rule off in DataMeesh.Tests/Api/OpenApiLint with its reason):\n" +
                                         string.Join('\n', findings));
    }

    [Theory]
    [InlineData("sales")]
    [InlineData("marketing")]
    public async Task Every_protected_operation_declares_401_and_anonymous_ones_need_no_token(string domain)
    {
        var document = await DocumentAsync(domain);
        var servers = document["servers"]!.AsArray();
        Assert.Equal("/", (string?)Assert.Single(servers)!["url"]); // relative: never the caller's Host header

        foreach (var (path, method, operation) in Operations(document))
        {
            var security = operation["security"]?.AsArray();
            Assert.True(security is not null, $"{method} {path} does not say whether it needs a token");
            var responses = operation["responses"]!.AsObject();
            var anonymous = security!.Count == 0;
            // What the API answers without a token decides what the document must say.
            var status = (int)(await apps.Api(domain).SendAsync(new HttpRequestMessage(new HttpMethod(method), Concrete(path)))).StatusCode;
            if (anonymous)
            {
                Assert.True(status != 401, $"{method} {path} is documented as anonymous but answers 401 without a token");
                Assert.False(responses.ContainsKey("401"), $"{method} {path} is anonymous but declares 401");
            }
            else
            {
                Assert.True(status == 401, $"{method} {path} is documented as protected but answers {status} without a token");
                Assert.True(responses.ContainsKey("401"), $"{method} {path} needs a token but does not declare 401");
            }
        }
    }

    [Theory]
    [InlineData("sales")]
    [InlineData("marketing")]
    public async Task A_403_is_declared_only_where_a_role_or_personal_data_can_refuse_the_call(string domain)
    {
        var document = await DocumentAsync(domain);
        var product = JsonNode.Parse(await apps.Api(domain).GetStringAsync("/"))!;
        var piiFilterable = new HashSet<string>();
        foreach (var dataset in product["datasets"]!.AsArray())
        {
            var name = (string)dataset!["name"]!;
            var columns = JsonNode.Parse(await apps.Api(domain).GetStringAsync($"/datasets/{name}"))!["columns"]!.AsArray();
            if (columns.Any(c => (string?)c!["classification"] == "pii" && ((bool)c["filterable"]! || (bool)c["sortable"]!)))
            {
                piiFilterable.Add($"/datasets/{name}/rows");
            }
        }

        foreach (var (path, method, operation) in Operations(document))
        {
            var declares403 = operation["responses"]!.AsObject().ContainsKey("403");
            var rolePolicy = method == "post"; // every write and the quality run need a domain role
            var expected = rolePolicy || piiFilterable.Contains(path) || (path == "/datasets/{name}/rows" && piiFilterable.Count > 0);
            Assert.True(declares403 == expected, $"{method} {path}: 403 declared {declares403}, expected {expected}");
        }
    }

    [Theory]
    [InlineData("sales", "/orders")]
    [InlineData("marketing", "/leads")]
    [InlineData("marketing", "/campaigns/{id}/metrics")]
    public async Task Writes_declare_their_idempotency_key_and_take_numbers_as_numbers(string domain, string path)
    {
        var document = await DocumentAsync(domain);
        var operation = document["paths"]![path]!["post"]!;
        var key = operation["parameters"]!.AsArray().Single(p => (string?)p!["name"] == "Idempotency-Key");
        Assert.Equal("header", (string?)key!["in"]);
        Assert.Equal(255, (int?)key["schema"]!["maxLength"]);
        Assert.NotNull(operation["responses"]!["201"]!["headers"]!["Idempotent-Replayed"]);
        Assert.NotNull(operation["responses"]!["422"]);

        // No number anywhere in the document may be read from a string (the web defaults typed them ["integer","string"]).
        var text = document.ToJsonString();
        Assert.DoesNotContain("\"string\",\"integer\"", text.Replace("\"integer\",\"string\"", "\"string\",\"integer\""));
        Assert.DoesNotContain("\"number\",\"string\"", text);
    }

    [Fact]
    public async Task A_new_order_requires_only_what_has_no_default_and_lists_accepted_values_as_enums()
    {
        var schemas = (await DocumentAsync("sales"))["components"]!["schemas"]!;
        var order = schemas["NewOrder"]!;
        Assert.Equal(["customerId", "items", "paymentMethod", "region", "salesRep"], order["required"]!.AsArray().Select(r => (string)r!).Order());
        Assert.Equal("integer", (string?)order["properties"]!["customerId"]!["type"]);
        Assert.Equal(["Credit Card", "Wire Transfer", "Invoice", "Purchase Order"],
            order["properties"]!["paymentMethod"]!["enum"]!.AsArray().Select(v => (string)v!));
        Assert.Contains("Cancelled", order["properties"]!["orderStatus"]!["enum"]!.AsArray().Select(v => (string?)v));
        Assert.Equal(["productId", "quantity"], schemas["NewOrderItem"]!["required"]!.AsArray().Select(r => (string)r!).Order());

        var lead = (await DocumentAsync("marketing"))["components"]!["schemas"]!["NewLead"]!;
        Assert.DoesNotContain("status", lead["required"]!.AsArray().Select(r => (string)r!));
        Assert.Contains("Direct", lead["properties"]!["leadSource"]!["enum"]!.AsArray().Select(v => (string?)v));
    }

    [Fact]
    public async Task Row_schemas_require_no_column_and_every_rows_200_has_a_json_schema()
    {
        var document = await DocumentAsync("sales");
        var orders = document["components"]!["schemas"]!["OrdersRow"]!;
        Assert.Null(orders["required"]); // fields= drops columns
        Assert.Contains("Pending", orders["properties"]!["order_status"]!["enum"]!.AsArray().Select(v => (string?)v));

        foreach (var (path, _, operation) in Operations(document).Where(o => o.Path.EndsWith("/rows", StringComparison.Ordinal)))
        {
            var json = operation["responses"]!["200"]!["content"]!["application/json"]?["schema"]?["$ref"];
            Assert.True(json is not null, $"GET {path}: no JSON schema for the 200");
        }

        Assert.Equal("#/components/schemas/RowsPage", (string?)document["paths"]!["/datasets/{name}/rows"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]);
    }

    private async Task<JsonNode> DocumentAsync(string domain) => JsonNode.Parse(await apps.Api(domain).GetStringAsync("/openapi/v1.json"))!;

    private static IEnumerable<(string Path, string Method, JsonNode Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(m => Methods.Contains(m.Key)).Select(m => (path.Key, m.Key, m.Value!)));

    private static string Concrete(string path) => path.Replace("{id}", "1").Replace("{name}", "orders").Replace("{dataset}", "orders");
}
