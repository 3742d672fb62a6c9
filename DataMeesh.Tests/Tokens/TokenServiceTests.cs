extern alias TokenService;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataMeesh.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using HubGroupRoles = TokenService::DataMeesh.TokenService.HubGroupRoles;
using TokenSigner = TokenService::DataMeesh.TokenService.TokenSigner;

namespace DataMeesh.Tests.Tokens;

/// <summary>
/// One token flow for the whole mesh: the token service is the only issuer, both APIs (real processes, configured as the
/// AppHost configures them) accept its tokens and nothing signed otherwise, and its roles are what the APIs authorise.
/// </summary>
public sealed class TokenServiceTests(TokenMesh mesh) : IClassFixture<TokenMesh>
{
    private static readonly string[] PiiReaderOnly = [PlatformRoles.PiiReader];
    private static readonly string[] NoSuchRole = ["root"];
    private static readonly string[] AdminRole = ["admin"];

    [Fact]
    public async Task One_token_reads_both_domains()
    {
        var token = await mesh.Tokens.TokenAsync("reader");
        using var sales = mesh.Client("sales", token);
        using var marketing = mesh.Client("marketing", token);

        Assert.Equal(HttpStatusCode.OK, (await sales.GetAsync("/datasets/customers/rows?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await marketing.GetAsync("/datasets/leads/rows?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sales.GetAsync("/quality")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await marketing.GetAsync("/quality")).StatusCode);
    }

    [Fact]
    public async Task A_tokens_roles_are_what_the_apis_authorise()
    {
        var steward = await mesh.Tokens.TokenAsync("sales-team", PlatformRoles.StewardOf("sales"));
        var reader = await mesh.Tokens.TokenAsync("reader");

        Assert.Equal(HttpStatusCode.Created, (await mesh.Client("sales", steward).PostAsync("/quality/runs", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mesh.Client("marketing", steward).PostAsync("/quality/runs", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mesh.Client("sales", reader).PostAsync("/quality/runs", null)).StatusCode);
    }

    [Fact]
    public async Task The_apis_accept_no_token_the_token_service_did_not_sign()
    {
        var claims = new ClaimsIdentity([new Claim("sub", "forger"), new Claim("role", PlatformRoles.StewardOf("sales"))]);
        // Right issuer and audience, but another ES256 key (an API's own key, if it had one, would be just that).
        var otherKey = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "forged" };
        // The token service's secret used as an HMAC key: the secret itself signs nothing the APIs accept.
        var secretAsHmacKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(mesh.Tokens.SigningKey));
        foreach (var credentials in new[]
                 {
                     new SigningCredentials(otherKey, SecurityAlgorithms.EcdsaSha256),
                     new SigningCredentials(secretAsHmacKey, SecurityAlgorithms.HmacSha256),
                 })
        {
            var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = PlatformTokens.Issuer,
                Audience = PlatformTokens.Audience,
                Subject = claims,
                Expires = DateTime.UtcNow.AddMinutes(10),
                SigningCredentials = credentials,
            });
            foreach (var domain in new[] { "sales", "marketing" })
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await mesh.Client(domain, forged).GetAsync("/quality")).StatusCode);
                Assert.Equal(HttpStatusCode.Unauthorized, (await mesh.Client(domain, forged).PostAsync("/quality/runs", null)).StatusCode);
            }
        }
    }

    [Fact]
    public async Task The_published_keys_are_public_keys_only()
    {
        using var client = new HttpClient { BaseAddress = new Uri(mesh.Tokens.Url) };
        var discovery = JsonDocument.Parse(await client.GetStringAsync(PlatformTokens.DiscoveryPath)).RootElement;
        Assert.Equal(PlatformTokens.Issuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal(mesh.Tokens.Url + PlatformTokens.KeysPath, discovery.GetProperty("jwks_uri").GetString());

        var keys = JsonDocument.Parse(await client.GetStringAsync(PlatformTokens.KeysPath)).RootElement.GetProperty("keys").EnumerateArray().ToList();
        var key = Assert.Single(keys);
        Assert.Equal(["alg", "crv", "kid", "kty", "use", "x", "y"], key.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("crv").GetString());
        Assert.Equal(PlatformTokens.Algorithm, key.GetProperty("alg").GetString());
    }

    [Fact]
    public async Task The_token_verb_prints_a_token_both_apis_accept()
    {
        var run = await ProjectProcess.RunAsync("DataMeesh.TokenService", ["token", "--role", PlatformRoles.StewardOf("marketing"), "--subject", "cli-user"],
            new Dictionary<string, string?> { [PlatformContract.TokenEnv.SigningKey] = mesh.Tokens.SigningKey });
        Assert.True(run.ExitCode == 0, run.Error);
        var token = run.Output.Trim();

        Assert.Equal(HttpStatusCode.Created, (await mesh.Client("marketing", token).PostAsync("/quality/runs", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await mesh.Client("sales", token).GetAsync("/quality")).StatusCode);
        var claims = new JsonWebToken(token);
        Assert.Equal("cli-user", claims.Subject);
        Assert.Equal(PlatformTokens.Algorithm, claims.Alg);
    }

    [Fact]
    public async Task A_token_minted_with_another_secret_is_refused()
    {
        var run = await ProjectProcess.RunAsync("DataMeesh.TokenService", ["token"],
            new Dictionary<string, string?> { [PlatformContract.TokenEnv.SigningKey] = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)) });
        Assert.True(run.ExitCode == 0, run.Error);

        Assert.Equal(HttpStatusCode.Unauthorized, (await mesh.Client("sales", run.Output.Trim()).GetAsync("/quality")).StatusCode);
    }

    [Theory]
    [InlineData("a-long-enough-secret-for-the-token-service", new[] { "token", "--role", "admin" }, "Argument 'admin' not recognized")]
    [InlineData("a-long-enough-secret-for-the-token-service", new[] { "token", "--lifetime", "forever" }, "--lifetime must be a time span written hh:mm:ss")]
    [InlineData("short", new[] { "token" }, "Tokens:SigningKey must be a secret of at least 32 characters")]
    [InlineData(null, new[] { "token" }, "Tokens:SigningKey must be a secret of at least 32 characters")]
    public async Task The_token_verb_refuses_bad_input_with_exit_code_2(string? signingKey, string[] arguments, string message)
    {
        var run = await ProjectProcess.RunAsync("DataMeesh.TokenService", arguments,
            new Dictionary<string, string?> { [PlatformContract.TokenEnv.SigningKey] = signingKey });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output.Trim());
    }

    [Fact]
    public async Task The_service_does_not_start_without_a_signing_key()
    {
        var run = await ProjectProcess.RunAsync("DataMeesh.TokenService", [],
            new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Infrastructure.LocalPorts.Free()}", [PlatformContract.TokenEnv.SigningKey] = null },
            TimeSpan.FromMinutes(1));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Tokens:SigningKey must be a secret of at least 32 characters", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_developer_endpoint_needs_the_developer_key_and_known_roles()
    {
        using var client = new HttpClient { BaseAddress = new Uri(mesh.Tokens.Url) };
        using var anonymous = await client.PostAsJsonAsync(PlatformTokens.DeveloperPath, new { roles = PiiReaderOnly });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", mesh.Tokens.SigningKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync(PlatformTokens.DeveloperPath, new { roles = Array.Empty<string>() })).StatusCode);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", mesh.Tokens.DeveloperKey);
        using var unknown = await client.PostAsJsonAsync(PlatformTokens.DeveloperPath, new { roles = AdminRole });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var problem = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("No such role: admin", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(PlatformRoles.PiiReader, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_hub_the_exchange_says_so()
    {
        using var client = new HttpClient { BaseAddress = new Uri(mesh.Tokens.Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "some-hub-token");
        using var response = await client.PostAsync(PlatformTokens.JupyterHubExchangePath, null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("not connected to a JupyterHub", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_signing_key_follows_from_the_secret_alone()
    {
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var (first, second) = (new TokenSigner(secret), new TokenSigner(secret));
        Assert.Equal(first.KeyId, second.KeyId); // every replica and every restart signs with the same key
        Assert.NotEqual(first.KeyId, new TokenSigner(Convert.ToHexString(RandomNumberGenerator.GetBytes(32))).KeyId);

        var issued = first.Issue("someone", PiiReaderOnly, TimeSpan.FromMinutes(5), issuedFor: "test");
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(issued.AccessToken, new TokenValidationParameters
        {
            ValidIssuer = PlatformTokens.Issuer,
            ValidAudience = PlatformTokens.Audience,
            IssuerSigningKey = second.PublicKey,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal([PlatformRoles.PiiReader], issued.Roles);
        Assert.Throws<ArgumentException>(() => first.Issue("someone", NoSuchRole, TimeSpan.FromMinutes(5), issuedFor: "test"));
    }

    [Fact]
    public void Every_hub_group_declares_what_it_grants_on_the_apis_and_none_grants_personal_data()
    {
        // The hub's groups are Trino's (platform/trino/groups.txt, platform/jupyterhub/jupyterhub_config.py).
        Assert.Equal(PlatformContract.Users.Groups.Keys.Order(StringComparer.Ordinal), HubGroupRoles.ByGroup.Keys.Order(StringComparer.Ordinal));
        Assert.All(HubGroupRoles.ByGroup.Values.SelectMany(roles => roles), role => Assert.Contains(role, PlatformRoles.All));
        Assert.DoesNotContain(PlatformRoles.PiiReader, HubGroupRoles.ByGroup.Values.SelectMany(roles => roles));
        Assert.Empty(HubGroupRoles.For(["no-such-group"]));
    }
}
