using ApiEnv = DataMeesh.PlatformContract.ApiEnv;

// WithHttpProbe is marked experimental; it is the only health signal the Kubernetes publisher turns into probes.
#pragma warning disable ASPIREPROBES001

namespace DataMeesh.AppHost;

internal static class DataProductExtensions
{
    /// <summary>
    /// A domain's data-product API: it owns its database (creates and migrates it, also on Kubernetes), gives the
    /// read-only role its password, and accepts the platform's JWTs.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddDataProductApi<TProject>(this IDistributedApplicationBuilder builder, string name,
        DomainDatabase domain, IResourceBuilder<ParameterResource> jwtSigningKey, int memoryMiB)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name)
            .WithReference(domain.Database)
            .WaitFor(domain.Database)
            .WithEnvironment(ApiEnv.ReaderPassword, domain.ReaderPassword)
            .WithEnvironment(ApiEnv.JwtIssuer, ApiEnv.Issuer)
            .WithEnvironment(ApiEnv.JwtAudience, ApiEnv.Audience)
            .WithEnvironment(ApiEnv.JwtKeyIssuer, ApiEnv.Issuer)
            .WithEnvironment(ApiEnv.JwtKeyValue, jwtSigningKey)
            // Each probe also registers the AppHost's health check for its path (Aspire 13.6): no WithHttpHealthCheck beside them.
            .WithHttpProbe(ProbeType.Readiness, "/health", endpointName: "http")
            .WithHttpProbe(ProbeType.Liveness, "/alive", endpointName: "http")
            .WithMemoryLimit(memoryMiB)
            .WithUrlForEndpoint("http", endpoint => new() { Url = $"{endpoint.Url}/scalar", DisplayText = $"{name} reference (Scalar)" });

    /// <summary>
    /// The seeder: loads the sample into both domains once their APIs have migrated them, then exits 0 (which is what
    /// the tools wait for). A Job on Kubernetes.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddSeeder<TProject>(this IDistributedApplicationBuilder builder,
        DomainDatabase sales, DomainDatabase marketing, IReadOnlyList<IResourceBuilder<ProjectResource>> apis, IResourceBuilder<ParameterResource> scale)
        where TProject : IProjectMetadata, new()
    {
        var seeder = builder.AddProject<TProject>(ResourceNames.Seeder)
            .WithReference(sales.Database)
            .WithReference(marketing.Database)
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

        foreach (var api in apis)
        {
            seeder.WaitFor(api);
        }

        return seeder;
    }
}
