using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataMeesh;

/// <summary>
/// Healthy once Trino has finished starting. <c>/v1/info</c> answers 200 while the coordinator is still loading catalogs
/// (<c>"starting": true</c>), so an HTTP status check would let JupyterHub and Grafana start against a Trino that rejects queries.
/// </summary>
public sealed class TrinoStartupCheck(Func<Uri> baseAddress) : IHealthCheck
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(baseAddress(), "/v1/info"), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return HealthCheckResult.Unhealthy($"/v1/info answered {(int)response.StatusCode}.");
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return IsStarted(body)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("Trino is still starting.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            // InvalidOperationException: the endpoint is not allocated yet.
            return HealthCheckResult.Unhealthy("Trino is not reachable yet.", e);
        }
    }

    /// <summary>True only for a <c>/v1/info</c> document that says <c>"starting": false</c>.</summary>
    public static bool IsStarted(string infoJson)
    {
        try
        {
            using var document = JsonDocument.Parse(infoJson);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("starting", out var starting)
                && starting.ValueKind == JsonValueKind.False;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
