using System.Globalization;
using Aspire.Hosting.Kubernetes;
using Aspire.Hosting.Kubernetes.Resources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataMeesh.AppHost;

/// <summary>What several components need: repository paths, memory limits, configuration files and custom health checks,
/// each written once for running locally and once for the Kubernetes chart.</summary>
internal static class ResourceExtensions
{
    /// <summary>A path under the repository root (the AppHost project sits one level below it).</summary>
    public static string PlatformPath(this IDistributedApplicationBuilder builder, string repositoryPath) =>
        Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", repositoryPath));

    /// <summary>A container's memory limit: <c>docker run --memory</c> locally, the pod's limit on Kubernetes.</summary>
    public static IResourceBuilder<T> WithMemoryLimit<T>(this IResourceBuilder<T> container, int mebibytes) where T : ContainerResource
    {
        if (container.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return container.WithContainerRuntimeArgs("--memory", MiB(mebibytes) + "m");
        }

        return container.PublishAsKubernetesService(k8s => LimitPodMemory(k8s, mebibytes));
    }

    /// <summary>
    /// A .NET service's memory budget. Locally it runs as a process, so the GC heap is capped at three quarters of the budget
    /// (the rest is the runtime's own); on Kubernetes the pod gets the limit and the GC sizes itself from it.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMemoryLimit(this IResourceBuilder<ProjectResource> project, int mebibytes)
    {
        if (project.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            var heapBytes = mebibytes * 1024L * 1024L * 3 / 4;
            return project.WithEnvironment("DOTNET_GCHeapHardLimit", "0x" + heapBytes.ToString("X", CultureInfo.InvariantCulture));
        }

        return project.PublishAsKubernetesService(k8s => LimitPodMemory(k8s, mebibytes));
    }

    /// <summary>
    /// Mounts a directory of configuration files read-only at <paramref name="target"/>. Locally a bind mount; on Kubernetes,
    /// where the publisher refuses bind mounts and drops WithContainerFiles entries, one ConfigMap per folder, each file
    /// mounted by subPath so the image's other files in the same directories stay visible. The ConfigMaps are named
    /// <c>{resource}-{configName}[-{folder}]</c>.
    /// </summary>
    public static IResourceBuilder<ContainerResource> WithConfigDirectory(this IResourceBuilder<ContainerResource> container,
        string repositoryPath, string target, string configName)
    {
        var source = container.ApplicationBuilder.PlatformPath(repositoryPath);
        if (container.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return container.WithBindMount(source, target, isReadOnly: true);
        }

        var directory = new ConfigDirectory(source, target);
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

    /// <summary>A health check the AppHost runs itself (locally; the dashboard and WaitFor use it).</summary>
    public static IResourceBuilder<T> WithCustomHealthCheck<T>(this IResourceBuilder<T> resource, string key, Func<IHealthCheck> check)
        where T : IResource
    {
        resource.ApplicationBuilder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(key, _ => check(), failureStatus: null, tags: null));
        return resource.WithHealthCheck(key);
    }

    /// <summary>Healthy when the endpoint's server holds a TCP connection open (for Thrift and other non-HTTP services).</summary>
    public static IResourceBuilder<T> WithTcpListeningCheck<T>(this IResourceBuilder<T> resource, string endpointName)
        where T : IResourceWithEndpoints
    {
        var endpoint = resource.GetEndpoint(endpointName);
        return resource.WithCustomHealthCheck($"{resource.Resource.Name}_{endpointName}_listening",
            () => new TcpListeningCheck(() => (endpoint.Host, endpoint.Port)));
    }

    private static void LimitPodMemory(KubernetesResource k8s, int mebibytes)
    {
        foreach (var container in k8s.Workload!.PodTemplate.Spec.Containers)
        {
            container.Resources ??= new ResourceRequirementsV1();
            container.Resources.Limits["memory"] = MiB(mebibytes) + "Mi";
            // Requests at half the limit let the whole chart schedule on one laptop-sized node.
            container.Resources.Requests["memory"] = MiB(mebibytes / 2) + "Mi";
        }
    }

    private static string MiB(int mebibytes) => mebibytes.ToString(CultureInfo.InvariantCulture);
}
