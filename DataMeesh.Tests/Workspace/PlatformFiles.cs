using System.Text.Json.Nodes;
using DataMeesh.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace DataMeesh.Tests.Workspace;

/// <summary>The workspace's files under platform/, read from the checkout the tests were built from.</summary>
internal static class PlatformFiles
{
    public static readonly string Root = Path.Combine(ProjectProcess.FindRepositoryRoot(), "platform");

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string[] Files(string folder, string pattern) =>
        Directory.Exists(PathOf(folder))
            ? Directory.GetFiles(PathOf(folder), pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray()
            : throw new DirectoryNotFoundException($"platform/{folder} is missing.");

    public static string Relative(string path) => Path.GetRelativePath(Root, path);

    public static JsonObject Json(string path) =>
        JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{Relative(path)} is not a JSON object.");

    public static YamlMappingNode Yaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents.Single().RootNode as YamlMappingNode
            ?? throw new InvalidDataException($"{Relative(path)} is not a YAML mapping.");
    }
}

/// <summary>Small accessors that keep YAML navigation in the tests readable.</summary>
internal static class YamlNodes
{
    public static YamlNode? Get(this YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static string? Text(this YamlMappingNode mapping, string key) => (mapping.Get(key) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlMappingNode> Items(this YamlMappingNode mapping, string key) =>
        (mapping.Get(key) as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [];
}
