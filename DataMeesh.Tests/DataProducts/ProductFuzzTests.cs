using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataMeesh.Tests.Infrastructure;
using DataMeesh.Tests.Seeding;
using Xunit.Abstractions;

namespace DataMeesh.Tests.DataProducts;

/// <summary>
/// Thousands of malformed and hostile requests: never a 5xx, never a framework's text, never a changed database. The
/// attack of issue 16 kept in CI, bounded in count and time.
/// </summary>
public sealed class ProductFuzzTests(DataProductApps apps, ITestOutputHelper output) : IClassFixture<DataProductApps>
{
    /// <summary>Requests per domain, and the time after which a slow machine stops early (and says how far it got).</summary>
    private const int AttackRequests = 2500;
    private static readonly TimeSpan AttackTimeBox = TimeSpan.FromSeconds(150);

    [Theory]
    [InlineData("sales", 20261201)]
    [InlineData("marketing", 20261202)]
    public async Task Requests_generated_from_the_published_openapi_document_get_no_5xx_no_framework_text_and_refused_writes_change_nothing(
        string domain, int seed)
    {
        var api = apps.Api(domain);
        var document = JsonNode.Parse(await api.GetStringAsync("/openapi/v1.json"))!.AsObject();
        var datasets = (await (await api.GetAsync("/datasets")).JsonAsync()).EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToList();
        var attack = new OpenApiAttack(seed, document, await ServedValues.ReadAsync(apps, domain, datasets), datasets);
        var other = domain == "sales" ? "marketing" : "sales";
        var credentials = new List<(string What, string? Token, bool Forged)>
        {
            ("anonymous", null, false), ("reader", apps.Token(), false), ("pii-reader", apps.Token("pii-reader"), false),
            ("writer ann", apps.TokenExpiring(DateTime.UtcNow.AddHours(1), "ann", [$"{domain}-writer"]), false),
            ("writer bob", apps.TokenExpiring(DateTime.UtcNow.AddHours(1), "bob", [$"{domain}-writer", "pii-reader"]), false),
            ("steward", apps.Token($"{domain}-steward"), false), ($"{other} writer", apps.Token($"{other}-writer", $"{other}-steward"), false),
            ("bare writer role", apps.Token("writer", "steward"), false),
        };
        credentials.AddRange(OpenApiAttack.JwtAttacks(apps, domain).Select(a => ($"forged token ({a.What})", (string?)a.Token, true)));

        // Which operations need a token: an anonymous, plausible request to each answers 401 or not.
        var needsToken = new Dictionary<OpenApiAttack.Operation, bool>();
        foreach (var operation in attack.Operations)
        {
            using var probe = attack.Build(operation);
            needsToken[operation] = (await api.SendAsync(probe)).StatusCode == HttpStatusCode.Unauthorized;
        }

        var writes = attack.Operations.Where(o => o.Method == "POST").ToList();
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();
        var (writesAccepted, writesRefused) = (0, 0);
        var clock = Stopwatch.StartNew();
        var sent = 0;
        for (; sent < AttackRequests && clock.Elapsed < AttackTimeBox && failures.Count < 25; sent++)
        {
            // Writes are where hostile text meets the database: two requests in five are writes.
            var operation = attack.Next(5) < 2 ? attack.Pick(writes) : attack.Operations[attack.Next(attack.Operations.Count)];
            using var request = attack.Build(operation);
            var isWrite = operation.Method == "POST";
            // Writes mostly go with a credential that may write, so hostile bodies reach validation and the database.
            var credential = isWrite && attack.Next(4) > 0 ? credentials[3 + attack.Next(3)] : credentials[attack.Next(credentials.Count)];
            OpenApiAttack.AddAuthorization(request, credential.Token);
            if (isWrite && attack.Next(3) == 0)
            {
                request.Headers.TryAddWithoutValidation("Idempotency-Key",
                    attack.Next(4) == 0 ? attack.Pick<string>(["fuzz-key", "fuzz-key-2", "k\u00e9y", new string('k', 300), " ", ""]) : Guid.NewGuid().ToString());
            }

            var requestBody = request.Content is null ? null : await request.Content.ReadAsStringAsync();
            var before = isWrite ? await ServedValues.ChecksumAsync(apps, domain) : null;
            var response = await api.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var what = OpenApiAttack.Describe(request, credential.What, requestBody);

            CheckAnswer(response, body, what, failures);

            // A forged token is no identity: never a success, and never a 403 (which would mean it was taken for someone).
            if (credential.Forged && needsToken[operation] && (response.IsSuccessStatusCode || status == 403))
            {
                failures.Add($"{status} for {what}");
            }

            if (isWrite)
            {
                if (response.IsSuccessStatusCode)
                {
                    writesAccepted++;
                    if (credential.Token is null || credential.Forged || credential.What.Contains(other, StringComparison.Ordinal) || credential.What == "bare writer role")
                    {
                        failures.Add($"{status}: a write accepted for {what}");
                    }
                }
                else
                {
                    writesRefused++;
                    var after = await ServedValues.ChecksumAsync(apps, domain);
                    var changed = after.Where(t => before!.GetValueOrDefault(t.Key) != t.Value).Select(t => t.Key).ToList();
                    if (changed.Count > 0)
                    {
                        failures.Add($"{status} refused a write that changed {string.Join(", ", changed)}: {what}");
                    }
                }
            }
        }

        output.WriteLine($"{domain}: {sent} requests in {clock.Elapsed.TotalSeconds:0.0} s over {attack.Operations.Count} operations; " +
                         $"writes accepted {writesAccepted}, refused {writesRefused}; statuses " +
                         string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}x{s.Value}")));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(sent >= 200, $"Only {sent} requests within {AttackTimeBox.TotalSeconds} s.");
        Assert.True(writesRefused > 0 && writesAccepted > 0, $"The attack must both get writes refused and accepted (accepted {writesAccepted}, refused {writesRefused}).");
    }

    [Theory]
    [InlineData("sales", 20261211)]
    [InlineData("marketing", 20261212)]
    public async Task Concurrent_hostile_traffic_gets_no_5xx_and_no_refused_write_lands(string domain, int seed)
    {
        const int Workers = 8, RequestsEach = 150;
        var api = apps.Api(domain);
        var document = JsonNode.Parse(await api.GetStringAsync("/openapi/v1.json"))!.AsObject();
        var datasets = (await (await api.GetAsync("/datasets")).JsonAsync()).EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToList();
        var served = await ServedValues.ReadAsync(apps, domain, datasets);
        var other = domain == "sales" ? "marketing" : "sales";
        // Every write here must be refused: credentials that may not write this domain, or a writer's body with a NUL.
        var refusedCredentials = new List<string?> { null, apps.Token(), apps.Token("pii-reader", "writer"), apps.Token($"{other}-writer") };
        refusedCredentials.AddRange(OpenApiAttack.JwtAttacks(apps, domain).Select(a => (string?)a.Token));
        var readCredentials = refusedCredentials.Append(apps.Token("pii-reader", $"{domain}-writer")).ToList();
        var writer = apps.Token(DataProductApps.WriterRoles(domain));
        var before = await ServedValues.ChecksumAsync(apps, domain);

        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var attack = new OpenApiAttack(seed + worker, document, served, datasets);
            var nulBodies = attack.Operations.Where(o => o.BodySchema is not null)
                .SelectMany(o => attack.Substitutions(o.BodySchema!, OpenApiAttack.Unicode).Where(x => x.Value.Contains('\0', StringComparison.Ordinal))
                    .Select(x => (Operation: o, x.Json)))
                .ToList();
            var client = apps.Api(domain);
            for (var i = 0; i < RequestsEach; i++)
            {
                var operation = attack.Operations[attack.Next(attack.Operations.Count)];
                using var request = attack.Build(operation);
                string? token;
                if (operation.Method != "POST")
                {
                    token = attack.Pick(readCredentials);
                }
                else if (operation.BodySchema is not null && attack.Next(2) == 0)
                {
                    var (nulOperation, json) = attack.Pick(nulBodies);
                    request.Method = HttpMethod.Post;
                    request.RequestUri = new Uri(nulOperation.Path.Replace("{id}", "1", StringComparison.Ordinal), UriKind.Relative);
                    request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                    token = writer;
                }
                else
                {
                    token = attack.Pick(refusedCredentials);
                }

                OpenApiAttack.AddAuthorization(request, token);
                var requestBody = request.Content is null ? null : await request.Content.ReadAsStringAsync();
                var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var what = OpenApiAttack.Describe(request, token == writer ? "writer" : "a credential that may not write", requestBody);
                var found = new List<string>();
                CheckAnswer(response, body, what, found);
                if (request.Method == HttpMethod.Post && response.IsSuccessStatusCode)
                {
                    found.Add($"{(int)response.StatusCode}: a write accepted for {what}");
                }

                found.ForEach(failures.Enqueue);
            }
        })));

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(25)));
        var after = await ServedValues.ChecksumAsync(apps, domain);
        Assert.Equal(before.OrderBy(t => t.Key), after.OrderBy(t => t.Key));
        // And the pool is healthy afterwards: a plausible write by a writer lands.
        var plausible = new OpenApiAttack(seed, document, served, datasets);
        var write = plausible.Operations.First(o => o.BodySchema is not null && !o.Path.Contains('{', StringComparison.Ordinal));
        var landed = await apps.Client(domain, DataProductApps.WriterRoles(domain)).PostAsync(write.Path,
            new StringContent(plausible.PlausibleBody(write.BodySchema!).Replace("\"email\":\"", $"\"email\":\"{Guid.NewGuid():N}.", StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        Assert.True((int)landed.StatusCode < 500, $"{(int)landed.StatusCode}: {await landed.Content.ReadAsStringAsync()}");
    }

    /// <summary>What every answer must be: below 500, free of framework text, and an RFC 9457 problem when it is an error.</summary>
    private static void CheckAnswer(HttpResponseMessage response, string body, string what, List<string> failures)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            failures.Add($"{status} for {what}: {body[..Math.Min(body.Length, 300)]}");
        }

        if (OpenApiAttack.Leaks.FirstOrDefault(leak => body.Contains(leak, StringComparison.Ordinal)) is { } leaked)
        {
            failures.Add($"'{leaked.Trim()}' in the body of {status} for {what}");
        }

        if (status >= 400 && !IsProblem(response, body, status))
        {
            failures.Add($"{status} without a problem body ({OpenApiAttack.ContentType(response)}, {body.Length} chars) for {what}");
        }
    }

    private static bool IsProblem(HttpResponseMessage response, string body, int status)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return false;
        }

        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("status", out var s) && s.GetInt32() == status && problem.RootElement.TryGetProperty("title", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }


    private static readonly string[] Hostile =
    [
        "'; DROP TABLE orders; --", "\" OR 1=1 --", "1; DELETE FROM customers", "$$; SELECT pg_sleep(10); $$", "\\x00", "\0", "%00", "../../etc/passwd",
        "🙂💥", "名前", "\u202e", new string('9', 400), "-9223372036854775809", "1e309", "NaN", "Infinity", "null", "true", "[]", "{}", "<script>",
        "2026-13-45", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", " ", "", "%", "_", "*", ",", ",,,", "-", "--email",
    ];

    private static readonly string[] Parameters =
        ["limit", "cursor", "sort", "fields", "format", "order_id", "order_id.gte", "email", "customer_id.lt", "region", "x.y.z", "total_amount.ne", "1"];

    [Fact]
    public async Task Thousands_of_malformed_requests_get_no_5xx_and_change_nothing()
    {
        var before = await SeedRunner.FingerprintAsync(apps.Databases);
        var random = new Random(20261123);
        var reader = apps.Client("sales");
        var writer = apps.Client("sales", "sales-writer");
        string Pick() => random.Next(3) == 0 ? RandomText(random) : Hostile[random.Next(Hostile.Length)];
        // The in-memory test server refuses NUL in a path before the API sees it (Kestrel answers 400), so paths go without.
        string PickForPath() => Pick().Replace("\0", "", StringComparison.Ordinal);
        var datasets = new[] { "orders", "customers", "order_items", "sales_summary", "nope", "pg_class", "orders;", "" };

        var failures = new List<string>();
        for (var i = 0; i < 2500; i++)
        {
            HttpResponseMessage response;
            string description;
            switch (i % 5)
            {
                case 0 or 1:
                    var query = string.Join("&", Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
                        Uri.EscapeDataString(random.Next(4) == 0 ? Pick() : Parameters[random.Next(Parameters.Length)]) + "=" + Uri.EscapeDataString(Pick())));
                    description = $"GET /datasets/{datasets[i % datasets.Length]}/rows?{query}";
                    response = await reader.GetAsync($"/datasets/{Uri.EscapeDataString(datasets[i % datasets.Length])}/rows?{query}");
                    break;
                case 2:
                    var customer = PickForPath();
                    description = $"GET /customers/{customer}/orders";
                    response = await reader.GetAsync($"/customers/{Uri.EscapeDataString(customer)}/orders?limit={Uri.EscapeDataString(Pick())}");
                    break;
                case 3:
                    var body = MalformedOrder(random, Pick);
                    description = $"POST /orders {body}";
                    response = await writer.PostAsync("/orders", new StringContent(body, Encoding.UTF8, "application/json"));
                    break;
                default:
                    var contract = PickForPath();
                    description = $"GET /contracts/{contract}.yaml";
                    response = await reader.GetAsync($"/contracts/{Uri.EscapeDataString(contract)}.yaml");
                    break;
            }

            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.Created)
            {
                failures.Add($"{(int)response.StatusCode} for {description[..Math.Min(300, description.Length)]}");
            }
        }

        Assert.Empty(failures);
        Assert.Equal(before, await SeedRunner.FingerprintAsync(apps.Databases));
    }

    // Orders that are wrong in one way or another: no request here may create a row.
    private static string MalformedOrder(Random random, Func<string> pick) => random.Next(6) switch
    {
        0 => pick(),
        1 => $$"""{"customerId": {{Quote(pick())}}, "items": [{"productId": 1, "quantity": 1}]}""",
        2 => $$"""{"customerId": 1, "paymentMethod": {{Quote(pick())}}, "salesRep": "A", "region": "Europe", "items": [{"productId": 1, "quantity": 1}]}""",
        3 => $$"""{"customerId": 1, "paymentMethod": "Invoice", "salesRep": "A", "region": "Europe", "items": [{"productId": {{random.Next(-5, 0)}}, "quantity": 1}]}""",
        4 => $$"""{"customerId": 1, "paymentMethod": "Invoice", "salesRep": "A", "region": "Europe", "items": [{"productId": 1, "quantity": {{Quote(pick())}}}]}""",
        _ => $$"""{"customerId": 1, "paymentMethod": "Invoice", "salesRep": "A", "region": {{Quote(pick())}}, "items": [{"productId": 1, "quantity": 0}]}""",
    };

    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static string RandomText(Random random)
    {
        var length = random.Next(0, 40);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = random.Next(4) == 0 ? (char)random.Next(0x20, 0x2FFF) : (char)random.Next(0x20, 0x7F);
        }

        return new string(chars).Replace('\uD800', '?');
    }
}
