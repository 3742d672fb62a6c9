// MinIO's open-source project was archived (February 2026) and CommunityToolkit marks its MinIO integration [Obsolete].
// DataMeesh still uses it for a local lake, pulling the last release from quay.io because the images left Docker Hub.
// This file is the only place that knows the lake is MinIO: consumers see an S3 endpoint, keys and a bucket (Lake),
// so a maintained S3 store (RustFS, SeaweedFS, a cloud bucket) replaces it here and nowhere else.
#pragma warning disable CS0618

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

    public EndpointReference S3Endpoint => Store.GetEndpoint(S3EndpointName);
}

internal static class LakeExtensions
{
    public const string Registry = "quay.io";
    public const string Image = "minio/minio";
    public const string Tag = "RELEASE.2025-09-07T16-13-09Z";

    // The image carries the mc client and a shell. Credentials come from the environment, never from the arguments the
    // dashboard shows; --ignore-existing makes every later run a no-op.
    private const string CreateBucket =
        "mc alias set lake \"$S3_ENDPOINT\" \"$S3_ACCESS_KEY\" \"$S3_SECRET_KEY\" >/dev/null && mc mb --ignore-existing \"lake/$DATALAKE_BUCKET\"";

    public static Lake AddLake(this IDistributedApplicationBuilder builder,
        IResourceBuilder<ParameterResource> accessKey, IResourceBuilder<ParameterResource> secretKey)
    {
        var store = builder.AddMinioContainer(PlatformContract.Resources.Lake, accessKey, secretKey)
            .WithImage(Image, Tag)
            .WithImageRegistry(Registry)
            .WithDataVolume(PlatformContract.Volumes.LakeData)
            .WithMemoryLimit(PlatformContract.MemoryMiB.Lake)
            .WithUrlForEndpoint("console", url => url.DisplayText = "Lake console (object browser)")
            .WithUrlForEndpoint(Lake.S3EndpointName, url => url.DisplayText = "Lake S3 API");

        var bucket = builder.AddContainer(PlatformContract.Resources.LakeInit, Image, Tag)
            .WithImageRegistry(Registry)
            .WithEntrypoint("/bin/sh")
            .WithArgs("-c", CreateBucket)
            .WithParentRelationship(store)
            .WaitFor(store)
            .WithMemoryLimit(PlatformContract.MemoryMiB.LakeInit)
            .PublishAsKubernetesJob(hookWeight: 0);

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
