using System.Diagnostics;
using System.Text;

namespace DataMeesh.Tests.Infrastructure;

/// <summary>Runs one of the solution's programs (its built dll) as a real process, the way operators run it.</summary>
public sealed class ProjectProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder error = new();

    private ProjectProcess(Process process)
    {
        this.process = process;
    }

    public string Output { get { lock (output) { return output.ToString(); } } }
    public string Error { get { lock (error) { return error.ToString(); } } }

    public static ProjectProcess Start(string project, IEnumerable<string> args, IDictionary<string, string?> environment)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(DllPath(project));
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // A clean slate: only what the test passes (plus PATH/HOME for dotnet itself) reaches the program.
        foreach (var key in startInfo.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
        {
            startInfo.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var wrapper = new ProjectProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (wrapper.output) { wrapper.output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (wrapper.error) { wrapper.error.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return wrapper;
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string project, IEnumerable<string> args,
        IDictionary<string, string?> environment, TimeSpan? timeout = null)
    {
        using var running = Start(project, args, environment);
        var exitCode = await running.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(3));
        return (exitCode, running.Output, running.Error);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{process.StartInfo.ArgumentList[0]} did not exit within {timeout}. Output:\n{Output}\n{Error}");
        }

        process.WaitForExit(); // flushes the asynchronous output readers
        return process.ExitCode;
    }

    /// <summary>SIGINT, what Ctrl-C in a terminal sends.</summary>
    public void Interrupt()
    {
        if (SendSignal(process.Id, 2) != 0)
        {
            throw new InvalidOperationException($"kill(SIGINT) failed for process {process.Id}.");
        }
    }

    /// <summary>Waits until the program has printed <paramref name="text"/> (stdout or stderr), or fails with what it printed.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!(Output + Error).Contains(text, StringComparison.Ordinal))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{text}' never appeared{(process.HasExited ? $" (exited {process.ExitCode})" : "")}. Output:\n{Output}\n{Error}");
            }

            await Task.Delay(50);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>SIGKILL: no chance to clean up, like a crash or an OOM kill.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    public bool HasExited => process.HasExited;

    public void Dispose()
    {
        if (!process.HasExited)
        {
            Kill();
        }

        process.Dispose();
    }

    /// <summary>The project's build output next to this test build (same configuration), built by the project reference.</summary>
    private static string DllPath(string project)
    {
        var testOutput = AppContext.BaseDirectory; // .../DataMeesh.Tests/bin/<Configuration>/net10.0/
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(testOutput)).Parent!.Name;
        var repositoryRoot = FindRepositoryRoot();
        var path = Path.Combine(repositoryRoot, project, "bin", configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} first: {path} is missing.", path);
    }

    public static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DataMeesh.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("DataMeesh.sln not found above the test output directory.");
    }
}
