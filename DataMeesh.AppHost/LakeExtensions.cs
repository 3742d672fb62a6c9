// The only file that knows the lake is MinIO: consumers see an S3 endpoint, keys and a bucket (Lake), so a maintained S3
// store (RustFS, SeaweedFS, a cloud bucket) replaces it here and nowhere else.
//
// Written with Aspire's own container API rather than CommunityToolkit.Aspire.Hosting.Minio: MinIO's open-source project
// was archived in February 2026, the toolkit marks that integration [Obsolete] and defaults to a Docker Hub image that no
// longer exists. The last MinIO release is still served from quay.io, pinned below.

using Env = DataMeesh.PlatformContract.Env;

namespace DataMeesh.AppHost;

/// <summary>An S3-compatible lake: the store, the one-shot job that creates the bucket, and the keys.</summary>
internal sealed record Lake(
    IResourceBuilder<ContainerResource> Store,
    IResourceBuilder<ContainerResource> BucketCreation,
    IResourceBuilder<ParameterResource> AccessKey,
    IResourceBuilder<ParameterResource> SecretKey)
{
    public const string S3EndpointName = "http";
    public const string ConsoleEndpointName = "console";

    public EndpointReference S3Endpoint => Store.GetEndpoint(S3EndpointName);
}

internal static class LakeExtensions
{
    public const string Registry = "quay.io";
    public const string Image = "minio/minio";
    public const string Tag = "RELEASE.2025-09-07T16-13-09Z";
    private const string DataPath = "/data";

    // The image carries the mc client and a shell. Credentials come from the environment, never from the arguments the
    // dashboard shows; --ignore-existing makes every later run a no-op.
    private const string CreateBucket =
        "mc alias set lake \"$S3_ENDPOINT\" \"$S3_ACCESS_KEY\" \"$S3_SECRET_KEY\" >/dev/null && mc mb --ignore-existing \"lake/$DATALAKE_BUCKET\"";

    public static Lake AddLake(this IDistributedApplicationBuilder builder,
        IResourceBuilder<ParameterResource> accessKey, IResourceBuilder<ParameterResource> secretKey)
    {
        var store = builder.AddContainer(PlatformContract.Resources.Lake, Image, Tag)
            .WithImageRegistry(Registry)
            .WithArgs("server", DataPath, "--console-address", $":{PlatformContract.Ports.LakeConsole}")
            .WithHttpEndpoint(targetPort: PlatformContract.Ports.Lake, name: Lake.S3EndpointName)
            .WithHttpEndpoint(targetPort: PlatformContract.Ports.LakeConsole, name: Lake.ConsoleEndpointName)
            .WithEnvironment("MINIO_ROOT_USER", accessKey)
            .WithEnvironment("MINIO_ROOT_PASSWORD", secretKey)
            .WithVolume(PlatformContract.Volumes.LakeData, DataPath)
            // Liveness, not readiness (/minio/health/ready wants a write quorum): what MinIO documents for single-node probes.
            .WithHttpHealthCheck("/minio/health/live", endpointName: Lake.S3EndpointName)
            .WithMemoryLimit(PlatformContract.MemoryMiB.Lake)
            .PublishAsStatefulSet()
            .WithUrlForEndpoint(Lake.ConsoleEndpointName, url => url.DisplayText = "Lake console (object browser)")
            .WithUrlForEndpoint(Lake.S3EndpointName, url => url.DisplayText = "Lake S3 API");

        var bucket = builder.AddContainer(PlatformContract.Resources.LakeInit, Image, Tag)
            .WithImageRegistry(Registry)
            .WithEntrypoint("/bin/sh")
            .WithArgs("-c", CreateBucket)
            .WithParentRelationship(store)
            .WaitFor(store)
            .WithMemoryLimit(PlatformContract.MemoryMiB.LakeInit)
            .PublishAsRunOnceJob(hookWeight: 0);

        var lake = new Lake(store, bucket, accessKey, secretKey);
        bucket.WithLakeEnvironment(lake);
        return lake;
    }

    /// <summary>The contract's S3 variables, and a wait until the bucket exists.</summary>
    public static IResourceBuilder<T> WithLake<T>(this IResourceBuilder<T> consumer, Lake lake)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport =>
        consumer.WithLakeEnvironment(lake).WaitForCompletion(lake.BucketCreation);

    private static IResourceBuilder<T> WithLakeEnvironment<T>(this IResourceBuilder<T> consumer, Lake lake)
        where T : IResourceWithEnvironment =>
        consumer
            .WithEnvironment(Env.S3Endpoint, $"{lake.S3Endpoint.Property(EndpointProperty.Url)}")
            .WithEnvironment(Env.S3AccessKey, lake.AccessKey)
            .WithEnvironment(Env.S3SecretKey, lake.SecretKey)
            .WithEnvironment(Env.S3Region, PlatformContract.Lake.Region)
            .WithEnvironment(Env.DatalakeBucket, PlatformContract.Lake.Bucket);
}
