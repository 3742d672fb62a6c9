using Env = DataMeesh.PlatformContract.Env;

namespace DataMeesh.AppHost;

internal static class JupyterHubExtensions
{
    public const string HttpEndpoint = "http";
    public const string DbtDocsEndpoint = "dbt-docs";
    // The image's user (jovyan) is in group users (100): claims mounted on Kubernetes must be writable by it.
    private const long UsersGroup = 100;

    /// <summary>
    /// JupyterHub with every user's JupyterLab and the team's dbt docs, built from platform/jupyterhub (context: platform/,
    /// so the image carries the notebooks and the dbt project). Starts once the seeder has loaded the data.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddJupyterHub(this IDistributedApplicationBuilder builder,
        DomainDatabase sales, DomainDatabase marketing, Lake lake, IResourceBuilder<ContainerResource> trino,
        IResourceBuilder<ProjectResource> salesApi, IResourceBuilder<ProjectResource> marketingApi, IResourceBuilder<ProjectResource> seeder,
        IResourceBuilder<ParameterResource> adminPassword, IResourceBuilder<ParameterResource> userPassword)
    {
        var trinoHttp = trino.GetEndpoint(TrinoExtensions.HttpEndpoint);
        return builder.AddDockerfile(PlatformContract.Resources.JupyterHub,
                builder.PlatformPath(PlatformContract.Paths.Platform), PlatformContract.Paths.JupyterHubDockerfile)
            .WithHttpEndpoint(port: PlatformContract.Ports.JupyterHubHost, targetPort: PlatformContract.Ports.JupyterHub, name: HttpEndpoint)
            .WithHttpEndpoint(port: PlatformContract.Ports.DbtDocsHost, targetPort: PlatformContract.Ports.DbtDocs, name: DbtDocsEndpoint)
            .WithVolume(PlatformContract.Volumes.JupyterHubData, PlatformContract.Paths.JupyterHubData)
            .WithVolume(PlatformContract.Volumes.JupyterHubHomes, PlatformContract.Paths.JupyterHubHomes)
            .WithReaderAccess(sales, marketing)
            .WithLake(lake)
            .WithEnvironment(Env.TrinoHost, $"{trinoHttp.Property(EndpointProperty.Host)}")
            .WithEnvironment(Env.TrinoPort, $"{trinoHttp.Property(EndpointProperty.Port)}")
            .WithEnvironment(Env.SalesApiUrl, salesApi.GetEndpoint("http"))
            .WithEnvironment(Env.MarketingApiUrl, marketingApi.GetEndpoint("http"))
            .WithEnvironment(Env.HubAdminPassword, adminPassword)
            .WithEnvironment(Env.HubUserPassword, userPassword)
            .WaitFor(trino)
            .WaitForCompletion(seeder)
            .WithHttpHealthCheck("/hub/health", endpointName: HttpEndpoint)
            .WithMemoryLimit(PlatformContract.MemoryMiB.JupyterHub)
            .WithUrlForEndpoint(HttpEndpoint, url => url.DisplayText = "JupyterHub (notebooks, dbt)")
            .WithUrlForEndpoint(DbtDocsEndpoint, url => url.DisplayText = "dbt docs")
            .PublishWithFileSystemGroup(UsersGroup)
            .PublishWithIngress(HttpEndpoint, "jupyterhub")
            .PublishWithIngress(DbtDocsEndpoint, "dbt-docs");
    }
}
