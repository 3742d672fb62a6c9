using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using DataMeesh.Tests.Infrastructure;
using ApiEnv = DataMeesh.PlatformContract.ApiEnv;
using TokenEnv = DataMeesh.PlatformContract.TokenEnv;

namespace DataMeesh.Tests.Tokens;

/// <summary>
/// DataMeesh.TokenService as a real process, with a signing secret made for this test and the developer endpoint on (as the
/// AppHost runs it), and the data-product APIs started the way the AppHost configures them: trusting its published key.
/// </summary>
internal sealed class TokenServiceProcess : IDisposable
{
    private readonly ProjectProcess process;

    private TokenServiceProcess(ProjectProcess process, string url, string signingKey, string developerKey)
    {
        this.process = process;
        Url = url;
        SigningKey = signingKey;
        DeveloperKey = developerKey;
    }

    public string Url { get; }
    public string SigningKey { get; }
    public string DeveloperKey { get; }
    public string Output => process.Output + process.Error;

    /// <summary>Starts the service on <paramref name="port"/> (or a free one) and waits until /health answers.</summary>
    public static async Task<TokenServiceProcess> StartAsync(string? jupyterHubUrl = null, int? port = null)
    {
        var url = $"http://127.0.0.1:{port ?? LocalPorts.Free()}";
        var signingKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var developerKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var process = ProjectProcess.Start("DataMeesh.TokenService", [], new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = url,
            [TokenEnv.SigningKey] = signingKey,
            [TokenEnv.DeveloperKey] = developerKey,
            [TokenEnv.JupyterHubUrl] = jupyterHubUrl,
        });
        var service = new TokenServiceProcess(process, url, signingKey, developerKey);
        await WaitForHealthAsync(url, process, "the token service");
        return service;
    }

    /// <summary>A token with <paramref name="roles"/> from the developer endpoint (what the dashboard command asks for).</summary>
    public async Task<string> TokenAsync(string subject, params string[] roles)
    {
        using var client = new HttpClient { BaseAddress = new Uri(Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DeveloperKey);
        using var response = await client.PostAsJsonAsync(PlatformTokens.DeveloperPath, new { subject, roles });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /tokens: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("accessToken").GetString()!;
    }

    /// <summary>A domain API as an operator runs it, configured exactly as the AppHost configures it (PlatformContract.ApiEnv).</summary>
    public async Task<(ProjectProcess Process, string Url)> StartApiAsync(string domain, string connectionString)
    {
        var url = $"http://127.0.0.1:{LocalPorts.Free()}";
        var process = ProjectProcess.Start(domain == "sales" ? "DataMeesh.SalesApi" : "DataMeesh.MarketingApi", [], new Dictionary<string, string?>
        {
            [$"ConnectionStrings__{domain}"] = connectionString,
            ["ASPNETCORE_URLS"] = url,
            [ApiEnv.JwtIssuer] = ApiEnv.Issuer,
            [ApiEnv.JwtAudience] = ApiEnv.Audience,
            [ApiEnv.JwtMetadataAddress] = Url + PlatformTokens.DiscoveryPath,
            [ApiEnv.JwtRequireHttpsMetadata] = "false",
            ["DataProducts__Quality__Interval"] = "01:00:00",
        });
        await WaitForHealthAsync(url, process, $"the {domain} API", path: "/alive");
        return (process, url);
    }

    private static async Task WaitForHealthAsync(string url, ProjectProcess process, string what, string path = "/health")
    {
        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var response = await client.GetAsync(path);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(200);
        }

        Assert.Fail($"{what} did not answer {path} within 60 s.\n{process.Output}\n{process.Error}");
    }

    public void Dispose() => process.Dispose();
}
