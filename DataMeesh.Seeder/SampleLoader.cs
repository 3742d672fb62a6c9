using System.Globalization;
using DataMeesh.Seeder.Generation;
using DataMeesh.Seeder.Loading;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataMeesh.Seeder;

/// <param name="Scale">The scale that was asked for (the summary compares it with what is loaded).</param>
/// <param name="Notes">What the run did besides loading (in-doubt loads of an interrupted run it finished, ...).</param>
internal sealed record SeedReport(int ExitCode, IReadOnlyList<DomainResult> Results, IReadOnlyList<string> Problems,
    long Scale = 1, IReadOnlyList<string>? Notes = null);

/// <summary>
/// Checks the schemas, finishes what an interrupted run left prepared, loads the requested domains in parallel (one
/// transaction each) and commits them together or not at all (<see cref="PairCommit"/>).
/// </summary>
internal sealed class SampleLoader(DomainDataSources databases, PhasePause pause, ILogger<SampleLoader> logger)
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
        SeedReport Report(int exitCode, IReadOnlyList<string> problems, IReadOnlyList<DomainResult>? results = null, IReadOnlyList<string>? notes = null) =>
            new(exitCode, results ?? [], problems, options.Scale, notes);

        var missingConnections = plans.Where(p => !databases.IsConfigured(p.Domain)).ToList();
        if (missingConnections.Count > 0)
        {
            return Report(ExitCodes.Usage, [.. missingConnections.Select(p =>
                $"Connection string '{p.Domain}' is not set: set ConnectionStrings__{p.Domain} " +
                $"(e.g. \"Host=localhost;Port=5432;Database={p.Domain};Username=postgres;Password=...\"), as the AppHost does.")]);
        }

        var dataSources = plans.ToDictionary(p => p.Domain, p => databases.For(p.Domain));
        var schemaProblems = await Task.WhenAll(plans.Select(async plan =>
            (plan, problem: await SchemaProbe.WaitForSchemaAsync(dataSources[plan.Domain], plan, options.SchemaTimeout, cancellationToken))));
        if (schemaProblems.Where(p => p.problem is { LoginRefused: true }).ToList() is { Count: > 0 } refused)
        {
            return Report(ExitCodes.LoginRefused, [.. refused.Select(p =>
                $"Cannot log in to the {p.plan.Domain} database: {p.problem!.Message}. Check the user and password in " +
                $"ConnectionStrings__{p.plan.Domain}.")]);
        }

        if (schemaProblems.Where(p => p.problem is not null).ToList() is { Count: > 0 } notReady)
        {
            return Report(ExitCodes.SchemaNotReady, [.. notReady.Select(p =>
                $"The {p.plan.Domain} schema is not ready after {options.SchemaTimeout.TotalSeconds:0} s ({p.problem!.Message}). " +
                $"Start {p.plan.ApiProject} (it migrates on start) or run `dotnet {p.plan.ApiProject}.dll migrate`, then seed again.")]);
        }

        if (plans.Count > 1)
        {
            var disabled = await Task.WhenAll(plans.Select(p => PairCommit.CheckPreparedTransactionsAsync(p.Domain, dataSources[p.Domain], cancellationToken)));
            if (disabled.OfType<string>().ToList() is { Count: > 0 } problems)
            {
                return Report(ExitCodes.Usage, problems);
            }
        }

        try
        {
            await using var seedLock = await SeedLock.AcquireAsync(dataSources, message => logger.LogInformation("{Message}", message), cancellationToken);
            // A follower's decider may be a domain not loaded now: its server is asked, read-only, whether it committed.
            var deciders = SeedOptions.AllDomains.Where(databases.IsConfigured).ToDictionary(d => d, databases.For);
            var notes = await InDoubtLoads.ResolveAsync(dataSources, deciders, cancellationToken);
            foreach (var note in notes)
            {
                logger.LogWarning("{Note}", note);
            }

            return await LoadAsync(options, plans, dataSources, progress, showProgress, notes, cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(e, "Seeding failed");
            return Report(ExitCodes.LoadFailed, [$"{e.Message} Nothing was changed."]);
        }
    }

    private async Task<SeedReport> LoadAsync(SeedOptions options, List<DomainPlan> plans, Dictionary<string, NpgsqlDataSource> dataSources,
        LoadProgress progress, Func<IReadOnlyList<DomainPlan>, Task, Task> showProgress, List<string> notes, CancellationToken cancellationToken)
    {
        SeedReport Report(int exitCode, IReadOnlyList<string> problems, IReadOnlyList<DomainResult>? results = null) =>
            new(exitCode, results ?? [], problems, options.Scale, notes);

        var begun = await Task.WhenAll(plans.Select(plan => Task.Run(async () =>
        {
            try
            {
                return (plan, load: DomainLoader.Begin(dataSources[plan.Domain], plan, options, cancellationToken), error: (string?)null);
            }
            catch (Exception e) when (Failure(e, plan, cancellationToken) is { } problem)
            {
                return (plan, load: (DomainLoad?)null, error: problem);
            }
        }, CancellationToken.None)));
        var loads = begun.Where(b => b.load is not null).Select(b => b.load!).ToList();
        try
        {
            if (begun.Select(b => b.error).OfType<string>().ToList() is { Count: > 0 } beginFailures)
            {
                return Report(cancellationToken.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.LoadFailed, beginFailures);
            }

            if (loads.Where(l => l.RefusedWrites is not null).ToList() is { Count: > 0 } refused)
            {
                return Report(ExitCodes.ResetRefused, [.. refused.Select(l =>
                    $"{l.Domain}: --reset refused: {Count(l.RefusedWrites!.Sum(t => t.Rows))} rows were written after the data was loaded " +
                    $"({string.Join(", ", l.RefusedWrites!.Select(t => $"{t.Table}: {Count(t.Rows)}"))}), writes its API acknowledged; " +
                    "a reset would delete them. Keep what you need, then add --discard-writes to replace them anyway. Nothing was changed.")]);
            }

            var toLoad = loads.Where(l => l.WillLoad).ToList();
            if (toLoad.Count == 0)
            {
                return Report(ExitCodes.Success, [], [.. loads.Select(l => l.Result)]);
            }

            logger.LogInformation("Seeding {Domains} at scale {Scale} (seed {Seed}, as of {AsOf:yyyy-MM-dd})",
                string.Join(" and ", toLoad.Select(l => l.Domain)), options.Scale, options.Seed, options.AsOf);
            foreach (var load in toLoad.Where(l => l.ReplacedRows is not null))
            {
                logger.LogWarning("{Domain}: --reset: replacing its {Rows} rows{Scale} with the sample at scale {NewScale}, in one transaction",
                    load.Domain, Count(load.ReplacedRows!.Value), load.Result.LoadedScale is { } s ? $" (scale {s})" : "", options.Scale);
            }

            var failures = await CopyAsync(toLoad, progress, showProgress, cancellationToken);
            if (failures.Count > 0)
            {
                return Report(cancellationToken.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.LoadFailed, failures);
            }

            toLoad.ForEach(l => l.StopClock());
            CommitOutcome outcome;
            try
            {
                outcome = await PairCommit.CommitAsync(toLoad, pause, cancellationToken);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                logger.LogDebug(e, "Committing failed");
                return Report(ExitCodes.LoadFailed, [$"Committing failed: {e.Message}"]);
            }

            if (outcome == CommitOutcome.RolledBack)
            {
                return Report(ExitCodes.Cancelled, [.. toLoad.Select(l => Cancelled(l.Domain))]);
            }

            if (outcome == CommitOutcome.CommittedDespiteCancellation)
            {
                notes.Add($"Cancelled after {toLoad[0].Domain} had committed: the other domains were committed too, so the pair stays together.");
            }

            foreach (var load in toLoad)
            {
                await DataLoadAnnouncement.SendAsync(load.DataSource, load.Domain, CancellationToken.None);
                // Fresh statistics keep the first queries after a large load from planning on empty-table estimates.
                foreach (var table in load.Plan.Tables)
                {
                    await load.ExecuteAsync($"ANALYZE {table.Table}", CancellationToken.None);
                }
            }

            return Report(ExitCodes.Success, [], [.. loads.Select(l => l.Result)]);
        }
        finally
        {
            loads.ForEach(l => l.Dispose());
        }
    }

    /// <returns>One line per domain that failed; none when every copy completed.</returns>
    private static async Task<List<string>> CopyAsync(List<DomainLoad> loads, LoadProgress progress,
        Func<IReadOnlyList<DomainPlan>, Task, Task> showProgress, CancellationToken cancellationToken)
    {
        // Each domain copies on its own thread: the COPY writers are synchronous, which is what makes them fast.
        var copies = loads.Select(load => Task.Factory.StartNew(() => DomainLoader.Copy(load, progress, cancellationToken),
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        // The display only needs to know when copying ends; failures are collected per domain below.
        await showProgress([.. loads.Select(l => l.Plan)], Task.WhenAll(copies).ContinueWith(static _ => { }, TaskScheduler.Default));

        var failures = new List<string>();
        foreach (var (load, copy) in loads.Zip(copies))
        {
            try
            {
                await copy;
            }
            catch (Exception e) when (Failure(e, load.Plan, cancellationToken) is { } problem)
            {
                failures.Add(problem);
            }
        }

        // One domain's failure is the pair's: the other, though copied, is rolled back with it (the loads are disposed uncommitted).
        if (failures.Count > 0)
        {
            failures.AddRange(loads.Where(l => !failures.Any(f => f.StartsWith(l.Domain + ":", StringComparison.Ordinal)))
                .Select(l => $"{l.Domain}: rolled back with the other domain, which did not load; the previous data is unchanged."));
        }

        return failures;
    }

    private static string? Failure(Exception e, DomainPlan plan, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => Cancelled(plan.Domain),
        _ when cancellationToken.IsCancellationRequested => Cancelled(plan.Domain),
        NpgsqlException or InvalidOperationException =>
            $"{plan.Domain}: {e.Message} The transaction was rolled back and the previous data is unchanged.",
        _ => null,
    };

    private static string Cancelled(string domain) => $"{domain}: cancelled; the transaction was rolled back and the previous data is unchanged.";

    private static string Count(long rows) => rows.ToString("N0", CultureInfo.InvariantCulture);
}
