using System.Globalization;
using Aspire.Hosting.Kubernetes;
using Aspire.Hosting.Kubernetes.Resources;
using YamlDotNet.Serialization;

namespace DataMeesh.AppHost;

/// <summary>
/// Everything the Helm chart needs that the AppHost's resources do not say by themselves, written once against
/// Aspire.Hosting.Kubernetes. Compiled only when DataMeeshKubernetes is true (Directory.Build.props); its twin,
/// ChartPublishing.Disabled.cs, has the same methods doing nothing. None of these callbacks runs in run mode.
/// </summary>
internal static class ChartPublishing
{
    /// <summary>`aspire publish` (or `--operation publish`) turns the model into the Helm chart "datameesh".</summary>
    public static void AddChartTarget(this IDistributedApplicationBuilder builder) =>
        builder.AddKubernetesEnvironment(PlatformContract.Resources.Kubernetes)
            .WithHelm(helm => helm
                .WithChartName(PlatformContract.Resources.HelmChart)
                .WithChartDescription("DataMeesh: domain data products on PostgreSQL, a lake, Trino, JupyterHub and Grafana."))
            .WithProperties(k8s =>
            {
                // Databases, the lake and notebooks must survive pod restarts: claims instead of the default emptyDir.
                k8s.DefaultStorageType = "pvc";
                k8s.DefaultStorageSize = "2Gi";
            });

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
                        ["helm.sh/hook-delete-policy"] = "before-hook-creation",
                    },
                },
                Spec = { Template = template, BackoffLimit = 30 },
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
    public static IResourceBuilder<ContainerResource> PublishConfigDirectory(this IResourceBuilder<ContainerResource> container,
        ConfigDirectory directory, string configName)
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
    public static IResourceBuilder<ContainerResource> PublishWithFileSystemGroup(this IResourceBuilder<ContainerResource> container, long groupId) =>
        container.PublishAsKubernetesService(k8s =>
        {
            var securityContext = k8s.Workload!.PodTemplate.Spec.SecurityContext ??= new PodSecurityContextV1();
            securityContext.FsGroup = groupId;
        });

    /// <summary>A readiness probe that runs a program inside the container (for readiness an HTTP status cannot tell).</summary>
    public static IResourceBuilder<ContainerResource> PublishWithReadinessCommand(this IResourceBuilder<ContainerResource> container, string command) =>
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

    public PodTemplateSpecV1 Template { get; set; } = new();
}
