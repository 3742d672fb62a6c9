namespace DataMeesh.AppHost;

/// <summary>A container image pinned to a tag.</summary>
internal sealed record ContainerImage(string Registry, string Image, string Tag)
{
    public string Reference => $"{Registry}/{Image}:{Tag}";
}

/// <summary>
/// Every image the AppHost pulls, pinned in one place (the images it builds, the metastore's and JupyterHub's, pin their
/// bases in platform/hive/Dockerfile and platform/jupyterhub/Dockerfile).
/// </summary>
internal static class ContainerImages
{
    // Pinned rather than inherited from the integration, so an Aspire update cannot move the data directory's major version.
    public static readonly ContainerImage Postgres = new("docker.io", "library/postgres", "18.3");

    // MinIO's last open-source release; its images left Docker Hub (LakeExtensions.cs says why MinIO at all).
    public static readonly ContainerImage Lake = new("quay.io", "minio/minio", "RELEASE.2025-09-07T16-13-09Z");

    // 483 (July 2026): native S3 only (the hive.s3.* file system was removed in 481); new web UI at /ui.
    public static readonly ContainerImage Trino = new("docker.io", "trinodb/trino", "483");

    public static readonly ContainerImage Grafana = new("docker.io", "grafana/grafana", "13.2.0");

    /// <summary>The Aspire dashboard the Helm chart runs beside the services (the publisher's default is a nightly :latest).</summary>
    public static readonly ContainerImage Dashboard = new("mcr.microsoft.com", "dotnet/aspire-dashboard", "13.6.5");

    public static IResourceBuilder<T> WithImage<T>(this IResourceBuilder<T> container, ContainerImage image) where T : ContainerResource =>
        container.WithImage(image.Image, image.Tag).WithImageRegistry(image.Registry);
}
