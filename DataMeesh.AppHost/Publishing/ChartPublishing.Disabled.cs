namespace DataMeesh.AppHost;

/// <summary>
/// ChartPublishing when the AppHost is built without Kubernetes publishing (DataMeeshKubernetes=false, as in CI where
/// Aspire.Hosting.Kubernetes cannot be restored): the same methods, changing nothing. Every one of them only matters to
/// `aspire publish`, so run mode is identical either way; publishing then writes no chart.
/// </summary>
internal static class ChartPublishing
{
    public static void AddChartTarget(this IDistributedApplicationBuilder builder)
    {
    }

    public static IResourceBuilder<T> PublishAsRunOnceJob<T>(this IResourceBuilder<T> resource, int hookWeight) where T : IComputeResource => resource;

    public static IResourceBuilder<T> PublishAsStatefulSet<T>(this IResourceBuilder<T> resource) where T : IComputeResource => resource;

    public static IResourceBuilder<T> PublishWithIngress<T>(this IResourceBuilder<T> container, string endpointName, string site) where T : ContainerResource => container;

    public static IResourceBuilder<T> PublishWithTrinoWorkers<T>(this IResourceBuilder<T> trino, string configMapName) where T : ContainerResource => trino;

    public static IResourceBuilder<T> PublishWithReplicas<T>(this IResourceBuilder<T> resource, int defaultReplicas) where T : IComputeResource => resource;

    public static IResourceBuilder<T> PublishWithMemoryLimit<T>(this IResourceBuilder<T> resource, int mebibytes) where T : IComputeResource => resource;

    public static IResourceBuilder<T> PublishConfigDirectory<T>(this IResourceBuilder<T> container,
        ConfigDirectory directory, string configName) where T : ContainerResource => container;

    public static IResourceBuilder<T> PublishWithFileSystemGroup<T>(this IResourceBuilder<T> container, long groupId) where T : ContainerResource => container;

    public static IResourceBuilder<T> PublishWithReadinessCommand<T>(this IResourceBuilder<T> container, string command) where T : ContainerResource => container;
}
