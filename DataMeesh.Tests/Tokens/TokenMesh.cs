using DataMeesh.Tests.Infrastructure;
using DataMeesh.Tests.Workspace;

namespace DataMeesh.Tests.Tokens;

/// <summary>
/// Seeded databases, the token service and both data-product APIs as real processes, wired as the AppHost wires them: the
/// APIs know the token service's address and nothing secret. One per test class (it re-implements IAsyncLifetime to start
/// them after the databases).
/// </summary>
public class TokenMesh : SeededDomains, IAsyncLifetime
{
    internal TokenServiceProcess Tokens { get; private set; } = null!;
    internal (ProjectProcess Process, string Url) Sales { get; private set; }
    internal (ProjectProcess Process, string Url) Marketing { get; private set; }

    /// <summary>The hub the token service asks about hub tokens (none: the hub exchange answers 503).</summary>
    protected virtual string? JupyterHubUrl => null;

    public string ApiUrl(string domain) => domain == "sales" ? Sales.Url : Marketing.Url;

    public HttpClient Client(string domain, string? token = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(ApiUrl(domain)), Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Tokens = await TokenServiceProcess.StartAsync(JupyterHubUrl);
        Sales = await Tokens.StartApiAsync("sales", Databases.ConnectionString("sales"));
        Marketing = await Tokens.StartApiAsync("marketing", Databases.ConnectionString("marketing"));
    }

    public new async Task DisposeAsync()
    {
        Sales.Process?.Dispose();
        Marketing.Process?.Dispose();
        Tokens?.Dispose();
        await base.DisposeAsync();
    }
}
