using Env = DataMeesh.PlatformContract.Env;

namespace DataMeesh.AppHost;

/// <summary>JupyterHub: every user's JupyterLab with the notebooks and the dbt project, and the team's dbt docs.</summary>
internal sealed class JupyterHubResource(string name) : ContainerResource(name)
{
    public const string HttpEndpointName = "http";
    public const string DbtDocsEndpointName = "dbt-docs";
}

internal static class JupyterHubExtensions
{
    // The image's user (jovyan) is in group users (100): claims mounted on Kubernetes must be writable by it.
    private const long UsersGroup = 100;

    /// <summary>
    /// JupyterHub built from platform/jupyterhub (context: platform/, so the image carries the notebooks and the dbt
    /// project), on its documented host ports, with the hub's logins from the two password parameters.
    /// </summary>
    public static IResourceBuilder<JupyterHubResource> AddJupyterHub(this IDistributedApplicationBuilder builder,
        IResourceBuilder<ParameterResource> adminPassword, IResourceBuilder<ParameterResource> userPassword) =>
        builder.AddResource(new JupyterHubResource(ResourceNames.JupyterHub))
            .WithImage(ResourceNames.JupyterHub)
            .WithDockerfile(builder.PlatformPath(PlatformContract.Paths.Platform), PlatformContract.Paths.JupyterHubDockerfile)
            .WithHttpEndpoint(port: PlatformContract.Ports.JupyterHubHost, targetPort: PlatformContract.Ports.JupyterHub, name: JupyterHubResource.HttpEndpointName)
            .WithHttpEndpoint(port: PlatformContract.Ports.DbtDocsHost, targetPort: PlatformContract.Ports.DbtDocs, name: JupyterHubResource.DbtDocsEndpointName)
            .WithVolume(PlatformContract.Volumes.JupyterHubData, PlatformContract.Paths.JupyterHubData)
            .WithVolume(PlatformContract.Volumes.JupyterHubHomes, PlatformContract.Paths.JupyterHubHomes)
            .WithEnvironment(Env.HubAdminPassword, adminPassword)
            .WithEnvironment(Env.HubUserPassword, userPassword)
            .WithHttpHealthCheck("/hub/health", endpointName: JupyterHubResource.HttpEndpointName)
            .WithMemoryLimit(PlatformContract.MemoryMiB.JupyterHub)
            .WithUrlForEndpoint(JupyterHubResource.HttpEndpointName, url => url.DisplayText = "JupyterHub (notebooks, dbt)")
            .WithUrlForEndpoint(JupyterHubResource.DbtDocsEndpointName, url => url.DisplayText = "dbt docs")
            .PublishWithFileSystemGroup(UsersGroup)
            .PublishWithIngress(JupyterHubResource.HttpEndpointName, "jupyterhub")
            .PublishWithIngress(JupyterHubResource.DbtDocsEndpointName, "dbt-docs");

    /// <summary>Where the notebooks' and dbt's Trino connections go (TRINO_HOST, TRINO_PORT; each user queries as themselves).</summary>
    public static IResourceBuilder<JupyterHubResource> WithTrino(this IResourceBuilder<JupyterHubResource> hub, IResourceBuilder<TrinoResource> trino) =>
        hub.WithEnvironment(Env.TrinoHost, $"{trino.Resource.HttpEndpoint.Property(EndpointProperty.Host)}")
            .WithEnvironment(Env.TrinoPort, $"{trino.Resource.HttpEndpoint.Property(EndpointProperty.Port)}");

    /// <summary>Where notebook 04 reads the products' quality and contracts (SALES_API_URL, MARKETING_API_URL).</summary>
    public static IResourceBuilder<JupyterHubResource> WithDataProductApis(this IResourceBuilder<JupyterHubResource> hub,
        IResourceBuilder<ProjectResource> salesApi, IResourceBuilder<ProjectResource> marketingApi) =>
        hub.WithEnvironment(Env.SalesApiUrl, salesApi.GetEndpoint("http"))
            .WithEnvironment(Env.MarketingApiUrl, marketingApi.GetEndpoint("http"));

    /// <summary>Where each user's server exchanges its hub token for a platform token (DATAMEESH_TOKEN_URL; datameesh.api_token()).</summary>
    public static IResourceBuilder<JupyterHubResource> WithTokenService(this IResourceBuilder<JupyterHubResource> hub, IResourceBuilder<ProjectResource> tokens) =>
        hub.WithEnvironment(Env.TokenServiceUrl, tokens.GetEndpoint("http"));
}
