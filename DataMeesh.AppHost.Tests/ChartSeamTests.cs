using System.Text.RegularExpressions;
using DataMeesh.AppHost.Tests.Infrastructure;

namespace DataMeesh.AppHost.Tests;

/// <summary>
/// The Kubernetes seam's two sides (DataMeeshKubernetes on and off) declare the same methods. CI builds only the side
/// without Aspire.Hosting.Kubernetes, so without this a method added to one side would first break on a machine that has
/// the package. Reads the sources; no chart needed.
/// </summary>
public sealed partial class ChartSeamTests
{
    private static readonly string Publishing = Path.Combine(ProjectPaths.RepositoryRoot, "DataMeesh.AppHost", "Publishing");

    private static List<string> Methods(string file)
    {
        var source = Whitespace().Replace(File.ReadAllText(Path.Combine(Publishing, file)), " ");
        var start = source.IndexOf("static class ChartPublishing", StringComparison.Ordinal) + "static class ChartPublishing".Length;
        // Up to the next type in the file (the Kubernetes side also holds the rules and models it uses).
        var next = NextType().Match(source, start);
        var chartPublishing = next.Success ? source[start..next.Index] : source[start..];
        return [.. PublicStaticMethod().Matches(chartPublishing).Select(m => m.Value.Trim()).Order()];
    }

    [Fact]
    public void Both_sides_of_the_switch_have_the_same_methods()
    {
        var enabled = Methods("ChartPublishing.Kubernetes.cs");
        Assert.Contains(enabled, m => m.Contains(" PublishWithTrinoWorkers<T>(", StringComparison.Ordinal));
        Assert.Equal(enabled, Methods("ChartPublishing.Disabled.cs"));
    }

    [Fact]
    public void Nothing_outside_the_seam_names_the_kubernetes_package()
    {
        var appHost = Path.Combine(ProjectPaths.RepositoryRoot, "DataMeesh.AppHost");
        var outside = Directory.EnumerateFiles(appHost, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(Publishing, StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("Aspire.Hosting.Kubernetes", StringComparison.Ordinal) || File.ReadAllText(f).Contains("#if", StringComparison.Ordinal));
        Assert.Empty(outside);
    }

    [GeneratedRegex(@"\b(class|record) ")]
    private static partial Regex NextType();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    // "public static <return type> <Name>[<T>](<parameters>)", up to the parameters' closing parenthesis.
    [GeneratedRegex(@"public static (?!class)[^=;{(]+\([^)]*\)")]
    private static partial Regex PublicStaticMethod();
}
