using System.Text.RegularExpressions;

namespace DataMeesh.AppHost.Tests.Infrastructure;

/// <summary>
/// The README's `helm install` command ("Publish to Kubernetes"), so the publish tests render the chart with exactly the
/// values it tells people to set. Shell variables become recognisable stand-ins (<c>$REGISTRY</c> becomes <c>registry</c>).
/// </summary>
public sealed partial record InstallRecipe(IReadOnlyDictionary<string, string> Values, TimeSpan Timeout)
{
    public static InstallRecipe FromReadme()
    {
        var readme = File.ReadAllText(Path.Combine(ProjectPaths.RepositoryRoot, "README.md"));
        var command = HelmInstall().Match(readme);
        Assert.True(command.Success, "README.md has no ```bash block with `helm install datameesh`");
        var text = command.Value.Replace("\\\n", " ", StringComparison.Ordinal);

        var values = SetString().Matches(text).ToDictionary(
            m => m.Groups["path"].Value,
            m => ShellVariable().Replace(m.Groups["value"].Value, v => v.Groups["name"].Value.ToLowerInvariant().Replace('_', '-')));
        var timeout = TimeoutFlag().Match(text);
        Assert.True(timeout.Success, "the README's helm install has no --timeout <minutes>m");
        return new(values, TimeSpan.FromMinutes(int.Parse(timeout.Groups["minutes"].Value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [GeneratedRegex(@"^helm install datameesh [^`]*", RegexOptions.Multiline)]
    private static partial Regex HelmInstall();

    [GeneratedRegex(@"--set-string (?<path>[A-Za-z0-9_.]+)=""?(?<value>[^""\s]+)""?")]
    private static partial Regex SetString();

    [GeneratedRegex(@"\$(?<name>[A-Z][A-Z0-9_]*)")]
    private static partial Regex ShellVariable();

    [GeneratedRegex(@"--timeout (?<minutes>\d+)m")]
    private static partial Regex TimeoutFlag();
}
