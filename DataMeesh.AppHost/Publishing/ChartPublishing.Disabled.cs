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

    public static IResourceBuilder<ContainerResource> PublishWithIngress(this IResourceBuilder<ContainerResource> container, string endpointName, string site) => container;

    public static IResourceBuilder<ContainerResource> PublishWithTrinoWorkers(this IResourceBuilder<ContainerResource> trino, string configMapName) => trino;

    public static IResourceBuilder<T> PublishWithMemoryLimit<T>(this IResourceBuilder<T> resource, int mebibytes) where T : IComputeResource => resource;

    public static IResourceBuilder<ContainerResource> PublishConfigDirectory(this IResourceBuilder<ContainerResource> container,
        ConfigDirectory directory, string configName) => container;

    public static IResourceBuilder<ContainerResource> PublishWithFileSystemGroup(this IResourceBuilder<ContainerResource> container, long groupId) => container;

    public static IResourceBuilder<ContainerResource> PublishWithReadinessCommand(this IResourceBuilder<ContainerResource> container, string command) => container;
}
