using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataMeesh.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// Notebook 04 headless against both data-product APIs running as real processes on the seeded databases, each API with
/// a signing key of its own and the notebook given one token per API (SALES_API_TOKEN, MARKETING_API_TOKEN): what it
/// prints must be what the APIs' documented /quality and /contracts answers say. At scale 1 and at scale 50.
/// </summary>
public abstract class DataQualityNotebookTests(SeededDomains seeded)
{
    private const string Issuer = "datameesh-notebook-tests";
    private const string Audience = "datameesh-api";

    [Fact]
    public async Task Data_quality_notebook_reports_the_apis_checks_and_contracts_with_one_token_per_api()
    {
        await DebianPython.RequireAsync();
        var work = Directory.CreateTempSubdirectory("datameesh-nb04-");
        var apis = new Dictionary<string, (ProjectProcess Process, string Url, string Token)>();
        try
        {
            var runsBefore = new Dictionary<string, long>();
            foreach (var (domain, project) in new[] { ("sales", "DataMeesh.SalesApi"), ("marketing", "DataMeesh.MarketingApi") })
            {
                // The seeded databases hold a recorded run already; the API's own start-up run comes after it.
                runsBefore[domain] = await seeded.Databases.ScalarAsync<long>(domain, "SELECT coalesce(max(run_id), 0) FROM datameesh.quality_runs");
                apis[domain] = StartApi(domain, project);
            }

            var quality = new Dictionary<string, JsonElement>();
            var contracts = new Dictionary<string, int>();
            foreach (var (domain, api) in apis)
            {
                quality[domain] = await WaitForQualityRunAsync(domain, api.Process, api.Url, api.Token, runsBefore[domain]);
                using var client = new HttpClient { BaseAddress = new Uri(api.Url) };
                contracts[domain] = JsonDocument.Parse(await client.GetStringAsync("/contracts")).RootElement.GetArrayLength();
            }

            var outputs = Path.Combine(work.FullName, "outputs");
            var environment = new Dictionary<string, string?>
            {
                ["PYTHONPATH"] = PlatformFiles.PathOf("jupyterhub"),
                ["DATAMEESH_OUTPUT_DIR"] = outputs,
                ["MPLCONFIGDIR"] = Path.Combine(work.FullName, "matplotlib"),
                ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1",
                ["PYTHONDONTWRITEBYTECODE"] = "1",
                ["SALES_API_URL"] = apis["sales"].Url,
                ["MARKETING_API_URL"] = apis["marketing"].Url,
                ["SALES_API_TOKEN"] = apis["sales"].Token,
                ["MARKETING_API_TOKEN"] = apis["marketing"].Token,
                ["DATAMEESH_API_TOKEN"] = "", // each API must get its own token, not a shared one
            };
            var notebook = PlatformFiles.PathOf("notebooks", "04-data-quality.ipynb");
            var run = await ProcessResult.RunAsync(DebianPython.Jupyter,
                ["nbconvert", "--to", "notebook", "--execute", notebook, "--output-dir", work.FullName, "--ExecutePreprocessor.timeout=300"],
                environment, TimeSpan.FromMinutes(5), work.FullName);
            Assert.True(run.ExitCode == 0, run.Describe());

            var cellOutputs = PlatformFiles.Json(Path.Combine(work.FullName, "04-data-quality.ipynb"))["cells"]!.AsArray().OfType<JsonObject>()
                .SelectMany(cell => cell["outputs"]?.AsArray().OfType<JsonObject>() ?? []).ToList();
            Assert.DoesNotContain(cellOutputs, output => (string?)output["output_type"] == "error");
            var printed = string.Concat(cellOutputs.Where(o => (string?)o["output_type"] == "stream")
                .SelectMany(o => o["text"] is JsonArray lines ? lines.Select(l => (string?)l) : [(string?)o["text"]]));

            var (allChecks, allFailing) = (0, 0);
            foreach (var (domain, report) in quality)
            {
                var now = await WaitForQualityRunAsync(domain, apis[domain].Process, apis[domain].Url, apis[domain].Token, runsBefore[domain]);
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
            var figure = new FileInfo(Path.Combine(outputs, "04-quality-scores.png"));
            Assert.True(figure.Exists && figure.Length > 5_000, $"{figure.FullName} is missing or nearly empty");
            NotebookRuns.Keep(work.FullName, $"04-data-quality-scale-{seeded.Scale}");
        }
        finally
        {
            foreach (var api in apis.Values)
            {
                api.Process.Dispose();
            }

            work.Delete(recursive: true);
        }
    }

    /// <summary>Starts an API as operators run it, on a free local port, trusting only a signing key made for this run.</summary>
    private (ProjectProcess Process, string Url, string Token) StartApi(string domain, string project)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var url = $"http://127.0.0.1:{FreePort()}";
        var process = ProjectProcess.Start(project, [], new Dictionary<string, string?>
        {
            [$"ConnectionStrings__{domain}"] = seeded.Databases.ConnectionString(domain),
            ["ASPNETCORE_URLS"] = url,
            ["Authentication__Schemes__Bearer__ValidIssuer"] = Issuer,
            ["Authentication__Schemes__Bearer__ValidAudiences__0"] = Audience,
            ["Authentication__Schemes__Bearer__SigningKeys__0__Issuer"] = Issuer,
            ["Authentication__Schemes__Bearer__SigningKeys__0__Value"] = Convert.ToBase64String(key),
            ["DataProducts__Quality__Interval"] = "01:00:00",
        });
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new System.Security.Claims.ClaimsIdentity([new("sub", "analyst")]),
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
        return (process, url, token);
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class DataQualityNotebookAtScale1Tests(SeededDomains seeded) : DataQualityNotebookTests(seeded), IClassFixture<SeededDomains>;

public sealed class DataQualityNotebookAtScale50Tests(SeededDomainsAtScale50 seeded) : DataQualityNotebookTests(seeded), IClassFixture<SeededDomainsAtScale50>;
