using ApiEnv = DataMeesh.PlatformContract.ApiEnv;

// WithHttpProbe is marked experimental; it is the only health signal the Kubernetes publisher turns into probes.
#pragma warning disable ASPIREPROBES001

namespace DataMeesh.AppHost;

internal static class DataProductApiExtensions
{
    public const int ApiReplicas = 2;

    /// <summary>
    /// A domain's data-product API: ready when /health says so, alive when /alive does (each probe also registers the
    /// AppHost's health check for its path, so no WithHttpHealthCheck beside them), with its Scalar reference linked.
    /// It creates and migrates the database it references (also on Kubernetes). The chart runs it as
    /// <see cref="ApiReplicas"/> pods by default (Helm value <c>parameters.&lt;api&gt;.replicas</c>): migrations and quality
    /// runs are safe side by side, and one pod can restart while the other serves.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddDataProductApi<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name)
            .WithHttpProbe(ProbeType.Readiness, "/health", endpointName: "http")
            .WithHttpProbe(ProbeType.Liveness, "/alive", endpointName: "http")
            .WithMemoryLimit(PlatformContract.MemoryMiB.ByResource[name])
            .PublishWithReplicas(ApiReplicas)
            .WithUrlForEndpoint("http", endpoint => new() { Url = $"{endpoint.Url}/scalar", DisplayText = $"{name} reference (Scalar)" });

    /// <summary>The password the API gives its domain's read-only role without personal columns (Grafana, notebooks).</summary>
    public static IResourceBuilder<ProjectResource> WithReaderPassword(this IResourceBuilder<ProjectResource> api, DomainReader domain) =>
        api.WithEnvironment(ApiEnv.ReaderPassword, domain.Password);

    /// <summary>The password the API gives its domain's PII-entitled read-only role (Trino's catalog, which masks per group).</summary>
    public static IResourceBuilder<ProjectResource> WithPiiReaderPassword(this IResourceBuilder<ProjectResource> api, DomainReader domain) =>
        api.WithEnvironment(ApiEnv.PiiReaderPassword, domain.Password);

    /// <summary>The mesh's pseudonym key: the same on every API, so email_hash joins the domains.</summary>
    public static IResourceBuilder<ProjectResource> WithPiiKey(this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> key) =>
        api.WithEnvironment(ApiEnv.PiiKey, key);
}
