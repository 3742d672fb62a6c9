// The only file that knows the lake is MinIO: consumers see an S3 endpoint, keys and a bucket (LakeResource), so a
// maintained S3 store (RustFS, SeaweedFS, a cloud bucket) replaces it here and nowhere else.
//
// Written with Aspire's own container API rather than CommunityToolkit.Aspire.Hosting.Minio: MinIO's open-source project
// was archived in February 2026, the toolkit marks that integration [Obsolete] and defaults to a Docker Hub image that no
// longer exists. The last MinIO release is still served from quay.io (ContainerImages.Lake).

using Env = DataMeesh.PlatformContract.Env;

namespace DataMeesh.AppHost;

/// <summary>An S3-compatible object store: its S3 endpoint and the keys that open it.</summary>
internal sealed class LakeResource(string name, ParameterResource accessKey, ParameterResource secretKey) : ContainerResource(name)
{
    public const string S3EndpointName = "http";
    public const string ConsoleEndpointName = "console";

    public EndpointReference S3Endpoint => new(this, S3EndpointName);

    public ParameterResource AccessKey { get; } = accessKey;

    public ParameterResource SecretKey { get; } = secretKey;
}

internal static class LakeExtensions
{
    private const string DataPath = "/data";

    // The image carries the mc client and a shell. Credentials come from the environment, never from the arguments the
    // dashboard shows; --ignore-existing makes every later run a no-op.
    private const string CreateBucket =
        "mc alias set lake \"$S3_ENDPOINT\" \"$S3_ACCESS_KEY\" \"$S3_SECRET_KEY\" >/dev/null && mc mb --ignore-existing \"lake/$DATALAKE_BUCKET\"";

    public static IResourceBuilder<LakeResource> AddLake(this IDistributedApplicationBuilder builder,
        IResourceBuilder<ParameterResource> accessKey, IResourceBuilder<ParameterResource> secretKey) =>
        builder.AddResource(new LakeResource(ResourceNames.Lake, accessKey.Resource, secretKey.Resource))
            .WithImage(ContainerImages.Lake)
            .WithArgs("server", DataPath, "--console-address", $":{PlatformContract.Ports.LakeConsole}")
            .WithHttpEndpoint(targetPort: PlatformContract.Ports.Lake, name: LakeResource.S3EndpointName)
            .WithHttpEndpoint(targetPort: PlatformContract.Ports.LakeConsole, name: LakeResource.ConsoleEndpointName)
            .WithEnvironment("MINIO_ROOT_USER", accessKey)
            .WithEnvironment("MINIO_ROOT_PASSWORD", secretKey)
            .WithVolume(PlatformContract.Volumes.LakeData, DataPath)
            // Liveness, not readiness (/minio/health/ready wants a write quorum): what MinIO documents for single-node probes.
            .WithHttpHealthCheck("/minio/health/live", endpointName: LakeResource.S3EndpointName)
            .WithMemoryLimit(PlatformContract.MemoryMiB.Lake)
            .PublishAsStatefulSet()
            .WithUrlForEndpoint(LakeResource.ConsoleEndpointName, url => url.DisplayText = "Lake console (object browser)")
            .WithUrlForEndpoint(LakeResource.S3EndpointName, url => url.DisplayText = "Lake S3 API");

    /// <summary>The one-shot job that creates the platform's bucket (a Job on Kubernetes). Wait for the lake before it runs.</summary>
    public static IResourceBuilder<ContainerResource> AddLakeBucket(this IResourceBuilder<LakeResource> lake) =>
        lake.ApplicationBuilder.AddContainer(ResourceNames.LakeInit, ContainerImages.Lake.Image, ContainerImages.Lake.Tag)
            .WithImageRegistry(ContainerImages.Lake.Registry)
            .WithEntrypoint("/bin/sh")
            .WithArgs("-c", CreateBucket)
            .WithParentRelationship(lake)
            .WithLake(lake)
            .WithMemoryLimit(PlatformContract.MemoryMiB.LakeInit)
            .PublishAsRunOnceJob(hookWeight: 0);

    /// <summary>The contract's S3 variables: where the lake is, its keys, region and bucket.</summary>
    public static IResourceBuilder<T> WithLake<T>(this IResourceBuilder<T> consumer, IResourceBuilder<LakeResource> lake)
        where T : IResourceWithEnvironment =>
        consumer
            .WithEnvironment(Env.S3Endpoint, $"{lake.Resource.S3Endpoint.Property(EndpointProperty.Url)}")
            .WithEnvironment(Env.S3AccessKey, lake.Resource.AccessKey)
            .WithEnvironment(Env.S3SecretKey, lake.Resource.SecretKey)
            .WithEnvironment(Env.S3Region, PlatformContract.Lake.Region)
            .WithEnvironment(Env.DatalakeBucket, PlatformContract.Lake.Bucket);
}
