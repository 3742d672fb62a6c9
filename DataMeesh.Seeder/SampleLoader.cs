using DataMeesh.Seeder.Generation;
using DataMeesh.Seeder.Loading;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataMeesh.Seeder;

internal sealed record SeedReport(int ExitCode, IReadOnlyList<DomainResult> Results, IReadOnlyList<string> Problems);

/// <summary>Checks the schemas, then loads the requested domains in parallel (one transaction each).</summary>
internal sealed class SampleLoader(DomainLoader loader, DomainDataSources databases, ILogger<SampleLoader> logger)
{
    public async Task<SeedReport> RunAsync(SeedOptions options, LoadProgress progress,
        Func<IReadOnlyList<DomainPlan>, Task, Task> showProgress, CancellationToken cancellationToken)
    {
        var generator = new SampleGenerator(options.Seed, options.AsOf);
        var plans = options.Domains
            .Select(domain => domain == ResourceNames.SalesDatabase
                ? DomainPlan.Sales(generator, options.Scale)
                : DomainPlan.Marketing(generator, options.Scale))
            .ToList();

        var missingConnections = plans.Where(p => !databases.IsConfigured(p.Domain)).ToList();
        if (missingConnections.Count > 0)
        {
            return new SeedReport(ExitCodes.Usage, [], [.. missingConnections.Select(p =>
                $"Connection string '{p.Domain}' is not set: set ConnectionStrings__{p.Domain} " +
                $"(e.g. \"Host=localhost;Port=5432;Database={p.Domain};Username=postgres;Password=...\"), as the AppHost does.")]);
        }

        var dataSources = plans.ToDictionary(p => p.Domain, p => databases.For(p.Domain));
        var schemaProblems = await Task.WhenAll(plans.Select(async plan =>
        {
            var problem = await SchemaProbe.WaitForSchemaAsync(dataSources[plan.Domain], plan, options.SchemaTimeout, cancellationToken);
            return problem is null ? null :
                $"The {plan.Domain} schema is not ready after {options.SchemaTimeout.TotalSeconds:0} s ({problem}). " +
                $"Start {plan.ApiProject} (it migrates on start) or run `dotnet {plan.ApiProject}.dll migrate`, then seed again.";
        }));
        if (schemaProblems.OfType<string>().ToList() is { Count: > 0 } problems)
        {
            return new SeedReport(ExitCodes.SchemaNotReady, [], problems);
        }

        logger.LogInformation("Seeding {Domains} at scale {Scale} (seed {Seed}, as of {AsOf:yyyy-MM-dd})",
            string.Join(" and ", options.Domains), options.Scale, options.Seed, options.AsOf);

        // Each domain loads on its own thread: the COPY writers are synchronous, which is what makes them fast.
        var loads = plans.Select(plan => Task.Factory.StartNew(
            () => loader.Load(dataSources[plan.Domain], plan, options.Reset, progress, cancellationToken),
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        // The display only needs to know when loading ends; failures are collected per domain below.
        await showProgress(plans, Task.WhenAll(loads).ContinueWith(static _ => { }, TaskScheduler.Default));

        var results = new List<DomainResult>();
        var failures = new List<string>();
        foreach (var (plan, load) in plans.Zip(loads))
        {
            try
            {
                results.Add(await load);
            }
            catch (Exception e) when (e is OperationCanceledException || cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{plan.Domain}: cancelled; the transaction was rolled back and the previous data is unchanged.");
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                logger.LogDebug(e, "Loading {Domain} failed", plan.Domain);
                failures.Add($"{plan.Domain}: {e.Message} The transaction was rolled back and the previous data is unchanged.");
            }
        }

        var exitCode = failures.Count == 0 ? ExitCodes.Success
            : cancellationToken.IsCancellationRequested ? ExitCodes.Cancelled
            : ExitCodes.LoadFailed;
        return new SeedReport(exitCode, results, failures);
    }
}
