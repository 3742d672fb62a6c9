using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataMeesh.TokenService;

/// <summary>A hub user as <c>GET /hub/api/user</c> describes the owner of a token.</summary>
public sealed record HubUser(
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("groups")] string[]? Groups);

/// <summary>The hub said no, or could not be asked: the message is safe to show the caller.</summary>
public sealed class HubRefusedException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}

/// <summary>
/// Asks JupyterHub who owns a token: the hub is the only judge of its own tokens (a server's JUPYTERHUB_API_TOKEN), so
/// the token service never stores or checks them itself.
/// </summary>
public sealed class JupyterHubUsers(HttpClient http)
{
    public async Task<HubUser> WhoOwnsAsync(string hubToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "hub/api/user");
        request.Headers.Authorization = new AuthenticationHeaderValue("token", hubToken);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            throw new HubRefusedException(HttpStatusCode.ServiceUnavailable, $"JupyterHub ({http.BaseAddress}) cannot be reached to check the token: {e.Message}");
        }

        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new HubRefusedException(HttpStatusCode.Unauthorized,
                    "JupyterHub does not accept this token. Send your server's own JUPYTERHUB_API_TOKEN (it changes when the server restarts).");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new HubRefusedException(HttpStatusCode.BadGateway, $"JupyterHub answered {(int)response.StatusCode} when asked who owns the token.");
            }

            HubUser? user;
            try
            {
                user = await response.Content.ReadFromJsonAsync<HubUser>(cancellationToken);
            }
            catch (JsonException)
            {
                user = null;
            }

            if (user?.Name is not { Length: > 0 })
            {
                throw new HubRefusedException(HttpStatusCode.BadGateway, "JupyterHub's answer to GET /hub/api/user names no user.");
            }

            return user;
        }
    }
}
