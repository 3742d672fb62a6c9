using System.Reflection;
using System.Text.RegularExpressions;
using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.Platform;

/// <summary>Reads the repository's files (paths from its root: platform/..., DataMeesh.AppHost/...) the way the containers will.</summary>
internal static partial class RepositoryFiles
{
    public static string Root { get; } = ProjectProcess.FindRepositoryRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>
    /// Java properties as Trino reads them: <c>key=value</c> lines, <c>#</c>/<c>!</c> comment lines. Fails on what Trino
    /// rejects or silently misreads: lines without '=', duplicate keys and inline comments (trinodb/trino#27793).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReadProperties(string relative)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(PathOf(relative)))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith('!'))
            {
                continue;
            }

            var separator = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(separator > 0, $"{relative}:{lineNumber}: '{line}' is not key=value");
            var key = line[..separator].Trim();
            var value = line[(separator + 1)..].Trim();
            Assert.False(InlineComment().IsMatch(value), $"{relative}:{lineNumber}: '{key}' has an inline comment, which Java properties keep as part of the value");
            Assert.True(properties.TryAdd(key, value), $"{relative}:{lineNumber}: '{key}' is set twice");
        }

        return properties;
    }

    /// <summary>Names in <c>${ENV:NAME}</c> (Trino).</summary>
    public static IEnumerable<string> TrinoEnvReferences(string text) => TrinoEnv().Matches(text).Select(m => m.Groups[1].Value);

    /// <summary>Names in <c>${env.NAME}</c> (Hadoop configuration).</summary>
    public static IEnumerable<string> HadoopEnvReferences(string text) => HadoopEnv().Matches(text).Select(m => m.Groups[1].Value);

    /// <summary>Every <c>${...}</c> placeholder, well formed or not.</summary>
    public static IEnumerable<string> Placeholders(string text) => AnyPlaceholder().Matches(text).Select(m => m.Value);

    /// <summary>The values of the string constants of a contract class (e.g. every name in <see cref="PlatformContract.Env"/>).</summary>
    public static IReadOnlySet<string> ConstantsOf(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\s[#!]")]
    private static partial Regex InlineComment();

    [GeneratedRegex(@"\$\{ENV:([A-Za-z0-9_]+)\}")]
    private static partial Regex TrinoEnv();

    [GeneratedRegex(@"\$\{env\.([A-Za-z0-9_]+)\}")]
    private static partial Regex HadoopEnv();

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex AnyPlaceholder();
}
