extern alias SalesApi;
extern alias MarketingApi;

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using DataMeesh.Tests.Infrastructure;
using DataMeesh.Tests.Seeding;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DataMeesh.Tests.DataProducts;

/// <summary>
/// Both APIs on a freshly migrated, seeded database pair (reference sample, as of today so freshness SLAs hold; or empty,
/// see <see cref="SeedBeforeStart"/>), with a test signing key: tokens for any role set come from <see cref="Client"/>.
/// One instance per test class.
/// </summary>
public class DataProductApps : IAsyncLifetime
{
    public const string Issuer = "datameesh-tests";
    public const string Audience = "datameesh-api";
    public const string ReaderPassword = "reader-password-for-tests";
    public const string PiiReaderPassword = "pii-reader-password-for-tests";
    private readonly byte[] signingKey = RandomNumberGenerator.GetBytes(32);

    public DataProductApps()
        : this(adminConnectionString: null)
    {
    }

    /// <summary>On a server of the test's own (see <see cref="PrivatePostgres"/>) rather than the shared one.</summary>
    internal DataProductApps(string? adminConnectionString) => Databases = new MigratedDatabases(adminConnectionString);

    public MigratedDatabases Databases { get; }

    /// <summary>
    /// The day the sample is seeded as of: today, so the freshness SLAs hold as they would on a fresh load. Tests place
    /// their own rows relative to it, never relative to a second read of the clock (which could fall on the next day).
    /// </summary>
    public DateOnly AsOf { get; } = DateOnly.FromDateTime(DateTime.UtcNow);

    public WebApplicationFactory<SalesApi::Program> Sales { get; private set; } = null!;
    public WebApplicationFactory<MarketingApi::Program> Marketing { get; private set; } = null!;

    /// <summary>The seed scale (1 = the reference sample).</summary>
    protected virtual long Scale => 1;

    /// <summary>False: the APIs start on empty (migrated) databases, for tests that load data while the APIs run.</summary>
    internal bool SeedBeforeStart { get; init; } = true;

    /// <summary>DataProducts:Quality:Interval of the APIs (long by default: tests ask for runs, the schedule stays out of the way).</summary>
    internal TimeSpan QualityInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Another sales API on the same database, as a second replica of one deployment is; the caller disposes it.</summary>
    internal async Task<WebApplicationFactory<SalesApi::Program>> StartSalesReplicaAsync()
    {
        var replica = Configure(new WebApplicationFactory<SalesApi::Program>(), "sales", Databases.Sales);
        await WaitUntilPublishedAsync(replica.CreateClient());
        return replica;
    }

    /// <summary>
    /// Another sales API on the same database behind a real Kestrel listener (for clients in other processes); returns it
    /// and its base address. The caller disposes it.
    /// </summary>
    internal async Task<(WebApplicationFactory<SalesApi::Program> Api, Uri Address)> StartSalesOnKestrelAsync()
    {
        var api = Configure(new WebApplicationFactory<SalesApi::Program>(), "sales", Databases.Sales);
        api.UseKestrel(0);
        api.StartServer();
        var address = api.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)) };
        await WaitUntilPublishedAsync(client);
        return (api, client.BaseAddress);
    }

    /// <summary>A client of <paramref name="api"/> with a plain reader's token.</summary>
    internal HttpClient Reader<T>(WebApplicationFactory<T> api) where T : class
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        return client;
    }

    public async Task InitializeAsync()
    {
        await Databases.InitializeAsync();
        if (SeedBeforeStart)
        {
            await SeedRunner.SeedOrThrowAsync(Databases, SeedRunner.Options(Scale, asOf: AsOf));
        }

        Sales = Configure(new WebApplicationFactory<SalesApi::Program>(), "sales", Databases.Sales);
        Marketing = Configure(new WebApplicationFactory<MarketingApi::Program>(), "marketing", Databases.Marketing);
        await Task.WhenAll(WaitUntilPublishedAsync(Sales.CreateClient()), WaitUntilPublishedAsync(Marketing.CreateClient()));
    }

    public async Task DisposeAsync()
    {
        await Sales.DisposeAsync();
        await Marketing.DisposeAsync();
        await Databases.DisposeAsync();
    }

    /// <summary>
    /// The roles of a writer whose every write of <paramref name="domain"/> lands: the domain's writer role, and pii-reader,
    /// which recording a lead also takes (its answer tells whether an e-mail is on file).
    /// </summary>
    public static string[] WriterRoles(string domain) => [$"{domain}-writer", "pii-reader"];

    public HttpClient Api(string domain) => domain == "sales" ? Sales.CreateClient() : Marketing.CreateClient();

    /// <summary>A client whose requests carry a bearer token with <paramref name="roles"/> (none = a plain reader).</summary>
    public HttpClient Client(string domain, params string[] roles)
    {
        var client = Api(domain);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(roles));
        return client;
    }

    /// <summary>A client signed in as <paramref name="subject"/> (the token's <c>sub</c>) with <paramref name="roles"/>.</summary>
    public HttpClient ClientAs(string domain, string subject, params string[] roles)
    {
        var client = Api(domain);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenExpiring(DateTime.UtcNow.AddHours(1), subject, roles));
        return client;
    }

    public string Token(params string[] roles) => TokenExpiring(DateTime.UtcNow.AddHours(1), roles);

    public string TokenExpiring(DateTime expires, params string[] roles) => TokenExpiring(expires, "test-user", roles);

    public string TokenExpiring(DateTime expires, string subject, string[] roles) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Subject = new System.Security.Claims.ClaimsIdentity([new("sub", subject), .. roles.Select(r => new System.Security.Claims.Claim("role", r))]),
        Expires = expires,
        NotBefore = expires.AddHours(-2),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(signingKey), SecurityAlgorithms.HmacSha256),
    });

    private WebApplicationFactory<T> Configure<T>(WebApplicationFactory<T> factory, string domain, string connectionString) where T : class =>
        factory.WithWebHostBuilder(builder => builder
            .UseSetting($"ConnectionStrings:{domain}", connectionString)
            .UseSetting("Authentication:Schemes:Bearer:ValidIssuer", Issuer)
            .UseSetting("Authentication:Schemes:Bearer:ValidAudiences:0", Audience)
            .UseSetting("Authentication:Schemes:Bearer:SigningKeys:0:Issuer", Issuer)
            .UseSetting("Authentication:Schemes:Bearer:SigningKeys:0:Value", Convert.ToBase64String(signingKey))
            .UseSetting("DataProducts:ReaderPassword", ReaderPassword)
            .UseSetting("DataProducts:PiiReaderPassword", PiiReaderPassword)
            .UseSetting("DataProducts:PiiKey", MigratedDatabases.PiiKey)
            .UseSetting("DataProducts:Quality:Interval", QualityInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Waits until the catalog is loaded and the start-up quality run is stored.</summary>
    private async Task WaitUntilPublishedAsync(HttpClient client)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync("/quality");
            last = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode && JsonDocument.Parse(last).RootElement.GetProperty("runId").ValueKind == JsonValueKind.Number)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"The API did not publish its product within 60 s: {last}");
    }
}

/// <summary>Helpers for reading API responses in tests.</summary>
public static class ApiResponses
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, System.Net.HttpStatusCode expected = System.Net.HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem with the status and (optionally) the field at fault.</summary>
    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, int status, string? field = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        if (field is not null)
        {
            Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), $"No error for field '{field}': {body}");
        }

        return problem;
    }

    public static Task<HttpResponseMessage> PostJsonAsync<T>(this HttpClient client, string url, T body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request);
    }
}
