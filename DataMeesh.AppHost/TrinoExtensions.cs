using Env = DataMeesh.PlatformContract.Env;

namespace DataMeesh.AppHost;

internal static class TrinoExtensions
{
    public const string Registry = "docker.io";
    public const string Image = "trinodb/trino";
    // 483 (July 2026): native S3 only (the hive.s3.* file system was removed in 481); new web UI at /ui.
    public const string Tag = "483";
    public const string HttpEndpoint = "http";

    /// <summary>
    /// Trino with the catalogs of platform/trino: sales and marketing through each domain's read-only role, hive over the
    /// metastore and the lake. Secrets reach the catalog files as ${ENV:...}; access is file-based per group.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddTrino(this IDistributedApplicationBuilder builder,
        DomainDatabase sales, DomainDatabase marketing, IResourceBuilder<ContainerResource> metastore, Lake lake)
    {
        var thrift = metastore.GetEndpoint(HiveMetastoreExtensions.ThriftEndpoint);
        return builder.AddContainer(PlatformContract.Resources.Trino, Image, Tag)
            .WithImageRegistry(Registry)
            .WithHttpEndpoint(targetPort: PlatformContract.Ports.Trino, name: HttpEndpoint)
            .WithConfigDirectory(PlatformContract.Paths.TrinoSource, PlatformContract.Paths.TrinoEtc, "etc")
            .WithReaderAccess(sales, marketing)
            .WithLake(lake)
            .WithEnvironment(Env.HiveMetastoreUri, $"thrift://{thrift.Property(EndpointProperty.HostAndPort)}")
            .WaitFor(metastore)
            .WithMemoryLimit(PlatformContract.MemoryMiB.Trino)
            .WithTrinoStartupCheck()
            .PublishWithTrinoWorkers(configMapName: "trino-etc")
            .WithUrlForEndpoint(HttpEndpoint, endpoint => new() { Url = $"{endpoint.Url}/ui/", DisplayText = "Trino UI" });
    }

    private static IResourceBuilder<ContainerResource> WithTrinoStartupCheck(this IResourceBuilder<ContainerResource> trino)
    {
        var endpoint = trino.GetEndpoint(HttpEndpoint);
        trino.WithCustomHealthCheck("trino_started", () => new TrinoStartupCheck(() => new Uri(endpoint.Url)));

        // On Kubernetes the image's own health-check program answers the same question ("starting": false).
        return trino.PublishWithReadinessCommand("/usr/lib/trino/bin/health-check");
    }
}
