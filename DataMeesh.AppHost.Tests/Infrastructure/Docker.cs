using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace DataMeesh.AppHost.Tests.Infrastructure;

/// <summary>
/// What the end-to-end tests need from this machine: a Docker engine, and the images the AppHost names, either already
/// here or from a registry that answers. Each check says exactly what is missing, so a skipped test names its reason.
/// </summary>
public static partial class Docker
{
    private static readonly Lazy<string?> MissingEngine = new(FindMissingEngine);
    private static readonly Lazy<string?> MissingDomainImages = new(() => MissingEngine.Value ?? Missing(DomainImages()));
    private static readonly Lazy<string?> MissingPlatformImages = new(() => MissingDomainImages.Value ?? Missing(PlatformImages()));

    /// <summary>Why the domain half (PostgreSQL servers, APIs, seeder) cannot run here, or null.</summary>
    public static string? DomainHalfMissing => MissingDomainImages.Value;

    /// <summary>Why the platform half (lake, metastore, Trino, Grafana, JupyterHub) cannot run here, or null.</summary>
    public static string? PlatformHalfMissing => MissingPlatformImages.Value;

    /// <summary>Runs the docker CLI; returns its exit code and output (stdout, then stderr).</summary>
    public static (int ExitCode, string Output) Run(params string[] args) => Run(TimeSpan.FromSeconds(60), args);

    /// <summary>Runs the docker CLI with a time limit of its own (e.g. a dbt build in a container); returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(TimeSpan limit, params string[] args)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var docker = Process.Start(start)!;
        var output = docker.StandardOutput.ReadToEndAsync();
        var error = docker.StandardError.ReadToEndAsync();
        if (!docker.WaitForExit(limit))
        {
            docker.Kill(entireProcessTree: true);
            return (-1, $"docker {string.Join(' ', args)} did not answer within {limit.TotalSeconds:0} s");
        }

        return (docker.ExitCode, (output.Result + error.Result).Trim());
    }

    private static IEnumerable<Requirement> DomainImages() =>
        [new Image(ContainerImages.Postgres.Reference, "the three PostgreSQL servers")];

    private static IEnumerable<Requirement> PlatformImages()
    {
        yield return new Image(ContainerImages.Lake.Reference, "the lake");
        yield return new Image(ContainerImages.Trino.Reference, "Trino");
        yield return new Image(ContainerImages.Grafana.Reference, "Grafana");
        foreach (var requirement in BuildInputs(PlatformContract.Paths.HiveSource + "/Dockerfile", "the Hive metastore image")
                     .Concat(BuildInputs(PlatformContract.Paths.Platform + "/" + PlatformContract.Paths.JupyterHubDockerfile, "the JupyterHub image")))
        {
            yield return requirement;
        }
    }

    /// <summary>A Dockerfile's base image (ARG defaults resolved) and every host it downloads from.</summary>
    private static IEnumerable<Requirement> BuildInputs(string repositoryPath, string purpose)
    {
        var text = File.ReadAllText(Path.Combine(ProjectPaths.RepositoryRoot, repositoryPath));
        var args = ArgDefault().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim('"'));
        foreach (Match from in FromLine().Matches(text))
        {
            yield return new Image(VariableReference().Replace(from.Groups[1].Value, v => args.GetValueOrDefault(v.Groups[1].Value, v.Value)), purpose);
        }

        foreach (var host in DownloadHost().Matches(text).Select(m => m.Groups[1].Value).Distinct())
        {
            yield return new Host(host, purpose);
        }
    }

    private static string? Missing(IEnumerable<Requirement> requirements)
    {
        var missing = requirements.Select(r => r.Missing()).OfType<string>().Distinct().ToList();
        return missing.Count == 0 ? null : string.Join("; ", missing);
    }

    private static string? FindMissingEngine()
    {
        try
        {
            var (exitCode, output) = Run("info", "--format", "{{.ServerVersion}}");
            return exitCode == 0 ? null : $"no Docker engine answers (`docker info`: {output})";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "no docker command on this machine";
        }
    }

    private abstract record Requirement
    {
        public abstract string? Missing();

        /// <summary>Null when the registry host resolves; otherwise why not.</summary>
        protected static string? Unreachable(string host)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                return Dns.GetHostAddressesAsync(host, timeout.Token).GetAwaiter().GetResult().Length > 0 ? null : "no address";
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return e.Message;
            }
        }
    }

    private sealed record Image(string Reference, string Purpose) : Requirement
    {
        public override string? Missing()
        {
            if (Run("image", "inspect", "--format", "{{.Id}}", Reference).ExitCode == 0)
            {
                return null;
            }

            var registry = Reference.Split('/') is [var first, _, ..] && (first.Contains('.') || first.Contains(':')) ? first : "docker.io";
            var host = registry == "docker.io" ? "registry-1.docker.io" : registry;
            return Unreachable(host) is { } reason
                ? $"image {Reference} ({Purpose}) is not on this machine and {registry} cannot be reached ({reason})"
                : null;
        }
    }

    private sealed record Host(string Name, string Purpose) : Requirement
    {
        public override string? Missing() =>
            Unreachable(Name) is { } reason ? $"{Purpose} downloads from {Name}, which cannot be reached ({reason})" : null;
    }

    [GeneratedRegex(@"^ARG\s+([A-Za-z_][A-Za-z0-9_]*)=(\S+)", RegexOptions.Multiline)]
    private static partial Regex ArgDefault();

    [GeneratedRegex(@"^FROM\s+(?:--\S+\s+)*(\S+)", RegexOptions.Multiline)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"https?://([A-Za-z0-9.-]+)")]
    private static partial Regex DownloadHost();
}

/// <summary>Runs the domain half in Docker: skipped, naming what is missing, only where Docker or the PostgreSQL image is.</summary>
public sealed class RequiresDockerFactAttribute : FactAttribute
{
    public RequiresDockerFactAttribute()
    {
        if (Docker.DomainHalfMissing is { } reason)
        {
            Skip = $"Needs Docker and the domain half's image: {reason}.";
        }
    }
}

/// <summary>Runs the platform half (lake, metastore, Trino, Grafana, JupyterHub): skipped, naming each missing image or host.</summary>
public sealed class RequiresPlatformImagesFactAttribute : FactAttribute
{
    public RequiresPlatformImagesFactAttribute()
    {
        if (Docker.PlatformHalfMissing is { } reason)
        {
            Skip = $"Needs the platform half's images: {reason}.";
        }
    }
}
