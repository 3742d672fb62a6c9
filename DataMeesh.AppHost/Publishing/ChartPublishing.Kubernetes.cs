using System.Globalization;
using System.Text.RegularExpressions;
using Aspire.Hosting.Kubernetes;
using Aspire.Hosting.Kubernetes.Resources;
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

// Aspire's pipeline API (a step after the publisher's) is marked experimental in 13.6.
#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004

namespace DataMeesh.AppHost;

/// <summary>
/// Everything the Helm chart needs that the AppHost's resources do not say by themselves, written once against
/// Aspire.Hosting.Kubernetes. Compiled only when DataMeeshKubernetes is true (Directory.Build.props); its twin,
/// ChartPublishing.Disabled.cs, has the same methods doing nothing. None of these callbacks runs in run mode.
/// </summary>
internal static class ChartPublishing
{
    public const int DashboardMemoryMiB = 256;

    /// <summary>
    /// How long Helm may wait for a hook Job, and how long the Job itself may run (the seeder alone may wait 600 s for the
    /// APIs' schema). The Job's deadline is shorter than the install timeout the README gives Helm (15 minutes), so a stuck
    /// hook fails as the Job's own error, not as Helm's timeout.
    /// </summary>
    public const int HookDeadlineSeconds = 840;

    /// <summary>`aspire publish` (or `--operation publish`) turns the model into the Helm chart "datameesh".</summary>
    public static void AddChartTarget(this IDistributedApplicationBuilder builder)
    {
        var chart = new ChartRules();
        var environment = builder.AddKubernetesEnvironment(ResourceNames.Kubernetes)
            .WithHelm(helm => helm
                .WithChartName(ResourceNames.HelmChart)
                .WithChartDescription("DataMeesh: domain data products on PostgreSQL, a lake, Trino, JupyterHub and Grafana."))
            .WithProperties(k8s =>
            {
                // Databases, the lake and notebooks must survive pod restarts: claims instead of the default emptyDir.
                k8s.DefaultStorageType = "pvc";
                k8s.DefaultStorageSize = "2Gi";
            })
            .WithDashboard(dashboard => dashboard
                .WithImage(ContainerImages.Dashboard.Registry + "/" + ContainerImages.Dashboard.Image, ContainerImages.Dashboard.Tag)
                .PublishWithMemoryLimit(DashboardMemoryMiB)
                .PublishAsKubernetesService(chart.Apply));

        // Rules for every workload, applied after each resource's own customisations (annotations added at build time run
        // first, these are added once the model is complete).
        builder.Eventing.Subscribe<BeforeStartEvent>((start, _) =>
        {
            if (!builder.ExecutionContext.IsPublishMode)
            {
                return Task.CompletedTask;
            }

            foreach (var resource in start.Model.Resources.OfType<IComputeResource>().Where(r => r is not KubernetesAspireDashboardResource))
            {
                resource.Annotations.Add(new KubernetesServiceCustomizationAnnotation(chart.Apply));
            }

            return Task.CompletedTask;
        });

        // After the publisher has written the chart: values.yaml keeps only what a template reads (ChartRules.TrimValues).
        builder.Pipeline.AddStep($"trim-values-{environment.Resource.Name}",
            context => ChartRules.TrimValuesAsync(context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory(),
                environment.Resource.Annotations.OfType<ChartValueAnnotation>(), context.CancellationToken),
            dependsOn: $"publish-{environment.Resource.Name}",
            requiredBy: WellKnownPipelineSteps.Publish);
    }

    /// <summary>
    /// Publishes a run-to-completion resource (the seeder, the bucket creation) as a Job instead of the Deployment the
    /// publisher writes (microsoft/aspire#19823), which Kubernetes would restart after every successful exit until it
    /// crash-loops. As a Helm post-install/post-upgrade hook it runs after the release's services exist, again on every
    /// upgrade (both jobs are idempotent), and retries while its dependencies are still starting since WaitFor has no
    /// Kubernetes equivalent.
    /// </summary>
    public static IResourceBuilder<T> PublishAsRunOnceJob<T>(this IResourceBuilder<T> resource, int hookWeight) where T : IComputeResource =>
        resource.PublishAsKubernetesService(k8s =>
        {
            var template = k8s.Workload!.PodTemplate;
            template.Spec.RestartPolicy = "OnFailure";
            k8s.Workload = new KubernetesJob
            {
                Metadata =
                {
                    Name = $"{KubernetesText.ToDnsLabel(resource.Resource.Name)}-job",
                    Labels = new Dictionary<string, string>(k8s.Workload.Metadata.Labels),
                    Annotations =
                    {
                        ["helm.sh/hook"] = "post-install,post-upgrade",
                        ["helm.sh/hook-weight"] = hookWeight.ToString(CultureInfo.InvariantCulture),
                        // hook-succeeded: a Job that did its work is removed at once (Helm never deletes hook resources on
                        // uninstall); a failed one stays for `kubectl logs` until the Job's TTL or the next upgrade replaces it.
                        ["helm.sh/hook-delete-policy"] = "before-hook-creation,hook-succeeded",
                    },
                },
                Spec =
                {
                    Template = template,
                    BackoffLimit = 30,
                    ActiveDeadlineSeconds = HookDeadlineSeconds,
                    TtlSecondsAfterFinished = 3600,
                },
            };
        });

    /// <summary>
    /// Publishes a container that keeps its data on a ReadWriteOnce claim (the lake) as a StatefulSet instead of the
    /// Deployment the publisher writes for a plain container: a rolling Deployment update would start a second pod on the
    /// same claim. The publisher promotes only IResourceWithConnectionString resources (PostgreSQL) by itself.
    /// </summary>
    public static IResourceBuilder<T> PublishAsStatefulSet<T>(this IResourceBuilder<T> resource) where T : IComputeResource =>
        resource.PublishAsKubernetesService(k8s =>
        {
            var deployment = (Deployment)k8s.Workload!;
            k8s.Workload = new StatefulSet
            {
                Metadata =
                {
                    Name = $"{KubernetesText.ToDnsLabel(resource.Resource.Name)}-statefulset",
                    Labels = new Dictionary<string, string>(deployment.Metadata.Labels),
                },
                Spec = { Selector = deployment.Spec.Selector, Replicas = deployment.Spec.Replicas, Template = deployment.Spec.Template },
            };
        });

    /// <summary>
    /// An Ingress for a page people open (JupyterHub, Grafana, the dbt docs): the whole host routes to the endpoint, through
    /// the cluster's default ingress class. The host is <c>{site}.datameesh.localhost</c> unless given at publish time as
    /// <c>--Chart:Hosts:{site}=...</c>: the publisher writes ingress hosts into the templates as they are, not as values, and
    /// a configuration key (unlike a parameter) is never overridden by the values a previous publish saved.
    /// </summary>
    public static IResourceBuilder<T> PublishWithIngress<T>(this IResourceBuilder<T> container, string endpointName, string site) where T : ContainerResource
    {
        var builder = container.ApplicationBuilder;
        if (!builder.ExecutionContext.IsPublishMode)
        {
            return container;
        }

        var key = $"Chart:Hosts:{site}";
        var host = (builder.Configuration[key] ?? $"{site}.datameesh.localhost").ToLowerInvariant();
        if (host.Length > 253 || !host.Split('.').All(KubernetesText.IsDnsLabel))
        {
            throw new DistributedApplicationException($"--{key} must be a DNS host name (letters, digits, '-' between them, labels joined by '.'), not '{host}'.");
        }

        var environment = builder.CreateResourceBuilder(builder.Resources.OfType<KubernetesEnvironmentResource>().Single());
        // The publisher routes only endpoints marked external.
        container.WithEndpoint(endpointName, endpoint => endpoint.IsExternal = true);
        environment.AddIngress($"{site}-ingress").WithPath(host, "/", container.GetEndpoint(endpointName));
        return container;
    }

    /// <summary>How many Trino workers the chart runs beside the coordinator, a Helm value (0: the coordinator does all the work).</summary>
    public const string TrinoWorkersValue = "parameters.trino.workers";

    /// <summary>
    /// Trino as a cluster: the coordinator (this resource, which keeps scheduling work on itself so 0 workers still runs
    /// queries) and a Deployment of <see cref="TrinoWorkersValue"/> workers. A worker is the coordinator's pod with its own
    /// config.properties (<c>coordinator=false</c>, discovering the coordinator through its Service) and its own component
    /// label, so the coordinator's Service never routes clients to a worker.
    /// </summary>
    public static IResourceBuilder<T> PublishWithTrinoWorkers<T>(this IResourceBuilder<T> trino, string configMapName) where T : ContainerResource
    {
        var builder = trino.ApplicationBuilder;
        if (builder.ExecutionContext.IsPublishMode)
        {
            builder.Resources.OfType<KubernetesEnvironmentResource>().Single().Annotations.Add(new ChartValueAnnotation(TrinoWorkersValue, 0));
        }

        return trino.PublishAsKubernetesService(k8s =>
        {
            var coordinator = k8s.Workload!.PodTemplate;
            var service = k8s.Service!;
            var http = service.Spec.Ports.Single(p => p.Name == TrinoResource.HttpEndpointName);
            var etc = k8s.AdditionalResources.OfType<ConfigMap>().Single(c => c.Metadata.Name == configMapName);

            var name = KubernetesText.ToDnsLabel(trino.Resource.Name, "worker");
            var workerConfig = new ConfigMap { Metadata = { Name = $"{name}-config-properties" } };
            workerConfig.Data[TrinoConfigFile] = string.Join('\n',
                new[] { "coordinator=false", $"discovery.uri=http://{service.Metadata.Name}:{http.Port.Value}" }
                    .Concat(etc.Data[TrinoConfigFile].Split('\n', StringSplitOptions.RemoveEmptyEntries)
                        .Where(line => !line.StartsWith("coordinator=", StringComparison.Ordinal)
                            && !line.StartsWith("node-scheduler.include-coordinator=", StringComparison.Ordinal)
                            && !line.StartsWith("discovery.uri=", StringComparison.Ordinal)))) + "\n";

            var labels = new Dictionary<string, string>(coordinator.Metadata.Labels) { ["app.kubernetes.io/component"] = name };
            var pod = new PodTemplateSpecV1 { Metadata = { Labels = labels } };
            foreach (var volume in coordinator.Spec.Volumes)
            {
                pod.Spec.Volumes.Add(volume);
            }

            pod.Spec.Volumes.Add(new VolumeV1 { Name = workerConfig.Metadata.Name, ConfigMap = new ConfigMapVolumeSourceV1 { Name = workerConfig.Metadata.Name } });
            foreach (var source in coordinator.Spec.Containers)
            {
                var container = new ContainerV1
                {
                    Name = name,
                    Image = source.Image,
                    ImagePullPolicy = source.ImagePullPolicy,
                    ReadinessProbe = source.ReadinessProbe,
                    Resources = source.Resources,
                };
                container.EnvFrom.AddRange(source.EnvFrom);
                container.Ports.AddRange(source.Ports);
                container.VolumeMounts.AddRange(source.VolumeMounts.Select(mount => mount.SubPath == TrinoConfigFile
                    ? new VolumeMountV1 { Name = workerConfig.Metadata.Name, MountPath = mount.MountPath, SubPath = TrinoConfigFile, ReadOnly = true }
                    : mount));
                pod.Spec.Containers.Add(container);
            }

            k8s.AdditionalResources.Add(workerConfig);
            k8s.AdditionalResources.Add(new ScaledDeployment
            {
                Metadata = { Name = $"{name}-deployment", Labels = new Dictionary<string, string>(labels) },
                Spec =
                {
                    Replicas = $"{{{{ .Values.{TrinoWorkersValue} | int }}}}",
                    Selector = new LabelSelectorV1 { MatchLabels = new Dictionary<string, string>(labels) },
                    Template = pod,
                },
            });
        });
    }

    private const string TrinoConfigFile = "config.properties";

    /// <summary>The Helm value holding how many pods of <paramref name="resource"/> run, e.g. <c>parameters.sales_api.replicas</c>.</summary>
    internal static string ReplicasValue(string resource) => $"parameters.{resource.Replace('-', '_')}.replicas";

    /// <summary>
    /// Runs the resource's Deployment with <see cref="ReplicasValue"/> pods (<paramref name="defaultReplicas"/> unless set at
    /// install). Only for workloads that are safe side by side on one database: the domain APIs (their migrations take an
    /// advisory lock, their quality runs one per interval across replicas) and nothing holding a ReadWriteOnce claim.
    /// </summary>
    public static IResourceBuilder<T> PublishWithReplicas<T>(this IResourceBuilder<T> resource, int defaultReplicas) where T : IComputeResource
    {
        var builder = resource.ApplicationBuilder;
        var value = ReplicasValue(resource.Resource.Name);
        if (builder.ExecutionContext.IsPublishMode)
        {
            builder.Resources.OfType<KubernetesEnvironmentResource>().Single().Annotations.Add(new ChartValueAnnotation(value, defaultReplicas));
        }

        return resource.PublishAsKubernetesService(k8s =>
        {
            var deployment = (Deployment)k8s.Workload!;
            if (deployment.Spec.Template.Spec.Volumes.Any(v => v.PersistentVolumeClaim is not null))
            {
                throw new DistributedApplicationException($"{resource.Resource.Name} keeps data on a claim: its pods cannot run side by side.");
            }

            k8s.Workload = new ScaledDeployment
            {
                Metadata = deployment.Metadata,
                Spec =
                {
                    Replicas = $"{{{{ .Values.{value} | int }}}}",
                    Selector = deployment.Spec.Selector,
                    Template = deployment.Spec.Template,
                    Strategy = deployment.Spec.Strategy,
                    RevisionHistoryLimit = deployment.Spec.RevisionHistoryLimit,
                },
            };
        });
    }

    /// <summary>The pod's memory limit, with requests at half of it so the whole chart schedules on one laptop-sized node.</summary>
    public static IResourceBuilder<T> PublishWithMemoryLimit<T>(this IResourceBuilder<T> resource, int mebibytes) where T : IComputeResource =>
        resource.PublishAsKubernetesService(k8s =>
        {
            foreach (var container in k8s.Workload!.PodTemplate.Spec.Containers)
            {
                container.Resources ??= new ResourceRequirementsV1();
                container.Resources.Limits["memory"] = MiB(mebibytes);
                container.Resources.Requests["memory"] = MiB(mebibytes / 2);
            }
        });

    /// <summary>
    /// The publisher refuses bind mounts and drops WithContainerFiles entries, so a configuration directory becomes one
    /// ConfigMap per folder named <c>{resource}-{configName}[-{folder}]</c>, each file mounted by subPath so the image's
    /// other files in the same directories stay visible.
    /// </summary>
    public static IResourceBuilder<T> PublishConfigDirectory<T>(this IResourceBuilder<T> container,
        ConfigDirectory directory, string configName) where T : ContainerResource
    {
        var name = container.Resource.Name;
        return container.PublishAsKubernetesService(k8s =>
        {
            var pod = k8s.Workload!.PodTemplate.Spec;
            foreach (var folder in directory.Folders())
            {
                var configMapName = KubernetesText.ToDnsLabel(name, configName, folder.RelativePath);
                var configMap = new ConfigMap { Metadata = { Name = configMapName } };
                foreach (var file in folder.Files)
                {
                    configMap.Data[Path.GetFileName(file)] = KubernetesText.EscapeForHelm(File.ReadAllText(file));
                }

                k8s.AdditionalResources.Add(configMap);
                pod.Volumes.Add(new VolumeV1 { Name = configMapName, ConfigMap = new ConfigMapVolumeSourceV1 { Name = configMapName } });
                foreach (var file in folder.Files)
                {
                    var key = Path.GetFileName(file);
                    pod.Containers[0].VolumeMounts.Add(new VolumeMountV1
                    {
                        Name = configMapName,
                        MountPath = $"{directory.TargetOf(folder)}/{key}",
                        SubPath = key,
                        ReadOnly = true,
                    });
                }
            }
        });
    }

    /// <summary>Claims are mounted owned by root: the pod's fsGroup makes them writable by the image's non-root user.</summary>
    public static IResourceBuilder<T> PublishWithFileSystemGroup<T>(this IResourceBuilder<T> container, long groupId) where T : ContainerResource =>
        container.PublishAsKubernetesService(k8s =>
        {
            var securityContext = k8s.Workload!.PodTemplate.Spec.SecurityContext ??= new PodSecurityContextV1();
            securityContext.FsGroup = groupId;
        });

    /// <summary>A readiness probe that runs a program inside the container (for readiness an HTTP status cannot tell).</summary>
    public static IResourceBuilder<T> PublishWithReadinessCommand<T>(this IResourceBuilder<T> container, string command) where T : ContainerResource =>
        container.PublishAsKubernetesService(k8s =>
        {
            foreach (var pod in k8s.Workload!.PodTemplate.Spec.Containers)
            {
                pod.ReadinessProbe = new ProbeV1
                {
                    Exec = new ExecActionV1 { Command = { command } },
                    InitialDelaySeconds = 10,
                    PeriodSeconds = 10,
                    TimeoutSeconds = 5,
                };
            }
        });

    private static string MiB(int mebibytes) => mebibytes.ToString(CultureInfo.InvariantCulture) + "Mi";
}

/// <summary>
/// What every workload of the chart needs whatever resource it comes from, where the publisher's defaults would be
/// rejected by the API server, break an install silently, or leave pods stuck.
/// </summary>
internal sealed partial class ChartRules
{
    private const string Readme = "README, Publish to Kubernetes";

    // values.yaml key of a secret -> the resource section that keeps it: the first resource (in model order) that uses it.
    private readonly Dictionary<string, string> secretSections = new(StringComparer.Ordinal);

    public void Apply(KubernetesResource k8s)
    {
        if (k8s.Workload is not { } workload)
        {
            return;
        }

        var pod = workload.PodTemplate.Spec;
        foreach (var container in pod.Containers)
        {
            // The publisher copies the endpoint's scheme ("http"); the API server accepts only HTTP or HTTPS.
            foreach (var probe in new[] { container.LivenessProbe, container.ReadinessProbe, container.StartupProbe })
            {
                if (probe?.HttpGet is { } httpGet)
                {
                    httpGet.Scheme = httpGet.Scheme?.ToUpperInvariant() ?? "HTTP";
                }
            }

            // Images we build (projects, platform/ Dockerfiles) default to "<name>:latest" with IfNotPresent, so nodes
            // would keep running whatever :latest they pulled first: require the tag of the build instead.
            if (ImageParameter().Match(container.Image) is { Success: true } image)
            {
                container.Image = Required(image.Groups["path"].Value, "the image you built and pushed, with a tag of its own");
            }
        }

        switch (workload)
        {
            // A rolling update starts the new pod before the old one stops: scheduled on another node, it waits forever
            // for the ReadWriteOnce claim the old pod holds. Recreate frees the claim first.
            case Deployment deployment when pod.Volumes.Any(v => v.PersistentVolumeClaim is not null):
                deployment.Spec.Strategy = new DeploymentStrategyV1 { Type = "Recreate", RollingUpdate = null! };
                break;
            // The API server requires serviceName (the governing Service); the publisher leaves it empty.
            case StatefulSet statefulSet when k8s.Service is { } service:
                statefulSet.Spec.ServiceName = service.Metadata.Name;
                break;
        }

        if (k8s.Secret is { } secret)
        {
            foreach (var key in secret.StringData.Keys.ToList())
            {
                secret.StringData[key] = SecretReference().Replace(secret.StringData[key], reference =>
                {
                    var name = reference.Groups["key"].Value;
                    var section = secretSections.TryAdd(name, reference.Groups["section"].Value) ? reference.Groups["section"].Value : secretSections[name];
                    return Required($".Values.secrets.{section}.{name}", $"the {name.Replace('_', '-')} secret");
                });
            }
        }
    }

    /// <summary>
    /// The publisher writes a values entry for every consumer of a secret (lake_secret_key five times) and for variables
    /// whose templates embed the value instead: after Apply, a template reads each secret from one section, so every entry
    /// no template reads is removed, and image entries are emptied (Apply made them required). `aspire deploy` still
    /// writes every entry it captured into its override file; the ones kept here are among them.
    /// </summary>
    public static async Task TrimValuesAsync(string chartDirectory, IEnumerable<ChartValueAnnotation> added, CancellationToken cancellationToken)
    {
        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var template in Directory.EnumerateFiles(Path.Combine(chartDirectory, "templates"), "*.yaml", SearchOption.AllDirectories))
        {
            var text = await File.ReadAllTextAsync(template, cancellationToken);
            read.UnionWith(ValuesReference().Matches(text).Select(m => m.Groups["path"].Value));
        }

        var valuesFile = Path.Combine(chartDirectory, "values.yaml");
        var values = new YamlStream();
        using (var reader = new StringReader(await File.ReadAllTextAsync(valuesFile, cancellationToken)))
        {
            values.Load(reader);
        }

        var root = (YamlMappingNode)values.Documents[0].RootNode;
        foreach (var (sectionKey, sectionNode) in root.Children.ToList())
        {
            var section = (YamlMappingNode)sectionNode;
            foreach (var (resourceKey, resourceNode) in section.Children.ToList())
            {
                var entries = (YamlMappingNode)resourceNode;
                foreach (var (key, value) in entries.Children.ToList())
                {
                    var path = $"{sectionKey}.{resourceKey}.{key}";
                    if (!read.Contains(path))
                    {
                        entries.Children.Remove(key);
                    }
                    else if (ImagePath().IsMatch(path))
                    {
                        entries.Children[key] = new YamlScalarNode("") { Style = ScalarStyle.DoubleQuoted };
                    }
                }

                if (entries.Children.Count == 0)
                {
                    section.Children.Remove(resourceKey);
                }
            }
        }

        // Values only ChartPublishing's own templates read (the publisher knows nothing of them).
        foreach (var value in added)
        {
            var keys = value.Path.Split('.');
            var node = root;
            foreach (var key in keys[..^1])
            {
                if (!node.Children.TryGetValue(new YamlScalarNode(key), out var child))
                {
                    node.Children[new YamlScalarNode(key)] = child = new YamlMappingNode();
                }

                node = (YamlMappingNode)child;
            }

            node.Children[new YamlScalarNode(keys[^1])] = new YamlScalarNode(value.Default.ToString(CultureInfo.InvariantCulture));
        }

        await using var writer = new StringWriter();
        values.Save(writer, assignAnchors: false);
        // YamlStream ends the document with "..."; Helm reads it either way, people read it better without.
        await File.WriteAllTextAsync(valuesFile, writer.ToString().Replace("\n...\n", "\n", StringComparison.Ordinal), cancellationToken);
    }

    /// <summary>Helm's `required`: the install fails with the message when the value is missing or empty.</summary>
    private static string Required(string valuesPath, string what) =>
        $"{{{{ required `{valuesPath[".Values.".Length..]} is required: {what} ({Readme})` {valuesPath} }}}}";

    [GeneratedRegex(@"^\{\{ (?<path>\.Values\.parameters\.[a-z0-9_]+\.[a-z0-9_]+_image) \}\}$")]
    private static partial Regex ImageParameter();

    [GeneratedRegex(@"^parameters\.[a-z0-9_]+\.[a-z0-9_]+_image$")]
    private static partial Regex ImagePath();

    [GeneratedRegex(@"\{\{\s*\.Values\.secrets\.(?<section>[A-Za-z0-9_]+)\.(?<key>[A-Za-z0-9_]+)\s*\}\}")]
    private static partial Regex SecretReference();

    [GeneratedRegex(@"\.Values\.(?<path>[A-Za-z0-9_]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_]+)")]
    private static partial Regex ValuesReference();
}

/// <summary>A values.yaml entry (dotted path, default) that a template ChartPublishing writes reads.</summary>
internal sealed record ChartValueAnnotation(string Path, int Default) : IResourceAnnotation;

/// <summary>An apps/v1 Deployment whose replica count is a Helm expression (the publisher's Deployment takes a number only).</summary>
public sealed class ScaledDeployment() : Workload("apps/v1", "Deployment")
{
    public ScaledDeploymentSpec Spec { get; set; } = new();

    [YamlIgnore]
    public override PodTemplateSpecV1 PodTemplate => Spec.Template;
}

public sealed class ScaledDeploymentSpec
{
    public string Replicas { get; set; } = "1";

    public LabelSelectorV1 Selector { get; set; } = new();

    public PodTemplateSpecV1 Template { get; set; } = new();

    public DeploymentStrategyV1? Strategy { get; set; }

    public int? RevisionHistoryLimit { get; set; }
}

/// <summary>A batch/v1 Job. The publisher serializes workloads by their public properties in camelCase.</summary>
public sealed class KubernetesJob() : Workload("batch/v1", "Job")
{
    public KubernetesJobSpec Spec { get; set; } = new();

    [YamlIgnore]
    public override PodTemplateSpecV1 PodTemplate => Spec.Template;
}

public sealed class KubernetesJobSpec
{
    public int? BackoffLimit { get; set; }

    public int? ActiveDeadlineSeconds { get; set; }

    public int? TtlSecondsAfterFinished { get; set; }

    public PodTemplateSpecV1 Template { get; set; } = new();
}
