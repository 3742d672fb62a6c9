using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// Debian's JupyterHub (the real hub and its configurable-http-proxy) running the workspace's own jupyterhub_config.py
/// through JupyterHub/jupyterhub_test_config.py, with a stand-in for JupyterLab in each user's server. Missing, it fails
/// the test with the command that installs it.
/// </summary>
internal sealed class DebianJupyterHub : IAsyncDisposable
{
    public const string Executable = "/usr/bin/jupyterhub";
    public const string InstallCommand = "apt-get install -y jupyterhub";

    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly string driverToken;
    private readonly DirectoryInfo work;

    private DebianJupyterHub(Process process, string url, string driverToken, DirectoryInfo work)
    {
        this.process = process;
        Url = url;
        this.driverToken = driverToken;
        this.work = work;
    }

    /// <summary>The hub's public address (its proxy), as users and the token service reach it.</summary>
    public string Url { get; }

    public string Log { get { lock (log) { return log.ToString(); } } }

    public string Home(string user) => Path.Combine(work.FullName, "homes", user);

    /// <summary>Picks the hub's public port now, so the token service can be told the hub's address before the hub starts.</summary>
    public static int ReservePort() => LocalPorts.Free();

    /// <summary>
    /// Starts the hub on <paramref name="port"/> with <paramref name="platform"/> as the container's environment (what the
    /// AppHost passes: API and token service URLs...), each user's server running <paramref name="notebook"/> if given.
    /// </summary>
    public static async Task<DebianJupyterHub> StartAsync(int port, IDictionary<string, string?> platform, string? notebook = null)
    {
        await DebianPython.RequireAsync();
        Assert.True(File.Exists(Executable), $"{Executable} is missing. Install Debian's JupyterHub (as root): {InstallCommand}");

        var work = Directory.CreateTempSubdirectory("datameesh-hub-");
        var driverToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        var testFiles = Path.Combine(ProjectProcess.FindRepositoryRoot(), "DataMeesh.Tests", "Workspace", "JupyterHub");
        var startInfo = new ProcessStartInfo(DebianPython.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = work.FullName,
        };
        foreach (var argument in new[] { Executable, "-f", Path.Combine(testFiles, "jupyterhub_test_config.py") })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var environment = new Dictionary<string, string?>
        {
            ["DATAMEESH_HUB_CONFIG"] = PlatformFiles.PathOf("jupyterhub", "jupyterhub_config.py"),
            ["DATAMEESH_HUB_DATA"] = Path.Combine(work.FullName, "data"),
            ["DATAMEESH_HOMES"] = Path.Combine(work.FullName, "homes"),
            ["DATAMEESH_TEMPLATES"] = PlatformFiles.PathOf("notebooks"),
            ["DATAMEESH_TEST_HUB_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DATAMEESH_TEST_HUB_API_PORT"] = LocalPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DATAMEESH_TEST_PROXY_API_PORT"] = LocalPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DATAMEESH_TEST_DRIVER_TOKEN"] = driverToken,
            ["DATAMEESH_TEST_STAND_IN"] = Path.Combine(testFiles, "stand_in_server.py"),
            ["DATAMEESH_STAND_IN_NOTEBOOK"] = notebook,
            // The passwords the hub insists on (it exits without them); logins here go through the REST API.
            ["HUB_USER_PASSWORD"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)),
            ["HUB_ADMIN_PASSWORD"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            // The helper module every kernel imports (the image puts it on the path); Debian's proxy runs on this node.
            ["PYTHONPATH"] = PlatformFiles.PathOf("jupyterhub"),
            ["PYTHONDONTWRITEBYTECODE"] = "1",
            ["NODE_PATH"] = "/usr/share/nodejs:/usr/lib/nodejs",
            ["PATH"] = "/usr/bin:/bin:/usr/sbin:/sbin",
        };
        foreach (var (key, value) in environment.Concat(platform))
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var hub = new DebianJupyterHub(process, $"http://127.0.0.1:{port}", driverToken, work);
        process.OutputDataReceived += (_, e) => hub.Append(e.Data);
        process.ErrorDataReceived += (_, e) => hub.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var response = await client.GetAsync($"{hub.Url}/hub/health");
                if (response.IsSuccessStatusCode)
                {
                    return hub;
                }
            }
            catch (HttpRequestException)
            {
                // the proxy is not listening yet
            }

            await Task.Delay(250);
        }

        var failure = $"JupyterHub did not become healthy within 60 s{(process.HasExited ? $" (exited {process.ExitCode})" : "")}.\n{hub.Log}";
        await hub.DisposeAsync();
        Assert.Fail(failure);
        return hub;
    }

    /// <summary>A client of the hub's REST API as the test's driver service (may start servers and read users).</summary>
    public HttpClient Api()
    {
        var client = new HttpClient { BaseAddress = new Uri(Url + "/hub/api/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("token", driverToken);
        return client;
    }

    /// <summary>The driver service's own token: a hub token, but not a user's.</summary>
    public string ServiceToken => driverToken;

    /// <summary>Starts <paramref name="user"/>'s server (the stand-in) and waits for what it wrote to <paramref name="file"/> in the user's home.</summary>
    public async Task<JsonElement> SpawnAndReadAsync(string user, string file, TimeSpan timeout)
    {
        using var client = Api();
        using (var response = await client.PostAsync($"users/{user}/server", null))
        {
            Assert.True(response.IsSuccessStatusCode, $"POST /hub/api/users/{user}/server: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n{Log}");
        }

        return await ReadAsync(user, file, timeout);
    }

    /// <summary>Waits (polling) until the stand-in in <paramref name="user"/>'s server has written <paramref name="file"/>.</summary>
    public async Task<JsonElement> ReadAsync(string user, string file, TimeSpan timeout)
    {
        var path = Path.Combine(Home(user), file);
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(path))
        {
            Assert.True(DateTime.UtcNow < deadline && !process.HasExited, $"{user}'s server wrote no {file} within {timeout}.\n{Log}");
            await Task.Delay(250);
        }

        return JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement.Clone();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            // The proxy and every user's server are the hub's children: they go with it.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        try
        {
            work.Delete(recursive: true);
        }
        catch (IOException)
        {
            // a server's last write racing the deletion; the temp folder is the OS's to clean
        }
    }
}
