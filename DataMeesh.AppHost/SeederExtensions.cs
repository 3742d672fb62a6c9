namespace DataMeesh.AppHost;

internal static class SeederExtensions
{
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
