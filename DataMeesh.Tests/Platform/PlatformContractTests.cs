using System.Globalization;
using System.Text.RegularExpressions;

namespace DataMeesh.Tests.Platform;

/// <summary>The constants the AppHost wires with (DataMeesh.AppHost/Shared/PlatformContract.cs) say what platform/README.md says.</summary>
public sealed partial class PlatformContractTests
{
    private static readonly string Readme = RepositoryFiles.Read("platform/README.md");

    private static readonly Dictionary<string, string[]> EnvByResource = new()
    {
        [ResourceNames.Trino] = PlatformContract.Env.Trino,
        [ResourceNames.HiveMetastore] = PlatformContract.Env.HiveMetastore,
        ["hive"] = PlatformContract.Env.HiveMetastore,
        [ResourceNames.JupyterHub] = PlatformContract.Env.JupyterHub,
        [ResourceNames.Grafana] = PlatformContract.Env.Grafana,
    };

    /// <summary>(variables, resources) for every row of the README's environment-variable tables; "same" repeats the row above.</summary>
    private static List<(string[] Names, string[] SetOn)> ReadmeEnvironmentRows()
    {
        var rows = new List<(string[], string[])>();
        string[] previous = [];
        foreach (Match row in EnvRow().Matches(Readme))
        {
            var names = BacktickedName().Matches(row.Groups["names"].Value).Select(m => m.Groups[1].Value).ToArray();
            var setOn = row.Groups["on"].Value.Trim();
            var resources = setOn == "same" ? previous : [.. setOn.Split(',').Select(r => r.Trim()).Where(r => r.Length > 0)];
            previous = resources;
            rows.Add((names, resources));
        }

        return rows;
    }

    [Fact]
    public void Every_variable_in_the_readme_is_a_contract_constant_set_on_the_resources_it_names()
    {
        var rows = ReadmeEnvironmentRows();
        Assert.True(rows.Count >= 8, "platform/README.md: the environment-variable table was not found");
        var constants = RepositoryFiles.ConstantsOf(typeof(PlatformContract.Env));
        foreach (var (names, setOn) in rows)
        {
            foreach (var name in names)
            {
                Assert.True(constants.Contains(name), $"README names {name}, which PlatformContract.Env lacks");
                foreach (var resource in setOn.Where(EnvByResource.ContainsKey))
                {
                    Assert.True(EnvByResource[resource].Contains(name), $"README sets {name} on {resource}; PlatformContract.Env does not");
                }
            }
        }
    }

    [Fact]
    public void Every_contract_variable_is_documented_in_the_readme()
    {
        var documented = ReadmeEnvironmentRows().SelectMany(r => r.Names).ToHashSet();
        Assert.All(RepositoryFiles.ConstantsOf(typeof(PlatformContract.Env)), name =>
            Assert.True(documented.Contains(name), $"{name} is wired by the AppHost but not documented in platform/README.md"));
    }

    [Fact]
    public void Roles_users_and_ports_are_the_readme_ones()
    {
        Assert.Contains($"`{PlatformContract.Roles.SalesReader}`", Readme, StringComparison.Ordinal);
        Assert.Contains($"`{PlatformContract.Roles.MarketingReader}`", Readme, StringComparison.Ordinal);
        foreach (var user in RepositoryFiles.ConstantsOf(typeof(PlatformContract.Users)))
        {
            Assert.Matches($@"\b{user}\b", Readme);
        }

        Assert.Contains($"http://localhost:{PlatformContract.Ports.JupyterHubHost} (container {PlatformContract.Ports.JupyterHub})", Readme, StringComparison.Ordinal);
        Assert.Contains($"http://localhost:{PlatformContract.Ports.GrafanaHost} (container {PlatformContract.Ports.Grafana})", Readme, StringComparison.Ordinal);
        Assert.Contains($"http://localhost:{PlatformContract.Ports.DbtDocsHost}", Readme, StringComparison.Ordinal);
        Assert.Contains($"port {PlatformContract.Ports.DbtDocs}", Readme, StringComparison.Ordinal);
        Assert.Contains($"Trino UI (container {PlatformContract.Ports.Trino})", Readme, StringComparison.Ordinal);
        Assert.Contains($"`{PlatformContract.Paths.GrafanaProvisioning}`", Readme, StringComparison.Ordinal);
        Assert.Contains($"`{PlatformContract.Paths.GrafanaDashboards}`", Readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_secret_variable_is_a_contract_variable_and_every_password_is_secret()
    {
        var constants = RepositoryFiles.ConstantsOf(typeof(PlatformContract.Env));
        Assert.All(PlatformContract.Env.Secret, name => Assert.Contains(name, constants));
        Assert.All(constants.Where(n => n.Contains("PASSWORD", StringComparison.Ordinal) || n.Contains("SECRET", StringComparison.Ordinal)),
            name => Assert.Contains(name, PlatformContract.Env.Secret));
    }

    [Fact]
    public void Volume_names_are_distinct_kubernetes_names()
    {
        Assert.Equal(PlatformContract.Volumes.All.Length, PlatformContract.Volumes.All.Distinct().Count());
        Assert.All(PlatformContract.Volumes.All, name => Assert.True(KubernetesText.IsDnsLabel(name), $"volume '{name}' is not a valid Kubernetes name"));
        Assert.Equal(RepositoryFiles.ConstantsOf(typeof(PlatformContract.Volumes)).Order(), PlatformContract.Volumes.All.Order());
    }

    [Fact]
    public void Parameters_are_valid_resource_names_and_every_password_or_key_is_secret()
    {
        var parameters = RepositoryFiles.ConstantsOf(typeof(PlatformContract.Parameters));
        Assert.All(parameters, name => Assert.Matches("^[a-z][a-z0-9-]{0,62}[a-z0-9]$", name));
        Assert.All(parameters.Where(n => n.EndsWith("-password", StringComparison.Ordinal) || n.EndsWith("secret-key", StringComparison.Ordinal) || n.EndsWith("signing-key", StringComparison.Ordinal)),
            name => Assert.Contains(name, PlatformContract.Parameters.Secrets));
        Assert.All(PlatformContract.Parameters.Secrets, name => Assert.Contains(name, parameters));
    }

    [Fact]
    public void Resource_names_are_kubernetes_names()
    {
        var names = RepositoryFiles.ConstantsOf(typeof(ResourceNames));
        Assert.All(names, name => Assert.True(KubernetesText.IsDnsLabel(name), $"'{name}' is not a valid Kubernetes name"));
    }

    [Fact]
    public void Memory_limits_fit_a_16_GB_laptop_and_the_readme_states_the_total()
    {
        // 16 GB laptop: keep at least 5 GiB for the OS, Docker's VM, the IDE, the dashboard and a browser.
        Assert.True(PlatformContract.MemoryMiB.Total <= 11 * 1024, $"the platform needs {PlatformContract.MemoryMiB.Total} MiB");
        Assert.All(PlatformContract.MemoryMiB.ByResource, entry => Assert.True(entry.Value > 0, entry.Key));

        var readme = RepositoryFiles.Read("README.md");
        var total = PlatformContract.MemoryMiB.Total.ToString("N0", CultureInfo.InvariantCulture);
        var gib = (PlatformContract.MemoryMiB.Total / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);
        Assert.Contains($"{total} MiB ({gib} GiB)", readme, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\|\s*(?<names>`[A-Z][A-Z0-9_]*`[^|]*)\|\s*(?<on>[^|]+?)\s*\|", RegexOptions.Multiline)]
    private static partial Regex EnvRow();

    [GeneratedRegex("`([A-Z][A-Z0-9_]*)`")]
    private static partial Regex BacktickedName();
}
