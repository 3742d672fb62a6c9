using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataMeesh.AppHost;

/// <summary>What several components need: repository paths, memory limits, configuration files and custom health checks.
/// Each says what it does locally and hands the chart's side to ChartPublishing.</summary>
internal static class ResourceExtensions
{
    /// <summary>A path under the repository root (the AppHost project sits one level below it).</summary>
    public static string PlatformPath(this IDistributedApplicationBuilder builder, string repositoryPath) =>
        Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", repositoryPath));

    /// <summary>A container's memory limit: <c>docker run --memory</c> locally, the pod's limit on Kubernetes.</summary>
    public static IResourceBuilder<T> WithMemoryLimit<T>(this IResourceBuilder<T> container, int mebibytes) where T : ContainerResource =>
        container.ApplicationBuilder.ExecutionContext.IsRunMode
            ? container.WithContainerRuntimeArgs("--memory", mebibytes.ToString(CultureInfo.InvariantCulture) + "m")
            : container.PublishWithMemoryLimit(mebibytes);

    /// <summary>
    /// A .NET service's memory budget. Locally it runs as a process, so the GC heap is capped at three quarters of the budget
    /// (the rest is the runtime's own); on Kubernetes the pod gets the limit and the GC sizes itself from it.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMemoryLimit(this IResourceBuilder<ProjectResource> project, int mebibytes)
    {
        if (!project.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return project.PublishWithMemoryLimit(mebibytes);
        }

        var heapBytes = mebibytes * 1024L * 1024L * 3 / 4;
        return project.WithEnvironment("DOTNET_GCHeapHardLimit", "0x" + heapBytes.ToString("X", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Mounts a directory of configuration files read-only at <paramref name="target"/>: locally a bind mount, in the chart
    /// ConfigMaps named after <paramref name="configName"/> (ChartPublishing.PublishConfigDirectory).
    /// </summary>
    public static IResourceBuilder<T> WithConfigDirectory<T>(this IResourceBuilder<T> container,
        string repositoryPath, string target, string configName) where T : ContainerResource
    {
        var source = container.ApplicationBuilder.PlatformPath(repositoryPath);
        return container.ApplicationBuilder.ExecutionContext.IsRunMode
            ? container.WithBindMount(source, target, isReadOnly: true)
            : container.PublishConfigDirectory(new ConfigDirectory(source, target), configName);
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
}
