using System.Text.RegularExpressions;

namespace DataMeesh.Tests.Platform;

/// <summary>
/// The directories the AppHost mounts (bind mounts locally, ConfigMaps on Kubernetes) and the images it builds: they exist,
/// every file can be a ConfigMap key, and every environment variable they read is one the AppHost sets on that container.
/// </summary>
public sealed partial class MountedFilesTests
{
    public static TheoryData<string, string> MountedDirectories() => new()
    {
        { PlatformContract.Paths.TrinoSource, PlatformContract.Paths.TrinoEtc },
        { PlatformContract.Paths.GrafanaProvisioningSource, PlatformContract.Paths.GrafanaProvisioning },
        { PlatformContract.Paths.GrafanaDashboardsSource, PlatformContract.Paths.GrafanaDashboards },
    };

    [Theory]
    [MemberData(nameof(MountedDirectories))]
    public void Mounted_directories_exist_and_become_valid_config_maps(string source, string target)
    {
        Assert.True(Directory.Exists(RepositoryFiles.PathOf(source)), $"the AppHost mounts {source}, which does not exist");
        var folders = new ConfigDirectory(RepositoryFiles.PathOf(source), target).Folders();
        Assert.NotEmpty(folders);
        Assert.All(folders.SelectMany(f => f.Files), file =>
            Assert.True(KubernetesText.IsConfigMapKey(Path.GetFileName(file)), $"{file} cannot be a ConfigMap key"));
        // ConfigMaps hold at most 1 MiB each.
        Assert.All(folders, folder => Assert.True(folder.Files.Sum(f => new FileInfo(f).Length) < 900 * 1024, $"{source}/{folder.RelativePath} is too large for one ConfigMap"));
    }

    [Fact]
    public void Trino_files_land_in_etc_trino_and_its_catalog_folder()
    {
        var directory = new ConfigDirectory(RepositoryFiles.PathOf(PlatformContract.Paths.TrinoSource), PlatformContract.Paths.TrinoEtc);
        var folders = directory.Folders();
        Assert.Equal(["", "catalog"], folders.Select(f => f.RelativePath));
        Assert.Equal(["/etc/trino", "/etc/trino/catalog"], folders.Select(directory.TargetOf));
    }

    [Fact]
    public void Grafana_provisioning_reads_only_variables_the_AppHost_sets_on_grafana()
    {
        var files = Directory.EnumerateFiles(RepositoryFiles.PathOf(PlatformContract.Paths.GrafanaProvisioningSource), "*.y*ml", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            foreach (Match reference in GrafanaEnv().Matches(File.ReadAllText(file)))
            {
                var name = reference.Groups["a"].Success ? reference.Groups["a"].Value : reference.Groups["b"].Value;
                Assert.True(PlatformContract.Env.Grafana.Contains(name), $"{Path.GetFileName(file)} reads {name}, which the AppHost does not set on grafana");
            }
        }
    }

    [Fact]
    public void JupyterHub_image_builds_from_its_folder_and_requires_only_variables_the_AppHost_sets()
    {
        Assert.True(File.Exists(RepositoryFiles.PathOf($"{PlatformContract.Paths.JupyterHubSource}/Dockerfile")), "the AppHost builds platform/jupyterhub/Dockerfile");
        var config = RepositoryFiles.PathOf($"{PlatformContract.Paths.JupyterHubSource}/jupyterhub_config.py");
        Assert.True(File.Exists(config), "platform/jupyterhub/jupyterhub_config.py is missing");
        // os.environ["X"] fails the hub at start-up when X is missing; .get() and getenv() have defaults.
        foreach (Match required in RequiredPythonEnv().Matches(File.ReadAllText(config)))
        {
            var name = required.Groups[1].Value;
            Assert.True(PlatformContract.Env.JupyterHub.Contains(name) || name.StartsWith("JUPYTERHUB_", StringComparison.Ordinal),
                $"jupyterhub_config.py requires {name}, which the AppHost does not set on jupyterhub");
        }
    }

    [GeneratedRegex(@"\$\{(?<a>[A-Z][A-Z0-9_]*)\}|\$__env\{(?<b>[A-Z][A-Z0-9_]*)\}")]
    private static partial Regex GrafanaEnv();

    [GeneratedRegex(@"os\.environ\[\s*[""']([A-Z][A-Z0-9_]*)[""']\s*\]")]
    private static partial Regex RequiredPythonEnv();
}
