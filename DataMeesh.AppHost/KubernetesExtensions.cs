using Aspire.Hosting.Kubernetes;
using Aspire.Hosting.Kubernetes.Resources;
using YamlDotNet.Serialization;

namespace DataMeesh.AppHost;

/// <summary>The Kubernetes target, and the one workload kind the publisher lacks (microsoft/aspire#19823): run-once Jobs.</summary>
internal static class KubernetesExtensions
{
    public static IResourceBuilder<KubernetesEnvironmentResource> AddDataMeeshKubernetes(this IDistributedApplicationBuilder builder) =>
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
    /// publisher writes, which Kubernetes would restart after every successful exit until it crash-loops. As a Helm
    /// post-install/post-upgrade hook it runs after the release's services exist, again on every upgrade (both jobs are
    /// idempotent), and retries while its dependencies are still starting since WaitFor has no Kubernetes equivalent.
    /// </summary>
    public static IResourceBuilder<T> PublishAsKubernetesJob<T>(this IResourceBuilder<T> resource, int hookWeight) where T : IComputeResource =>
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
                        ["helm.sh/hook-weight"] = hookWeight.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["helm.sh/hook-delete-policy"] = "before-hook-creation",
                    },
                },
                Spec = { Template = template, BackoffLimit = 30 },
            };
        });
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
