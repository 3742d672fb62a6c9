using DataMeesh.AppHost.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;
using Resources = DataMeesh.PlatformContract.Resources;

namespace DataMeesh.AppHost.Tests;

/// <summary>The Helm chart `aspire publish` writes: one a cluster accepts, with the publisher's gaps worked around. No Docker needed.</summary>
public sealed class PublishTests(PublishedChart chart) : IClassFixture<PublishedChart>
{
    private static readonly string[] Workloads = ["Deployment", "StatefulSet", "Job"];

    private Dictionary<string, YamlMappingNode> WorkloadsByResource() =>
        chart.Objects().Where(o => Workloads.Contains(o.Object.Text("kind")))
            .ToDictionary(o => Path.GetFileName(Path.GetDirectoryName(o.File))!, o => o.Object);

    [Fact]
    public void The_chart_is_named_datameesh() =>
        Assert.Equal(PlatformContract.Resources.HelmChart, Load("Chart.yaml").Text("name"));

    [Theory]
    [InlineData(ResourceNames.SalesPostgres, "StatefulSet")]
    [InlineData(ResourceNames.MarketingPostgres, "StatefulSet")]
    [InlineData(ResourceNames.MetastorePostgres, "StatefulSet")]
    [InlineData(Resources.Lake, "StatefulSet")]
    [InlineData(Resources.LakeInit, "Job")]
    [InlineData(Resources.HiveMetastore, "Deployment")]
    [InlineData(Resources.Trino, "Deployment")]
    [InlineData(ResourceNames.SalesApi, "Deployment")]
    [InlineData(ResourceNames.MarketingApi, "Deployment")]
    [InlineData(ResourceNames.Seeder, "Job")]
    [InlineData(Resources.JupyterHub, "Deployment")]
    [InlineData(Resources.Grafana, "Deployment")]
    public void Every_resource_has_its_workload(string resource, string kind)
    {
        Assert.True(WorkloadsByResource().TryGetValue(resource, out var workload), $"no workload for {resource}");
        Assert.Equal(kind, workload!.Text("kind"));
    }

    [Theory]
    [InlineData(Resources.LakeInit)]
    [InlineData(ResourceNames.Seeder)]
    public void Run_once_work_is_a_retried_helm_hook_job_not_a_crash_looping_deployment(string resource)
    {
        var job = WorkloadsByResource()[resource];
        Assert.Equal("batch/v1", job.Text("apiVersion"));
        Assert.Contains("post-install", job.Text("metadata", "annotations", "helm.sh/hook"), StringComparison.Ordinal);
        Assert.Equal("OnFailure", job.Text("spec", "template", "spec", "restartPolicy"));
        Assert.NotNull(job.Text("spec", "backoffLimit"));
        Assert.Null(job.At("spec", "selector"));
        Assert.NotEmpty(job.PodSpec()!.Items("containers"));
    }

    [Fact]
    public void Trino_catalogs_and_access_rules_are_config_maps_mounted_file_by_file()
    {
        var configMaps = ConfigMaps(Resources.Trino);
        var catalog = configMaps["trino-etc-catalog"];
        Assert.Equal(["hive.properties", "marketing.properties", "sales.properties"], catalog.Keys.Order());
        Assert.Contains("${ENV:SALES_PG_PASSWORD}", catalog["sales.properties"], StringComparison.Ordinal);
        Assert.Contains("rules.json", configMaps["trino-etc"].Keys);
        Assert.Contains("config.properties", configMaps["trino-etc"].Keys);

        var mounts = Mounts(Resources.Trino);
        Assert.Contains(("trino-etc-catalog", "/etc/trino/catalog/sales.properties", "sales.properties"), mounts);
        Assert.Contains(("trino-etc", "/etc/trino/rules.json", "rules.json"), mounts);
    }

    [Fact]
    public void Grafana_provisioning_and_dashboards_are_config_maps()
    {
        var configMaps = ConfigMaps(Resources.Grafana);
        Assert.Contains("grafana-provisioning-datasources", configMaps.Keys);
        Assert.Contains("grafana-dashboards", configMaps.Keys);
        Assert.Contains(Mounts(Resources.Grafana), m => m.Path.StartsWith(PlatformContract.Paths.GrafanaProvisioning + "/datasources/", StringComparison.Ordinal));
        Assert.Contains(Mounts(Resources.Grafana), m => m.Path.StartsWith(PlatformContract.Paths.GrafanaDashboards + "/", StringComparison.Ordinal));
    }

    [Fact]
    public void No_secret_value_is_written_anywhere_in_the_chart()
    {
        foreach (var file in chart.Files())
        {
            var text = File.ReadAllText(file);
            Assert.All(TestSecrets.Values, secret => Assert.DoesNotContain(secret.Value, text, StringComparison.Ordinal));
        }

        Assert.All(TestSecrets.Values, secret => Assert.DoesNotContain(secret.Value, chart.Output, StringComparison.Ordinal));
    }

    [Fact]
    public void Secret_variables_come_from_secrets_never_from_config_maps()
    {
        foreach (var (file, configMap) in chart.Objects().Where(o => o.Object.Text("kind") == "ConfigMap"))
        {
            Assert.All(configMap.Entries("data"), entry => Assert.DoesNotContain(entry.Key, PlatformContract.Env.Secret));
            Assert.All(configMap.Entries("data"), entry => Assert.False(entry.Key.Contains("PASSWORD", StringComparison.Ordinal), $"{file}: {entry.Key}"));
        }

        var values = Load("values.yaml");
        Assert.All(values.Entries("secrets").SelectMany(resource => resource.Value.Entries()), secret =>
            Assert.Equal("", (secret.Value as YamlScalarNode)?.Value ?? ""));
    }

    [Fact]
    public void Every_name_is_one_kubernetes_accepts_and_nothing_is_a_bind_mount()
    {
        foreach (var (file, workload) in chart.Objects().Where(o => Workloads.Contains(o.Object.Text("kind"))))
        {
            var pod = workload.PodSpec()!;
            foreach (var volume in pod.Items("volumes"))
            {
                var name = volume.Text("name")!;
                Assert.True(KubernetesText.IsDnsLabel(name), $"{file}: volume '{name}'");
                Assert.Null(volume.At("hostPath"));
            }

            Assert.All(pod.Items("containers").SelectMany(c => c.Items("volumeMounts")), mount =>
                Assert.Contains(pod.Items("volumes"), v => v.Text("name") == mount.Text("name")));
        }

        // Object names are DNS subdomains; Services and pod volumes (checked above) the stricter DNS labels.
        Assert.All(chart.Objects(), o => Assert.Matches("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", o.Object.Text("metadata", "name") ?? ""));
        Assert.All(chart.Objects().Where(o => o.Object.Text("kind") == "Service"), o => Assert.True(KubernetesText.IsDnsLabel(o.Object.Text("metadata", "name")!)));
    }

    [Fact]
    public void Data_volumes_are_persistent_claims()
    {
        var sales = WorkloadsByResource()[ResourceNames.SalesPostgres].PodSpec()!;
        var data = Assert.Single(sales.Items("volumes"), v => v.Text("name") == PlatformContract.Volumes.SalesPostgresData);
        Assert.NotNull(data.At("persistentVolumeClaim"));
    }

    [Fact]
    public void Every_container_has_a_memory_limit()
    {
        Assert.All(PlatformContract.MemoryMiB.ByResource.Keys, resource => Assert.Contains(resource, WorkloadsByResource().Keys));
        foreach (var (resource, workload) in WorkloadsByResource().Where(w => PlatformContract.MemoryMiB.ByResource.ContainsKey(w.Key)))
        {
            var container = workload.PodSpec()!.Items("containers").First();
            var expected = PlatformContract.MemoryMiB.ByResource[resource];
            Assert.Equal($"{expected}Mi", container.Text("resources", "limits", "memory"));
        }
    }

    private YamlMappingNode Load(string relative)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(chart.Read(relative)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private Dictionary<string, Dictionary<string, string>> ConfigMaps(string resource) =>
        chart.Objects()
            .Where(o => o.File.StartsWith(Path.Combine("templates", resource) + Path.DirectorySeparatorChar, StringComparison.Ordinal) && o.Object.Text("kind") == "ConfigMap")
            .ToDictionary(o => o.Object.Text("metadata", "name")!, o => o.Object.Entries("data").ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value ?? ""));

    private List<(string Volume, string Path, string? SubPath)> Mounts(string resource) =>
        [.. WorkloadsByResource()[resource].PodSpec()!.Items("containers").SelectMany(c => c.Items("volumeMounts"))
            .Select(m => (m.Text("name")!, m.Text("mountPath")!, m.Text("subPath")))];
}
