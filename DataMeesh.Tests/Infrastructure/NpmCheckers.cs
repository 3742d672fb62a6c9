using System.Text.Json.Nodes;

namespace DataMeesh.Tests.Infrastructure;

/// <summary>
/// Outside checkers from npm (the Trino grammar, the OpenAPI linters): pinned by a package-lock.json committed in
/// <see cref="PackageDirectory"/>, installed by <c>.ci/run</c> into a cache directory outside the checkout, run on the
/// machine's Node. A missing piece fails the test naming the command that installs it.
/// </summary>
/// <param name="Purpose">What the checker does, for the messages ("the Trino grammar check").</param>
/// <param name="PackageDirectory">The checkout's folder with package.json and package-lock.json.</param>
/// <param name="EnvironmentVariable">Where an installation elsewhere is named.</param>
/// <param name="CacheName">The folder under ~/.cache/datameesh used otherwise.</param>
/// <param name="Versions">Every package the checker runs, with the version it is pinned to.</param>
internal sealed record NpmCheckers(string Purpose, string PackageDirectory, string EnvironmentVariable, string CacheName,
    IReadOnlyDictionary<string, string> Versions)
{
    /// <summary>Where the packages are installed: <see cref="EnvironmentVariable"/>, else ~/.cache/datameesh/<see cref="CacheName"/>.</summary>
    public string InstallDirectory =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "datameesh", CacheName);

    private string InstallCommand =>
        $"mkdir -p {InstallDirectory} && cp {PackageDirectory}/package.json {PackageDirectory}/package-lock.json {InstallDirectory}/ " +
        $"&& npm ci --prefix {InstallDirectory} (what .ci/run does; Node 20 or later and the npm registry needed)";

    /// <summary>The node executable, once every pinned package is installed at its version; fails the test otherwise.</summary>
    public async Task<string> RequireAsync()
    {
        var node = FindOnPath("node") ?? throw new Xunit.Sdk.XunitException(
            $"node is not on PATH: {Purpose} runs {string.Join(", ", Versions.Select(p => $"{p.Key} {p.Value}"))} on Node 20 or later (apt-get install -y nodejs npm).");
        foreach (var (package, version) in Versions)
        {
            var installed = Path.Combine(InstallDirectory, "node_modules", package, "package.json");
            Assert.True(File.Exists(installed), $"{package} {version} is not installed in {InstallDirectory}. Install it: {InstallCommand}");
            var found = (string?)JsonNode.Parse(await File.ReadAllTextAsync(installed))?["version"];
            Assert.True(found == version, $"{InstallDirectory} has {package} {found}, {Purpose} is pinned to {version}. Reinstall: {InstallCommand}");
        }

        return node;
    }

    /// <summary>The first <paramref name="executable"/> on PATH, or null.</summary>
    public static string? FindOnPath(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, executable))
            .FirstOrDefault(File.Exists);
}
