using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataMeesh.Tests.Infrastructure;
using DataMeesh.Tests.Tokens;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// Notebook 04 as a hub user runs it: Debian's real JupyterHub, on the workspace's own configuration, spawns alice's
/// server (a stand-in for JupyterLab that runs the notebook from her home with the environment the hub gives it); the
/// notebook gets its token from the token service in exchange for that server's hub token, and reads both data-product
/// APIs, running as real processes on the seeded databases and trusting only the token service's published key. What it
/// prints must be what the APIs' documented /quality and /contracts answers say. At scale 1 and at scale 50.
/// </summary>
public abstract class DataQualityNotebookTests(SeededDomains seeded)
{
    private const string Notebook = "04-data-quality.ipynb";
    private const string User = "alice";

    [Fact]
    public async Task Data_quality_notebook_in_a_hub_users_server_reads_both_apis_with_the_token_the_hub_hands_out()
    {
        await DebianPython.RequireAsync();
        var hubPort = DebianJupyterHub.ReservePort();
        using var tokens = await TokenServiceProcess.StartAsync(jupyterHubUrl: $"http://127.0.0.1:{hubPort}");
        var apis = new Dictionary<string, (ProjectProcess Process, string Url)>();
        try
        {
            var runsBefore = new Dictionary<string, long>();
            foreach (var domain in new[] { "sales", "marketing" })
            {
                // The seeded databases hold a recorded run already; the API's own start-up run comes after it.
                runsBefore[domain] = await seeded.Databases.ScalarAsync<long>(domain, "SELECT coalesce(max(run_id), 0) FROM datameesh.quality_runs");
                apis[domain] = await tokens.StartApiAsync(domain, seeded.Databases.ConnectionString(domain));
            }

            var testToken = await tokens.TokenAsync("notebook-test");
            var quality = new Dictionary<string, JsonElement>();
            var contracts = new Dictionary<string, int>();
            foreach (var (domain, api) in apis)
            {
                quality[domain] = await WaitForQualityRunAsync(domain, api.Process, api.Url, testToken, runsBefore[domain]);
                using var client = new HttpClient { BaseAddress = new Uri(api.Url) };
                contracts[domain] = JsonDocument.Parse(await client.GetStringAsync("/contracts")).RootElement.GetArrayLength();
            }

            // What the AppHost passes the jupyterhub container (PlatformContract.Env.JupyterHub): no API token among it.
            await using var hub = await DebianJupyterHub.StartAsync(hubPort, new Dictionary<string, string?>
            {
                [PlatformContract.Env.SalesApiUrl] = apis["sales"].Url,
                [PlatformContract.Env.MarketingApiUrl] = apis["marketing"].Url,
                [PlatformContract.Env.TokenServiceUrl] = tokens.Url,
            }, Notebook);
            var run = await hub.SpawnAndReadAsync(User, "stand-in-notebook.json", TimeSpan.FromMinutes(5));
            Assert.True(run.GetProperty("exitCode").GetInt32() == 0,
                $"{run.GetProperty("stdout").GetString()}\n{run.GetProperty("stderr").GetString()}\n{tokens.Output}");

            var cellOutputs = PlatformFiles.Json(Path.Combine(hub.Home(User), "executed", Notebook))["cells"]!.AsArray().OfType<JsonObject>()
                .SelectMany(cell => cell["outputs"]?.AsArray().OfType<JsonObject>() ?? []).ToList();
            Assert.DoesNotContain(cellOutputs, output => (string?)output["output_type"] == "error");
            var printed = string.Concat(cellOutputs.Where(o => (string?)o["output_type"] == "stream")
                .SelectMany(o => o["text"] is JsonArray lines ? lines.Select(l => (string?)l) : [(string?)o["text"]]));

            var (allChecks, allFailing) = (0, 0);
            foreach (var (domain, report) in quality)
            {
                var now = await WaitForQualityRunAsync(domain, apis[domain].Process, apis[domain].Url, testToken, runsBefore[domain]);
                Assert.True(now.GetProperty("runId").GetInt64() == report.GetProperty("runId").GetInt64(),
                    $"{domain} ran its checks again while the notebook ran; the counts cannot be compared");
                var checks = report.GetProperty("datasets").EnumerateArray().SelectMany(d => d.GetProperty("checks").EnumerateArray()).ToList();
                var failing = checks.Count(c => !c.GetProperty("passed").GetBoolean());
                Assert.Contains($"{domain}: run {report.GetProperty("runId").GetInt64()} ({report.GetProperty("trigger").GetString()}, ", printed);
                Assert.Contains($"{checks.Count} checks on {report.GetProperty("datasets").GetArrayLength()} datasets, {failing} failing", printed);
                (allChecks, allFailing) = (allChecks + checks.Count, allFailing + failing);
            }

            Assert.Contains($"In all: {allChecks} checks, {allFailing} failing", printed);
            Assert.Contains($"{contracts.Values.Sum()} contracts: marketing {contracts["marketing"]}, sales {contracts["sales"]}", printed);
            Assert.Contains("datameesh-sales-orders (ODCS v3.1.0", printed);
            Assert.DoesNotContain("answered 401", printed);
            Assert.DoesNotContain("no API token", printed);
            // The token was alice's own, with what her hub group (sales) grants.
            Assert.Contains($"Issued a token to hub user {User} with roles [sales-steward, sales-writer]", tokens.Output);
            var figure = new FileInfo(Path.Combine(hub.Home(User), "outputs", "04-quality-scores.png"));
            Assert.True(figure.Exists && figure.Length > 5_000, $"{figure.FullName} is missing or nearly empty");
            NotebookRuns.Keep(hub.Home(User), $"04-data-quality-scale-{seeded.Scale}");
        }
        finally
        {
            foreach (var api in apis.Values)
            {
                api.Process.Dispose();
            }
        }
    }

    /// <summary>The API's latest quality report once it is newer than <paramref name="after"/>: the API's own start-up run (polling, up to 90 s on a busy machine).</summary>
    private static async Task<JsonElement> WaitForQualityRunAsync(string domain, ProjectProcess process, string url, string token, long after)
    {
        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var last = "";
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var response = await client.GetAsync("/quality");
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var report = JsonDocument.Parse(last[4..]).RootElement.Clone();
                    if (report.GetProperty("runId").ValueKind == JsonValueKind.Number && report.GetProperty("runId").GetInt64() > after)
                    {
                        return report;
                    }
                }
            }
            catch (HttpRequestException error)
            {
                last = error.Message; // not listening yet
            }

            await Task.Delay(250);
        }

        Assert.Fail($"The {domain} API published no quality run within 90 s (last answer: {last}).\n{process.Output}\n{process.Error}");
        return default;
    }
}

public sealed class DataQualityNotebookAtScale1Tests(SeededDomains seeded) : DataQualityNotebookTests(seeded), IClassFixture<SeededDomains>;

public sealed class DataQualityNotebookAtScale50Tests(SeededDomainsAtScale50 seeded) : DataQualityNotebookTests(seeded), IClassFixture<SeededDomainsAtScale50>;
