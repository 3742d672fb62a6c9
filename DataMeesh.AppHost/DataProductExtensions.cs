using ApiEnv = DataMeesh.PlatformContract.ApiEnv;

// WithHttpProbe is marked experimental; it is the only health signal the Kubernetes publisher turns into probes.
#pragma warning disable ASPIREPROBES001

namespace DataMeesh.AppHost;

internal static class DataProductExtensions
{
    /// <summary>
    /// A domain's data-product API: ready when /health says so, alive when /alive does (each probe also registers the
    /// AppHost's health check for its path, so no WithHttpHealthCheck beside them), with its Scalar reference linked.
    /// It creates and migrates the database it references (also on Kubernetes).
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddDataProductApi<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name)
            .WithHttpProbe(ProbeType.Readiness, "/health", endpointName: "http")
            .WithHttpProbe(ProbeType.Liveness, "/alive", endpointName: "http")
            .WithMemoryLimit(PlatformContract.MemoryMiB.ByResource[name])
            .WithUrlForEndpoint("http", endpoint => new() { Url = $"{endpoint.Url}/scalar", DisplayText = $"{name} reference (Scalar)" });

    /// <summary>The platform's tokens: issuer, audience and the signing key every API trusts.</summary>
    public static IResourceBuilder<ProjectResource> WithPlatformTokens(this IResourceBuilder<ProjectResource> api,
        IResourceBuilder<ParameterResource> signingKey) =>
        api.WithEnvironment(ApiEnv.JwtIssuer, ApiEnv.Issuer)
            .WithEnvironment(ApiEnv.JwtAudience, ApiEnv.Audience)
            .WithEnvironment(ApiEnv.JwtKeyIssuer, ApiEnv.Issuer)
            .WithEnvironment(ApiEnv.JwtKeyValue, signingKey);

    /// <summary>The password the API gives its domain's read-only role (the role consumers read the domain as).</summary>
    public static IResourceBuilder<ProjectResource> WithReaderPassword(this IResourceBuilder<ProjectResource> api, DomainReader domain) =>
        api.WithEnvironment(ApiEnv.ReaderPassword, domain.Password);

    /// <summary>How many times the seeder repeats the reference sample: configuration first (--Parameters:seed-scale=50,
    /// Parameters__seed-scale, user secrets), else 1, the reference sample exactly.</summary>
    public static IResourceBuilder<ParameterResource> AddSeedScale(this IDistributedApplicationBuilder builder) =>
        builder.AddParameter(PlatformContract.Parameters.SeedScale,
                builder.Configuration[$"Parameters:{PlatformContract.Parameters.SeedScale}"] ?? "1", publishValueAsDefault: true)
            .WithDescription("Multiplies the seeder's reference sample (1 = the reference sample exactly).");

    /// <summary>
    /// The seeder: loads the sample into the databases it references at the given scale, then exits 0 (which is what the
    /// tools wait for). A Job on Kubernetes, where it waits up to 600 s for the APIs' schemas itself.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddSeeder<TProject>(this IDistributedApplicationBuilder builder, IResourceBuilder<ParameterResource> scale)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(ResourceNames.Seeder)
            .WithArgs(async context =>
            {
                context.Args.Add("--scale");
                if (context.ExecutionContext.IsPublishMode)
                {
                    // The Kubernetes publisher accepts only strings as arguments: the chart carries the scale given at publish time.
                    context.Args.Add(await scale.Resource.GetValueAsync(context.CancellationToken) ?? "1");
                }
                else
                {
                    context.Args.Add(scale.Resource);
                }

                // On Kubernetes nothing orders the seeder after the APIs' migrations: let it wait for the schema.
                context.Args.Add("--schema-timeout");
                context.Args.Add("600");
            })
            .WithMemoryLimit(PlatformContract.MemoryMiB.Seeder)
            .PublishAsRunOnceJob(hookWeight: 10);
}
