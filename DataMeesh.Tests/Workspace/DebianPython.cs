using System.Diagnostics;
using System.Text;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// Debian's Python and Jupyter, the only ones that can import Debian's scientific packages (the python3 first on PATH
/// may be another interpreter). Missing pieces fail the test with the command that installs them, never skip it.
/// </summary>
internal static class DebianPython
{
    public const string Python = "/usr/bin/python3";
    public const string Jupyter = "/usr/bin/jupyter";

    public const string InstallCommand =
        "apt-get install -y jupyter-nbconvert python3-nbformat python3-nbclient python3-ipykernel python3-pandas python3-matplotlib " +
        "python3-seaborn python3-sklearn python3-statsmodels python3-psycopg2 python3-openpyxl python3-yaml";

    /// <summary>Modules the checks and the notebooks that run here import.</summary>
    private const string RequiredModules = "nbformat, nbclient, ipykernel, pandas, matplotlib, seaborn, sklearn, statsmodels, psycopg2, openpyxl, yaml";

    private static readonly Lazy<Task<string?>> Problem = new(FindProblemAsync);

    /// <summary>Fails the calling test, naming the apt-get command, when Python or a required package is missing.</summary>
    public static async Task RequireAsync()
    {
        if (await Problem.Value is { } problem)
        {
            Assert.Fail($"{problem}\nInstall Debian's Python stack (as root): {InstallCommand}");
        }
    }

    /// <summary>Runs a Python snippet with Debian's interpreter; arguments reach it as sys.argv[1:].</summary>
    public static async Task<ProcessResult> RunScriptAsync(string script, params string[] arguments)
    {
        await RequireAsync();
        return await ProcessResult.RunAsync(Python, ["-c", script, .. arguments], new Dictionary<string, string?>(), TimeSpan.FromMinutes(2));
    }

    private static async Task<string?> FindProblemAsync()
    {
        foreach (var executable in new[] { Python, Jupyter })
        {
            if (!File.Exists(executable))
            {
                return $"{executable} is missing.";
            }
        }

        var imports = await ProcessResult.RunAsync(Python, ["-c", $"import {RequiredModules}"], new Dictionary<string, string?>(), TimeSpan.FromMinutes(1));
        if (imports.ExitCode != 0)
        {
            return $"{Python} cannot import what the workspace checks need ({RequiredModules}): {imports.Error.Trim()}";
        }

        var nbconvert = await ProcessResult.RunAsync(Jupyter, ["nbconvert", "--version"], new Dictionary<string, string?>(), TimeSpan.FromMinutes(1));
        return nbconvert.ExitCode == 0 ? null : $"`{Jupyter} nbconvert` does not run: {nbconvert.Error.Trim()}";
    }
}

/// <summary>A finished external process: exit code and everything it printed.</summary>
internal sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public string Describe() => $"exit code {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";

    public static async Task<ProcessResult> RunAsync(string executable, IEnumerable<string> arguments, IDictionary<string, string?> environment,
        TimeSpan timeout, string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        using var process = new Process { StartInfo = startInfo };
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (error) { error.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} {string.Join(' ', arguments)} did not finish within {timeout}.\n{output}\n{error}");
        }

        process.WaitForExit(); // flushes the asynchronous readers
        return new ProcessResult(process.ExitCode, output.ToString(), error.ToString());
    }
}
