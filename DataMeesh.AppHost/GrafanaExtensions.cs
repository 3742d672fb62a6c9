using Env = DataMeesh.PlatformContract.Env;

namespace DataMeesh.AppHost;

/// <summary>Grafana with the team's dashboards.</summary>
internal sealed class GrafanaResource(string name) : ContainerResource(name)
{
    public const string HttpEndpointName = "http";
}

internal static class GrafanaExtensions
{
    // Installed before provisioning runs, so the Trino datasource's type exists when it is provisioned.
    public const string TrinoPlugin = "trino-datasource@1.1.1";

    /// <summary>
    /// Grafana provisioned from platform/grafana (datasources with fixed uids, the team's dashboards) on its documented
    /// host port. Anyone may look (anonymous Viewer); the admin password is a secret parameter.
    /// </summary>
    public static IResourceBuilder<GrafanaResource> AddGrafana(this IDistributedApplicationBuilder builder,
        IResourceBuilder<ParameterResource> adminPassword) =>
        builder.AddResource(new GrafanaResource(ResourceNames.Grafana))
            .WithImage(ContainerImages.Grafana)
            .WithHttpEndpoint(port: PlatformContract.Ports.GrafanaHost, targetPort: PlatformContract.Ports.Grafana, name: GrafanaResource.HttpEndpointName)
            .WithConfigDirectory(PlatformContract.Paths.GrafanaProvisioningSource, PlatformContract.Paths.GrafanaProvisioning, "provisioning")
            .WithConfigDirectory(PlatformContract.Paths.GrafanaDashboardsSource, PlatformContract.Paths.GrafanaDashboards, "dashboards")
            .WithEnvironment("GF_SECURITY_ADMIN_USER", "admin")
            .WithEnvironment(Env.GrafanaAdminPassword, adminPassword)
            .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
            .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
            .WithEnvironment("GF_USERS_ALLOW_SIGN_UP", "false")
            .WithEnvironment("GF_PLUGINS_PREINSTALL_SYNC", TrinoPlugin)
            .WithHttpHealthCheck("/api/health", endpointName: GrafanaResource.HttpEndpointName)
            .WithMemoryLimit(PlatformContract.MemoryMiB.Grafana)
            .WithUrlForEndpoint(GrafanaResource.HttpEndpointName, url => url.DisplayText = "Grafana (dashboards)")
            .PublishWithIngress(GrafanaResource.HttpEndpointName, "grafana");

    /// <summary>The Trino datasource's URL (TRINO_URL in platform/grafana/provisioning/datasources; queries run as user grafana).</summary>
    public static IResourceBuilder<GrafanaResource> WithTrino(this IResourceBuilder<GrafanaResource> grafana, IResourceBuilder<TrinoResource> trino) =>
        grafana.WithEnvironment(Env.TrinoUrl, trino.Resource.HttpEndpoint);
}
