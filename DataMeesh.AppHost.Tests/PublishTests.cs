using System.Globalization;
using System.Text.RegularExpressions;
using DataMeesh.AppHost.Tests.Infrastructure;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace DataMeesh.AppHost.Tests;

/// <summary>The Helm chart `aspire publish` writes: one a cluster accepts, with the publisher's gaps worked around. No Docker needed.</summary>
public sealed partial class PublishTests(PublishedChart chart) : IClassFixture<PublishedChart>
{
    private static readonly string[] Workloads = ["Deployment", "StatefulSet", "Job"];

    /// <summary>Every variable whose value is a secret: the containers', the APIs' and the token service's.</summary>
    private static readonly string[] SecretVariables =
        [.. PlatformContract.Env.Secret, .. PlatformContract.ApiEnv.Secret, .. PlatformContract.TokenEnv.Secret];

    private Dictionary<string, YamlMappingNode> WorkloadsByResource() =>
        chart.Objects().Where(o => Workloads.Contains(o.Object.Text("kind")))
            .ToDictionary(o => o.Object.Text("metadata", "labels", "app.kubernetes.io/component")!, o => o.Object);

    [Fact]
    public void The_chart_is_named_datameesh() =>
        Assert.Equal(ResourceNames.HelmChart, Load("Chart.yaml").Text("name"));

    [Theory]
    [InlineData(ResourceNames.SalesPostgres, "StatefulSet")]
    [InlineData(ResourceNames.MarketingPostgres, "StatefulSet")]
    [InlineData(ResourceNames.MetastorePostgres, "StatefulSet")]
    [InlineData(ResourceNames.Lake, "StatefulSet")]
    [InlineData(ResourceNames.LakeInit, "Job")]
    [InlineData(ResourceNames.HiveMetastore, "Deployment")]
    [InlineData(ResourceNames.Trino, "Deployment")]
    [InlineData(ResourceNames.SalesApi, "Deployment")]
    [InlineData(ResourceNames.MarketingApi, "Deployment")]
    [InlineData(ResourceNames.Seeder, "Job")]
    [InlineData(ResourceNames.TokenService, "Deployment")]
    [InlineData(ResourceNames.JupyterHub, "Deployment")]
    [InlineData(ResourceNames.Grafana, "Deployment")]
    public void Every_resource_has_its_workload(string resource, string kind)
    {
        Assert.True(WorkloadsByResource().TryGetValue(resource, out var workload), $"no workload for {resource}");
        Assert.Equal(kind, workload!.Text("kind"));
    }

    [Theory]
    [InlineData(ResourceNames.LakeInit)]
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
        var configMaps = ConfigMaps(ResourceNames.Trino);
        var catalog = configMaps["trino-etc-catalog"];
        Assert.Equal(["hive.properties", "marketing.properties", "sales.properties"], catalog.Keys.Order());
        Assert.Contains("${ENV:SALES_PG_PASSWORD}", catalog["sales.properties"], StringComparison.Ordinal);
        Assert.Contains("rules.json", configMaps["trino-etc"].Keys);
        Assert.Contains("config.properties", configMaps["trino-etc"].Keys);

        var mounts = Mounts(ResourceNames.Trino);
        Assert.Contains(("trino-etc-catalog", "/etc/trino/catalog/sales.properties", "sales.properties"), mounts);
        Assert.Contains(("trino-etc", "/etc/trino/rules.json", "rules.json"), mounts);
    }

    [Fact]
    public void Grafana_provisioning_and_dashboards_are_config_maps()
    {
        var configMaps = ConfigMaps(ResourceNames.Grafana);
        Assert.Contains("grafana-provisioning-datasources", configMaps.Keys);
        Assert.Contains("grafana-dashboards", configMaps.Keys);
        Assert.Contains(Mounts(ResourceNames.Grafana), m => m.Path.StartsWith(PlatformContract.Paths.GrafanaProvisioning + "/datasources/", StringComparison.Ordinal));
        Assert.Contains(Mounts(ResourceNames.Grafana), m => m.Path.StartsWith(PlatformContract.Paths.GrafanaDashboards + "/", StringComparison.Ordinal));
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
    public void Publishing_saves_no_deployment_state() =>
        // Aspire keeps parameter values, secrets included, in plain text under ~/.aspire/deployments unless told not to.
        Assert.Empty(chart.DeploymentStateWritten);

    [Fact]
    public void Secret_variables_come_from_secrets_never_from_config_maps()
    {
        foreach (var (file, configMap) in chart.Objects().Where(o => o.Object.Text("kind") == "ConfigMap"))
        {
            Assert.All(configMap.Entries("data"), entry => Assert.DoesNotContain(entry.Key, SecretVariables));
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


    // ---- The chart as `helm install` sends it: rendered with the README's values, each object read strictly. ----

    private static readonly InstallRecipe Recipe = InstallRecipe.FromReadme();

    private IReadOnlyList<(string File, IKubernetesObject<V1ObjectMeta> Object)>? installed;

    private IReadOnlyList<(string File, IKubernetesObject<V1ObjectMeta> Object)> Installed() => installed ??= chart.Render(Recipe.Values);

    private IEnumerable<(string Kind, string Name, V1PodTemplateSpec Pod)> Pods()
    {
        foreach (var (_, o) in Installed())
        {
            var template = o switch
            {
                V1Deployment d => d.Spec.Template,
                V1StatefulSet s => s.Spec.Template,
                V1Job j => j.Spec.Template,
                _ => null,
            };
            if (template is not null)
            {
                yield return (o.Kind, o.Name(), template);
            }
        }
    }

    private IEnumerable<T> Installed<T>() => Installed().Select(o => o.Object).OfType<T>();

    public static TheoryData<string> RequiredValues() => [.. Recipe.Values.Keys];

    [Fact]
    public void The_readme_install_renders_into_objects_the_api_server_accepts()
    {
        var objects = Installed();
        // The thirteen compute resources (the token service is the thirteenth), the Aspire dashboard and Trino's workers.
        Assert.Equal(15, objects.Count(o => o.Object is V1Deployment or V1StatefulSet or V1Job));
        Assert.All(objects, o =>
        {
            var name = o.Object.Name();
            Assert.True(name.Length <= 253 && DnsSubdomain().IsMatch(name), $"{o.File}: '{name}' is not a DNS-1123 subdomain");
        });
        Assert.All(Installed<V1Service>(), s => Assert.True(KubernetesText.IsDnsLabel(s.Name()), $"Service '{s.Name()}' is not a DNS-1123 label"));
        Assert.All(objects.GroupBy(o => (o.Object.Kind, o.Object.Name())), g => Assert.Single(g));
    }

    [Fact]
    public void Names_the_api_server_checks_beyond_the_models_are_valid()
    {
        foreach (var (_, name, pod) in Pods())
        {
            Assert.All(pod.Spec.Containers, c => Assert.True(KubernetesText.IsDnsLabel(c.Name), $"{name}: container '{c.Name}'"));
            Assert.All(pod.Spec.Containers.SelectMany(c => c.Ports ?? []).Where(p => p.Name is not null), p =>
                Assert.True(p.Name.Length <= 15 && PortName().IsMatch(p.Name), $"{name}: port name '{p.Name}' is not an IANA service name"));
            Assert.All(pod.Metadata.Labels, l => Assert.True(l.Value.Length <= 63 && LabelValue().IsMatch(l.Value), $"{name}: label {l.Key}={l.Value}"));
        }

        Assert.All(Installed<V1ConfigMap>().SelectMany(c => c.Data.Keys), key => Assert.True(KubernetesText.IsConfigMapKey(key), key));
        Assert.All(Installed<V1Secret>().SelectMany(c => c.StringData.Keys), key => Assert.True(KubernetesText.IsConfigMapKey(key), key));
    }

    [Fact]
    public void Installing_with_the_published_values_alone_stops_before_anything_is_created()
    {
        var error = Assert.Throws<HelmRenderException>(() => chart.Render(new Dictionary<string, string>()));
        Assert.Contains(" is required: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RequiredValues))]
    public void Installing_without_one_secret_or_image_fails_naming_it(string path)
    {
        var withoutIt = Recipe.Values.Where(v => v.Key != path).ToDictionary();
        var error = Assert.Throws<HelmRenderException>(() => chart.Render(withoutIt));
        Assert.StartsWith($"{path} is required: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("README", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_sets_exactly_what_the_chart_requires()
    {
        var required = chart.Files().Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) && f.Contains("templates", StringComparison.Ordinal))
            .SelectMany(f => RequiredValue().Matches(File.ReadAllText(f)).Select(m => m.Groups["path"].Value))
            .ToHashSet();
        Assert.Equal(required.Order(), Recipe.Values.Keys.Order());
    }

    [Fact]
    public void Each_secret_has_one_values_entry_and_every_entry_is_read()
    {
        var values = Load("values.yaml");
        var secretKeys = values.Entries("secrets").SelectMany(resource => resource.Value.Entries().Select(e => e.Key)).ToList();
        Assert.Equal(PlatformContract.Parameters.Secrets.Select(p => p.Replace('-', '_')).Order(), secretKeys.Order());

        var templates = string.Join('\n', chart.Files().Where(f => f.Contains($"{Path.DirectorySeparatorChar}templates{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).Select(File.ReadAllText));
        foreach (var (section, resources) in values.Entries())
        {
            foreach (var (resource, entries) in resources.Entries())
            {
                Assert.All(entries.Entries(), e => Assert.Contains($".Values.{section}.{resource}.{e.Key} ", templates, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void Every_secret_object_reads_its_values_through_required()
    {
        foreach (var (file, secret) in chart.Objects().Where(o => o.Object.Text("kind") == "Secret"))
        {
            var raw = File.ReadAllText(Path.Combine(chart.Directory, file));
            Assert.All(ValuesReferenceInAction().Matches(raw), action =>
                Assert.True(action.Value.StartsWith("{{ required `", StringComparison.Ordinal), $"{file}: {action.Value}"));
            Assert.NotEmpty(secret.Entries("stringData"));
        }
    }

    [Theory]
    [InlineData(ResourceNames.SalesApi)]
    [InlineData(ResourceNames.MarketingApi)]
    [InlineData(ResourceNames.TokenService)]
    public void Api_probes_are_http_on_the_port_the_api_serves_plain_http_on(string resource)
    {
        var deployment = Assert.Single(Installed<V1Deployment>(), d => d.Name() == $"{resource}-deployment");
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        var http = Assert.Single(container.Ports, p => p.Name == "http").ContainerPort;
        var config = Assert.Single(Installed<V1ConfigMap>(), c => c.Name() == $"{resource}-config");
        Assert.Equal(http.ToString(CultureInfo.InvariantCulture), config.Data["HTTP_PORTS"]);
        Assert.DoesNotContain("HTTPS_PORTS", config.Data.Keys);

        foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe })
        {
            Assert.Equal("HTTP", probe.HttpGet.Scheme);
            Assert.Equal(http.ToString(CultureInfo.InvariantCulture), probe.HttpGet.Port.Value);
        }
    }

    [Fact]
    public void Every_probe_says_HTTP_or_HTTPS_and_targets_a_port_of_its_container()
    {
        foreach (var (kind, name, pod) in Pods())
        {
            foreach (var container in pod.Spec.Containers)
            {
                foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe, container.StartupProbe }.Where(p => p?.HttpGet is not null))
                {
                    Assert.Contains(probe.HttpGet.Scheme, (string[])["HTTP", "HTTPS"]);
                    Assert.Contains(container.Ports, p => p.ContainerPort.ToString(CultureInfo.InvariantCulture) == probe.HttpGet.Port.Value || p.Name == probe.HttpGet.Port.Value);
                }
            }
        }
    }

    [Fact]
    public void Every_config_map_secret_and_claim_a_pod_uses_exists()
    {
        var configMaps = Installed<V1ConfigMap>().Select(c => c.Name()).ToHashSet();
        var secrets = Installed<V1Secret>().Select(c => c.Name()).ToHashSet();
        var claims = Installed<V1PersistentVolumeClaim>().Select(c => c.Name()).ToHashSet();
        foreach (var (kind, name, pod) in Pods())
        {
            foreach (var source in pod.Spec.Containers.SelectMany(c => c.EnvFrom ?? []))
            {
                Assert.True(source.ConfigMapRef is null || configMaps.Contains(source.ConfigMapRef.Name), $"{name}: ConfigMap {source.ConfigMapRef?.Name}");
                Assert.True(source.SecretRef is null || secrets.Contains(source.SecretRef.Name), $"{name}: Secret {source.SecretRef?.Name}");
            }

            foreach (var volume in pod.Spec.Volumes ?? [])
            {
                Assert.True(volume.ConfigMap is null || configMaps.Contains(volume.ConfigMap.Name), $"{name}: ConfigMap volume {volume.ConfigMap?.Name}");
                Assert.True(volume.PersistentVolumeClaim is null || claims.Contains(volume.PersistentVolumeClaim.ClaimName), $"{name}: claim {volume.PersistentVolumeClaim?.ClaimName}");
                Assert.Null(volume.HostPath);
            }

            Assert.All(pod.Spec.Containers.SelectMany(c => c.VolumeMounts ?? []), m => Assert.Contains(pod.Spec.Volumes ?? [], v => v.Name == m.Name));
        }
    }

    [Fact]
    public void Every_service_selects_one_workload_and_forwards_to_its_ports()
    {
        foreach (var service in Installed<V1Service>())
        {
            var selected = Pods().Where(p => service.Spec.Selector.All(l => p.Pod.Metadata.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
            var (_, workload, pod) = Assert.Single(selected);
            Assert.NotEqual("Job", selected[0].Kind);
            var ports = pod.Spec.Containers.SelectMany(c => c.Ports ?? []).ToList();
            Assert.All(service.Spec.Ports, port => Assert.True(
                ports.Any(p => p.ContainerPort.ToString(CultureInfo.InvariantCulture) == port.TargetPort.Value || p.Name == port.TargetPort.Value),
                $"{service.Name()} forwards to {port.TargetPort.Value}, which {workload} does not expose"));
        }
    }

    [Theory]
    [InlineData("jupyterhub", ResourceNames.JupyterHub, JupyterHubResource.HttpEndpointName)]
    [InlineData("dbt-docs", ResourceNames.JupyterHub, JupyterHubResource.DbtDocsEndpointName)]
    [InlineData("grafana", ResourceNames.Grafana, GrafanaResource.HttpEndpointName)]
    public void The_pages_people_open_have_an_ingress_on_their_own_host(string site, string resource, string endpoint)
    {
        var ingress = Assert.Single(Installed<V1Ingress>(), i => i.Name() == $"{site}-ingress");
        var rule = Assert.Single(ingress.Spec.Rules);
        Assert.Equal($"{site}.datameesh.localhost", rule.Host);
        var path = Assert.Single(rule.Http.Paths);
        Assert.Equal(("/", "Prefix"), (path.Path, path.PathType));
        Assert.Equal($"{resource}-service", path.Backend.Service.Name);
        Assert.Equal(endpoint, path.Backend.Service.Port.Name);
    }

    [Fact]
    public void Every_ingress_routes_to_a_port_of_a_service()
    {
        Assert.Equal(3, Installed<V1Ingress>().Count());
        foreach (var backend in Installed<V1Ingress>().SelectMany(i => i.Spec.Rules).SelectMany(r => r.Http.Paths).Select(p => p.Backend.Service))
        {
            var service = Assert.Single(Installed<V1Service>(), s => s.Name() == backend.Name);
            Assert.Contains(service.Spec.Ports, p => p.Name == backend.Port.Name);
        }
    }

    [Fact]
    public void Trino_scales_out_with_workers_that_find_the_coordinator_through_its_service()
    {
        Assert.Equal(0, Assert.Single(Installed<V1Deployment>(), d => d.Name() == "trino-worker-deployment").Spec.Replicas);

        var scaled = chart.Render(new Dictionary<string, string>(Recipe.Values) { [ChartPublishing.TrinoWorkersValue] = "3" });
        var deployments = scaled.Select(o => o.Object).OfType<V1Deployment>().ToList();
        var worker = Assert.Single(deployments, d => d.Name() == "trino-worker-deployment");
        var coordinator = Assert.Single(deployments, d => d.Name() == "trino-deployment");
        Assert.Equal(3, worker.Spec.Replicas);
        Assert.Equal(1, coordinator.Spec.Replicas);

        var service = Assert.Single(scaled.Select(o => o.Object).OfType<V1Service>(), s => s.Name() == "trino-service");
        Assert.All(service.Spec.Selector, l => Assert.Equal(l.Value, coordinator.Spec.Template.Metadata.Labels[l.Key]));
        Assert.NotEqual(service.Spec.Selector["app.kubernetes.io/component"], worker.Spec.Template.Metadata.Labels["app.kubernetes.io/component"]);

        var configMaps = scaled.Select(o => o.Object).OfType<V1ConfigMap>().ToDictionary(c => c.Name());
        var workerPod = worker.Spec.Template.Spec;
        var coordinatorPod = coordinator.Spec.Template.Spec;
        string ConfigProperties(V1PodSpec pod)
        {
            var mount = Assert.Single(pod.Containers[0].VolumeMounts, m => m.MountPath == $"{PlatformContract.Paths.TrinoEtc}/config.properties");
            var volume = Assert.Single(pod.Volumes, v => v.Name == mount.Name);
            return configMaps[volume.ConfigMap.Name].Data[mount.SubPath];
        }

        var workerConfig = ConfigProperties(workerPod).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("coordinator=false", workerConfig);
        Assert.Contains($"discovery.uri=http://{service.Name()}:{service.Spec.Ports.Single(p => p.Name == "http").Port}", workerConfig);
        Assert.DoesNotContain(workerConfig, line => line.StartsWith("node-scheduler.include-coordinator", StringComparison.Ordinal));
        Assert.Contains("coordinator=true", ConfigProperties(coordinatorPod).Split('\n'));

        // Everything else a worker reads is the coordinator's: image, catalogs and their secrets, JVM and node settings.
        Assert.Equal(coordinatorPod.Containers[0].Image, workerPod.Containers[0].Image);
        Assert.Equal(coordinatorPod.Containers[0].EnvFrom.Select(e => (e.ConfigMapRef?.Name, e.SecretRef?.Name)), workerPod.Containers[0].EnvFrom.Select(e => (e.ConfigMapRef?.Name, e.SecretRef?.Name)));
        Assert.Equal(coordinatorPod.Containers[0].VolumeMounts.Select(m => (m.MountPath, m.SubPath)), workerPod.Containers[0].VolumeMounts.Select(m => (m.MountPath, m.SubPath)));
        Assert.Equal(coordinatorPod.Containers[0].Resources.Limits["memory"], workerPod.Containers[0].Resources.Limits["memory"]);
        Assert.NotNull(workerPod.Containers[0].ReadinessProbe?.Exec);
    }

    [Theory]
    [InlineData(ResourceNames.SalesApi)]
    [InlineData(ResourceNames.MarketingApi)]
    public void The_domain_apis_run_several_replicas_set_by_a_helm_value(string resource)
    {
        var value = ChartPublishing.ReplicasValue(resource);
        Assert.Equal(DataProductApiExtensions.ApiReplicas.ToString(CultureInfo.InvariantCulture), Load("values.yaml").Text(value.Split('.')));
        Assert.True(DataProductApiExtensions.ApiReplicas > 1);
        var api = Assert.Single(Installed<V1Deployment>(), d => d.Name() == $"{resource}-deployment");
        Assert.Equal(DataProductApiExtensions.ApiReplicas, api.Spec.Replicas);
        // Rolled one pod at a time (the publisher's strategy kept), and the API's Service still selects every replica.
        Assert.Equal("RollingUpdate", api.Spec.Strategy.Type);
        var service = Assert.Single(Installed<V1Service>(), s => s.Name() == $"{resource}-service");
        Assert.All(service.Spec.Selector, l => Assert.Equal(l.Value, api.Spec.Template.Metadata.Labels[l.Key]));

        var scaled = chart.Render(new Dictionary<string, string>(Recipe.Values) { [value] = "5" });
        Assert.Equal(5, Assert.Single(scaled.Select(o => o.Object).OfType<V1Deployment>(), d => d.Name() == $"{resource}-deployment").Spec.Replicas);
    }

    [Fact]
    public void Every_stateful_set_names_the_service_that_selects_it()
    {
        Assert.NotEmpty(Installed<V1StatefulSet>());
        foreach (var statefulSet in Installed<V1StatefulSet>())
        {
            var service = Assert.Single(Installed<V1Service>(), s => s.Name() == statefulSet.Spec.ServiceName);
            Assert.All(service.Spec.Selector, l => Assert.Equal(l.Value, statefulSet.Spec.Template.Metadata.Labels[l.Key]));
        }
    }

    [Fact]
    public void Deployments_on_claims_are_recreated_not_rolled()
    {
        var onClaims = Installed<V1Deployment>().Where(d => (d.Spec.Template.Spec.Volumes ?? []).Any(v => v.PersistentVolumeClaim is not null)).ToList();
        Assert.Contains(onClaims, d => d.Name() == $"{ResourceNames.JupyterHub}-deployment");
        Assert.All(onClaims, d =>
        {
            Assert.Equal("Recreate", d.Spec.Strategy.Type);
            Assert.Null(d.Spec.Strategy.RollingUpdate);
        });
    }

    [Fact]
    public void Hook_jobs_give_up_before_helm_does_and_do_not_outlive_the_release()
    {
        var jobs = Installed<V1Job>().ToList();
        Assert.Equal(2, jobs.Count);
        Assert.All(jobs, job =>
        {
            var annotations = job.Metadata.Annotations;
            Assert.Equal("post-install,post-upgrade", annotations["helm.sh/hook"]);
            Assert.Equal(["before-hook-creation", "hook-succeeded"], annotations["helm.sh/hook-delete-policy"].Split(','));
            Assert.NotNull(job.Spec.TtlSecondsAfterFinished);
            Assert.InRange(TimeSpan.FromSeconds(job.Spec.ActiveDeadlineSeconds!.Value), TimeSpan.FromMinutes(11), Recipe.Timeout - TimeSpan.FromSeconds(30));
        });

        // The seeder waits up to --schema-timeout seconds for the APIs' schema, and must still load within its deadline.
        var seeder = Assert.Single(jobs, j => j.Name() == $"{ResourceNames.Seeder}-job");
        var args = seeder.Spec.Template.Spec.Containers[0].Args;
        var schemaTimeout = int.Parse(args[args.IndexOf("--schema-timeout") + 1], CultureInfo.InvariantCulture);
        Assert.True(seeder.Spec.ActiveDeadlineSeconds >= schemaTimeout + 120, "no time left to load after waiting for the schema");
    }

    [Fact]
    public void Every_image_has_a_tag_of_its_own()
    {
        foreach (var (_, name, pod) in Pods())
        {
            foreach (var container in pod.Spec.Containers)
            {
                var tag = container.Image.Split('/')[^1].Split(':');
                Assert.True(tag.Length == 2 && tag[1] != "latest", $"{name}: {container.Image} has no tag of its own");
                Assert.DoesNotContain("nightly", container.Image, StringComparison.Ordinal);
            }
        }

        var built = Load("values.yaml").Entries("parameters").SelectMany(r => r.Value.Entries()).Where(e => e.Key.EndsWith("_image", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, built.Count); // the APIs, the seeder, the token service, the metastore and JupyterHub
        Assert.All(built, e => Assert.Equal("", ((YamlScalarNode)e.Value).Value));
    }

    [Fact]
    public void Every_pod_requests_and_limits_memory_and_the_readme_gives_the_totals()
    {
        var containers = Pods().SelectMany(p => p.Pod.Spec.Containers).ToList();
        // What the cluster runs: each container as often as its workload's replicas (Trino's workers: none by default).
        var running = Installed().SelectMany(o => o.Object switch
        {
            V1Deployment d => Enumerable.Repeat(d.Spec.Template.Spec.Containers, d.Spec.Replicas ?? 1),
            V1StatefulSet s => Enumerable.Repeat(s.Spec.Template.Spec.Containers, s.Spec.Replicas ?? 1),
            V1Job j => [j.Spec.Template.Spec.Containers],
            _ => [],
        }).SelectMany(c => c).ToList();
        Assert.All(containers, c =>
        {
            Assert.True(c.Resources?.Limits?.ContainsKey("memory") == true, $"{c.Name} has no memory limit");
            Assert.True(c.Resources?.Requests?.ContainsKey("memory") == true, $"{c.Name} requests no memory");
        });
        var dashboard = Assert.Single(Installed<V1Deployment>(), d => d.Name() == "k8s-dashboard-deployment").Spec.Template.Spec.Containers[0];
        Assert.Equal("256Mi", dashboard.Resources.Limits["memory"].ToString());

        var limits = running.Sum(c => MiB(c.Resources.Limits["memory"]));
        var requests = running.Sum(c => MiB(c.Resources.Requests["memory"]));
        var readme = File.ReadAllText(Path.Combine(ProjectPaths.RepositoryRoot, "README.md"));
        Assert.Contains($"limits\nadd up to **{limits:N0} MiB** and the requests to **{requests:N0} MiB**", readme, StringComparison.Ordinal);
    }

    private static long MiB(ResourceQuantity quantity) => (long)(quantity.ToDecimal() / (1024 * 1024));

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    private static partial Regex DnsSubdomain();

    // IANA_SVC_NAME: lower-case letters, digits and single '-' between them, at least one letter.
    [GeneratedRegex("^(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex PortName();

    [GeneratedRegex("^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex(@"\{\{ required `[^`]*` \.Values\.(?<path>[A-Za-z0-9_.]+) \}\}")]
    private static partial Regex RequiredValue();

    [GeneratedRegex(@"\{\{[^}]*\.Values\.[^}]*\}\}")]
    private static partial Regex ValuesReferenceInAction();

    private YamlMappingNode Load(string relative) => chart.Load(relative);

    private Dictionary<string, Dictionary<string, string>> ConfigMaps(string resource) =>
        chart.Objects()
            .Where(o => o.File.StartsWith(Path.Combine("templates", resource) + Path.DirectorySeparatorChar, StringComparison.Ordinal) && o.Object.Text("kind") == "ConfigMap")
            .ToDictionary(o => o.Object.Text("metadata", "name")!, o => o.Object.Entries("data").ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value ?? ""));

    private List<(string Volume, string Path, string? SubPath)> Mounts(string resource) =>
        [.. WorkloadsByResource()[resource].PodSpec()!.Items("containers").SelectMany(c => c.Items("volumeMounts"))
            .Select(m => (m.Text("name")!, m.Text("mountPath")!, m.Text("subPath")))];
}
