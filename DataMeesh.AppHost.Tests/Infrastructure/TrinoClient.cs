using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DataMeesh.AppHost.Tests.Infrastructure;

/// <summary>
/// Trino's HTTP client protocol (POST /v1/statement, then follow nextUri until it is gone). Trino.Client has no package
/// on nuget.org whose id and version could be confirmed (shared/reference/aspire-13.5.md §7), so the test speaks the
/// protocol itself rather than risk a restore failure.
/// </summary>
public sealed class TrinoClient(HttpClient http, string user)
{
    public async Task<List<Dictionary<string, JsonElement>>> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/statement") { Content = new StringContent(sql, Encoding.UTF8, "text/plain") };
        request.Headers.Add("X-Trino-User", user);
        request.Headers.Add("X-Trino-Source", "datameesh-apphost-tests");
        var page = await SendAsync(request, cancellationToken);

        var rows = new List<Dictionary<string, JsonElement>>();
        string[]? columns = null;
        while (true)
        {
            if (page.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"Trino: {error.GetProperty("message").GetString()}");
            }

            if (columns is null && page.TryGetProperty("columns", out var columnList))
            {
                columns = [.. columnList.EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];
            }

            if (page.TryGetProperty("data", out var data))
            {
                rows.AddRange(data.EnumerateArray().Select(row => row.EnumerateArray()
                    .Select((value, i) => (columns![i], value.Clone())).ToDictionary(p => p.Item1, p => p.Item2)));
            }

            if (!page.TryGetProperty("nextUri", out var next))
            {
                return rows;
            }

            using var follow = new HttpRequestMessage(HttpMethod.Get, next.GetString());
            follow.Headers.Add("X-Trino-User", user);
            page = await SendAsync(follow, cancellationToken);
        }
    }

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return document.RootElement.Clone();
    }
}
