using Env = DataMeesh.PlatformContract.Env;

namespace DataMeesh.AppHost;

internal static class GrafanaExtensions
{
    public const string Registry = "docker.io";
    public const string Image = "grafana/grafana";
    public const string Tag = "13.2.0";
    // Installed before provisioning runs, so the Trino datasource's type exists when it is provisioned.
    public const string TrinoPlugin = "trino-datasource@1.1.1";
    public const string HttpEndpoint = "http";

    /// <summary>
    /// Grafana provisioned from platform/grafana (datasources for both domains' read-only roles and Trino, the team's
    /// dashboards). Anyone may look (anonymous Viewer); the admin password is a secret parameter.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddGrafana(this IDistributedApplicationBuilder builder,
        DomainDatabase sales, DomainDatabase marketing, IResourceBuilder<ContainerResource> trino, IResourceBuilder<ProjectResource> seeder,
        IResourceBuilder<ParameterResource> adminPassword) =>
        builder.AddContainer(PlatformContract.Resources.Grafana, Image, Tag)
            .WithImageRegistry(Registry)
            .WithHttpEndpoint(port: PlatformContract.Ports.GrafanaHost, targetPort: PlatformContract.Ports.Grafana, name: HttpEndpoint)
            .WithConfigDirectory(PlatformContract.Paths.GrafanaProvisioningSource, PlatformContract.Paths.GrafanaProvisioning, "provisioning")
            .WithConfigDirectory(PlatformContract.Paths.GrafanaDashboardsSource, PlatformContract.Paths.GrafanaDashboards, "dashboards")
            .WithReaderAccess(sales, marketing)
            .WithEnvironment(Env.TrinoUrl, trino.GetEndpoint(TrinoExtensions.HttpEndpoint))
            .WithEnvironment("GF_SECURITY_ADMIN_USER", "admin")
            .WithEnvironment(Env.GrafanaAdminPassword, adminPassword)
            .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
            .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
            .WithEnvironment("GF_USERS_ALLOW_SIGN_UP", "false")
            .WithEnvironment("GF_PLUGINS_PREINSTALL_SYNC", TrinoPlugin)
            .WaitFor(trino)
            .WaitForCompletion(seeder)
            .WithHttpHealthCheck("/api/health", endpointName: HttpEndpoint)
            .WithMemoryLimit(PlatformContract.MemoryMiB.Grafana)
            .WithUrlForEndpoint(HttpEndpoint, url => url.DisplayText = "Grafana (dashboards)")
            .PublishWithIngress(HttpEndpoint, "grafana");
}
