using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DataMeesh.Tests.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// The mesh of <see cref="TokenMesh"/> plus Debian's real JupyterHub on the workspace's own configuration, whose users'
/// servers (stand-ins for JupyterLab) get their API token from the token service in exchange for their hub token.
/// </summary>
public sealed class HubTokenMesh : TokenMesh, IAsyncLifetime
{
    private readonly int hubPort = DebianJupyterHub.ReservePort();
    private readonly Dictionary<string, JsonElement> servers = [];

    internal DebianJupyterHub Hub { get; private set; } = null!;

    protected override string? JupyterHubUrl => $"http://127.0.0.1:{hubPort}";

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Hub = await DebianJupyterHub.StartAsync(hubPort, new Dictionary<string, string?>
        {
            [PlatformContract.Env.SalesApiUrl] = Sales.Url,
            [PlatformContract.Env.MarketingApiUrl] = Marketing.Url,
            [PlatformContract.Env.TokenServiceUrl] = Tokens.Url,
        });
    }

    /// <summary>What <paramref name="user"/>'s server got: its API token (or the error) and its own hub token. Spawned once per user.</summary>
    internal async Task<JsonElement> ServerAsync(string user)
    {
        if (!servers.TryGetValue(user, out var server))
        {
            servers[user] = server = await Hub.SpawnAndReadAsync(user, "stand-in-token.json", TimeSpan.FromSeconds(90));
        }

        Assert.False(server.TryGetProperty("error", out var error), $"{user}'s server got no token: {error}\n{Tokens.Output}");
        return server;
    }

    public new async Task DisposeAsync()
    {
        if (Hub is not null)
        {
            await Hub.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

/// <summary>
/// The workspace hands each hub user a token: the token service asks the real hub whose server token it was sent and
/// grants what that user's hub groups grant, and refuses every token the hub does not vouch for as a user's.
/// </summary>
public sealed class HubTokenExchangeTests(HubTokenMesh mesh) : IClassFixture<HubTokenMesh>
{
    [Theory]
    [InlineData(PlatformContract.Users.Alice, "sales-steward,sales-writer")]
    [InlineData(PlatformContract.Users.Bob, "marketing-steward,marketing-writer")]
    [InlineData(PlatformContract.Users.Analyst, "")]
    [InlineData(PlatformContract.Users.Admin, "marketing-steward,sales-steward")]
    public async Task Each_hub_user_gets_a_short_lived_token_with_the_roles_of_their_hub_groups(string user, string roles)
    {
        var token = new JsonWebToken((await mesh.ServerAsync(user)).GetProperty("token").GetString());

        Assert.Equal(user, token.Subject);
        Assert.Equal(PlatformTokens.Issuer, token.Issuer);
        Assert.Equal([PlatformTokens.Audience], token.Audiences);
        Assert.Equal(roles, string.Join(',', token.Claims.Where(c => c.Type == "role").Select(c => c.Value)));
        Assert.Equal(TimeSpan.FromMinutes(30), token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public async Task A_hub_users_token_is_honoured_by_both_apis_as_far_as_their_roles_go()
    {
        var token = (await mesh.ServerAsync(PlatformContract.Users.Bob)).GetProperty("token").GetString();

        Assert.Equal(HttpStatusCode.Created, (await mesh.Client("marketing", token).PostAsync("/quality/runs", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mesh.Client("sales", token).PostAsync("/quality/runs", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await mesh.Client("sales", token).GetAsync("/datasets/orders/rows?limit=1")).StatusCode);
    }

    [Fact]
    public async Task A_token_the_hub_does_not_know_is_refused()
    {
        using var response = await ExchangeAsync("not-a-hub-token");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Contains("JupyterHub does not accept this token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hub_token_that_is_not_a_users_is_refused()
    {
        using var response = await ExchangeAsync(mesh.Hub.ServiceToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("only a user's server token is exchanged", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_servers_hub_token_is_exchanged_only_while_the_server_runs()
    {
        // The other tests only read the API token this server got at its start, which stays valid until it expires.
        const string User = PlatformContract.Users.Analyst;
        var hubToken = (await mesh.ServerAsync(User)).GetProperty("hubToken").GetString()!;
        using (var running = await ExchangeAsync(hubToken))
        {
            Assert.Equal(HttpStatusCode.OK, running.StatusCode);
        }

        using (var client = mesh.Hub.Api())
        using (var stop = await client.DeleteAsync($"users/{User}/server"))
        {
            Assert.True(stop.IsSuccessStatusCode, $"DELETE /hub/api/users/{User}/server: {(int)stop.StatusCode}");
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            using var response = await ExchangeAsync(hubToken);
            status = response.StatusCode;
            if (status == HttpStatusCode.Unauthorized)
            {
                break;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    private async Task<HttpResponseMessage> ExchangeAsync(string hubToken)
    {
        using var client = new HttpClient { BaseAddress = new Uri(mesh.Tokens.Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hubToken);
        return await client.PostAsync(PlatformTokens.JupyterHubExchangePath, null);
    }
}
