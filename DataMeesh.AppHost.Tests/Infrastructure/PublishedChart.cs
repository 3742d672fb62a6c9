using System.Diagnostics;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
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

    /// <summary>Files under ~/.aspire/deployments (Aspire's saved parameter values) that publishing created or changed.</summary>
    public IReadOnlyList<string> DeploymentStateWritten { get; private set; } = [];

    private static readonly string DeploymentState =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aspire", "deployments");

    private static Dictionary<string, DateTime> DeploymentStateFiles() =>
        System.IO.Directory.Exists(DeploymentState)
            ? System.IO.Directory.EnumerateFiles(DeploymentState, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc)
            : [];

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
                     "--operation", "publish", "--step", "publish", "--output-path", Directory,
                     // Neither read a previous publish's saved parameter values (they would win over these) nor save these.
                     "--clear-cache", "true", .. TestSecrets.AsArguments()])
        {
            start.ArgumentList.Add(arg);
        }

        var stateBefore = DeploymentStateFiles();
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
        DeploymentStateWritten = [.. DeploymentStateFiles().Where(f => !stateBefore.TryGetValue(f.Key, out var before) || before != f.Value).Select(f => f.Key)];
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

    /// <summary>
    /// The chart as `helm install datameesh` would send it with these <c>--set</c> values: every template rendered
    /// (HelmTemplate), every object read into KubernetesClient's models with unknown fields failing (strict).
    /// </summary>
    public IReadOnlyList<(string File, IKubernetesObject<V1ObjectMeta> Object)> Render(IReadOnlyDictionary<string, string> overrides)
    {
        var template = new HelmTemplate(HelmTemplate.Values(Read("values.yaml"), overrides), ReleaseName, Load("Chart.yaml").Text("name")!);
        var objects = new List<(string, IKubernetesObject<V1ObjectMeta>)>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Path.Combine(Directory, "templates"), "*.yaml", SearchOption.AllDirectories).Order())
        {
            var relative = Path.GetRelativePath(Directory, file);
            var rendered = template.Render(File.ReadAllText(file));
            try
            {
                objects.AddRange(KubernetesYaml.LoadAllFromString(rendered, strict: true).Select(o => (relative, (IKubernetesObject<V1ObjectMeta>)o)));
            }
            catch (Exception error) when (error is YamlDotNet.Core.YamlException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidOperationException($"{relative} is not a valid Kubernetes object once rendered: {error.Message}\n{rendered}", error);
            }
        }

        return objects;
    }

    public const string ReleaseName = "datameesh";

    public YamlMappingNode Load(string relative)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(Read(relative)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
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
