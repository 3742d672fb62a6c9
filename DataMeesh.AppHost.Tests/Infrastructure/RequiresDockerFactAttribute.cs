using System.Diagnostics;

namespace DataMeesh.AppHost.Tests.Infrastructure;

/// <summary>A test that runs the whole platform in containers: skipped, and saying why, only where Docker is absent.</summary>
public sealed class RequiresDockerFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Missing = new(FindMissingDocker);

    public RequiresDockerFactAttribute()
    {
        if (Missing.Value is { } reason)
        {
            Skip = $"Docker is not available on this machine ({reason}); the end-to-end tests need it to run the platform.";
        }
    }

    private static string? FindMissingDocker()
    {
        try
        {
            using var docker = Process.Start(new ProcessStartInfo("docker", "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            if (!docker.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                docker.Kill();
                return "`docker info` did not answer";
            }

            return docker.ExitCode == 0 ? null : "`docker info` failed: " + docker.StandardError.ReadToEnd().Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "no docker command";
        }
    }
}
