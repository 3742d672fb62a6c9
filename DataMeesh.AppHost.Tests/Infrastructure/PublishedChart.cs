using System.Diagnostics;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace DataMeesh.AppHost.Tests.Infrastructure;

/// <summary>
/// Publishes the AppHost to a temporary folder exactly as the README says CI does (`dotnet run --project DataMeesh.AppHost
/// -- --operation publish --step publish --output-path ...` with every secret passed as a parameter, no stdin), once.
/// </summary>
public sealed partial class PublishedChart : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("datameesh-chart").FullName;

    public string Output { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var root = ProjectPaths.RepositoryRoot;
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in (string[])["run", "--project", "DataMeesh.AppHost", "--no-build", "-c", configuration, "--",
                     "--operation", "publish", "--step", "publish", "--output-path", Directory, .. TestSecrets.AsArguments()])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Publishing did not finish within {Limit} (waiting for a parameter value?).\n{await output}\n{await error}");
        }

        Output = await output + await error;
        Assert.True(process.ExitCode == 0, $"Publishing failed with exit code {process.ExitCode}:\n{Output}");
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }

    public IEnumerable<string> Files() => System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories);

    public string Read(string relative) => File.ReadAllText(Path.Combine(Directory, relative));

    /// <summary>Every Kubernetes object of the chart's templates, with Helm actions replaced so the YAML parses.</summary>
    public IEnumerable<(string File, YamlMappingNode Object)> Objects()
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(Path.Combine(Directory, "templates"), "*.yaml", SearchOption.AllDirectories))
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(HelmAction().Replace(File.ReadAllText(file), "HELM")));
            foreach (var document in stream.Documents)
            {
                if (document.RootNode is YamlMappingNode mapping)
                {
                    yield return (Path.GetRelativePath(Directory, file), mapping);
                }
            }
        }
    }

    [GeneratedRegex(@"\{\{.*?\}\}")]
    private static partial Regex HelmAction();
}

/// <summary>Navigation in parsed YAML.</summary>
public static class Yaml
{
    public static YamlNode? At(this YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    public static string? Text(this YamlNode node, params string[] path) => (node.At(path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Items(this YamlNode node, params string[] path) =>
        node.At(path) is YamlSequenceNode sequence ? sequence.Children : [];

    public static IEnumerable<KeyValuePair<string, YamlNode>> Entries(this YamlNode node, params string[] path) =>
        node.At(path) is YamlMappingNode mapping
            ? mapping.Children.Select(c => new KeyValuePair<string, YamlNode>(((YamlScalarNode)c.Key).Value!, c.Value))
            : [];

    public static YamlMappingNode? PodSpec(this YamlMappingNode workload) => workload.At("spec", "template", "spec") as YamlMappingNode;
}
