using Env = DataMeesh.PlatformContract.Env;

namespace DataMeesh.AppHost;

/// <summary>Trino: one SQL engine over every domain's database and the lake.</summary>
internal sealed class TrinoResource(string name) : ContainerResource(name)
{
    public const string HttpEndpointName = "http";

    public EndpointReference HttpEndpoint => new(this, HttpEndpointName);
}

internal static class TrinoExtensions
{
    /// <summary>
    /// Trino with the catalogs of platform/trino: sales and marketing through each domain's read-only role, hive over the
    /// metastore and the lake. Secrets reach the catalog files as ${ENV:...}; access is file-based per group. Healthy once
    /// it has finished starting.
    /// </summary>
    public static IResourceBuilder<TrinoResource> AddTrino(this IDistributedApplicationBuilder builder) =>
        builder.AddResource(new TrinoResource(ResourceNames.Trino))
            .WithImage(ContainerImages.Trino)
            .WithHttpEndpoint(targetPort: PlatformContract.Ports.Trino, name: TrinoResource.HttpEndpointName)
            .WithConfigDirectory(PlatformContract.Paths.TrinoSource, PlatformContract.Paths.TrinoEtc, "etc")
            .WithMemoryLimit(PlatformContract.MemoryMiB.Trino)
            .WithTrinoStartupCheck()
            .PublishWithTrinoWorkers(configMapName: "trino-etc")
            .WithUrlForEndpoint(TrinoResource.HttpEndpointName, endpoint => new() { Url = $"{endpoint.Url}/ui/", DisplayText = "Trino UI" });

    /// <summary>The metastore behind Trino's hive catalog (platform/trino/catalog/hive.properties reads HIVE_METASTORE_URI).</summary>
    public static IResourceBuilder<TrinoResource> WithMetastore(this IResourceBuilder<TrinoResource> trino,
        IResourceBuilder<HiveMetastoreResource> metastore) =>
        trino.WithEnvironment(Env.HiveMetastoreUri, $"thrift://{metastore.Resource.ThriftEndpoint.Property(EndpointProperty.HostAndPort)}");

    private static IResourceBuilder<TrinoResource> WithTrinoStartupCheck(this IResourceBuilder<TrinoResource> trino)
    {
        var endpoint = trino.Resource.HttpEndpoint;
        trino.WithCustomHealthCheck("trino_started", () => new TrinoStartupCheck(() => new Uri(endpoint.Url)));

        // On Kubernetes the image's own health-check program answers the same question ("starting": false).
        return trino.PublishWithReadinessCommand("/usr/lib/trino/bin/health-check");
    }
}
