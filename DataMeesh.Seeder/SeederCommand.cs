using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using DataMeesh.Seeder.Loading;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataMeesh.Seeder;

/// <summary>The command line: parses and validates options, then runs the load inside a host for configuration and telemetry.</summary>
internal static class SeederCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var scale = new Option<long>("--scale")
        {
            Description = $"Multiply the reference sample's rows (1 = the reference sample exactly; up to {SeedOptions.MaxScale:N0}).",
            DefaultValueFactory = _ => 1,
            CustomParser = result => ParseInRange(result, "--scale", 1, SeedOptions.MaxScale),
        };

        var seed = new Option<long>("--seed")
        {
            Description = "Seed of the random generator: the same seed, scale and date give the same data.",
            DefaultValueFactory = _ => SeedOptions.DefaultSeed,
        };

        // No DefaultValueFactory: help would print the day it was run ("[default: 12/01/2026]") as if it were fixed.
        var asOf = new Option<DateOnly?>("--as-of")
        {
            Description = "The date the sample ends at, as yyyy-MM-dd (default: today, UTC).",
            HelpName = "yyyy-MM-dd",
            CustomParser = ParseDate,
        };

        var reset = new Option<bool>("--reset")
        {
            Description = "Replace the data that is there: delete every row of the domain's tables and its API's idempotency records, " +
                "and load the sample, in one transaction (writes arriving meanwhile wait and land after it). Refused when rows were " +
                "written after the last load (see --discard-writes).",
        };

        var discardWrites = new Option<bool>("--discard-writes")
        {
            Description = "With --reset: replace the data even though rows were written after it was loaded (orders or leads the API acknowledged).",
        };

        var schemaTimeout = new Option<int>("--schema-timeout")
        {
            Description = "Seconds to wait for the APIs' migrations to create the schema.",
            HelpName = "seconds",
            DefaultValueFactory = _ => 60,
            CustomParser = result => (int)ParseInRange(result, "--schema-timeout", 0, 3600),
        };

        var domains = new Option<string[]>("--domain")
        {
            Description = "Load only this domain (repeatable). Default: all.",
            AllowMultipleArgumentsPerToken = false,
        };
        domains.AcceptOnlyFromAmong(SeedOptions.AllDomains);

        var root = new RootCommand(
            "Fills the sales and marketing databases with realistic, deterministic sample data.\n" +
            "Connection strings come from ConnectionStrings__sales and ConnectionStrings__marketing (as the AppHost injects them).\n" +
            "Exit codes: 0 loaded or already there, 1 load failed (rolled back), 2 bad arguments or configuration, " +
            "3 schema not migrated, 4 login refused, 5 --reset refused (rows written since the last load), 130 cancelled (rolled back).")
        {
            scale, seed, asOf, reset, discardWrites, schemaTimeout, domains,
        };

        root.SetAction((parseResult, cancellationToken) => SeedAsync(new SeedOptions(
            parseResult.GetValue(scale),
            parseResult.GetValue(seed),
            parseResult.GetValue(asOf) ?? DateOnly.FromDateTime(DateTime.UtcNow),
            parseResult.GetValue(reset),
            TimeSpan.FromSeconds(parseResult.GetValue(schemaTimeout)),
            parseResult.GetValue(domains) is { Length: > 0 } chosen ? [.. SeedOptions.AllDomains.Where(chosen.Contains)] : SeedOptions.AllDomains,
            parseResult.GetValue(discardWrites)), cancellationToken));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count == 0 && parsed.GetValue(discardWrites) && !parsed.GetValue(reset))
        {
            await Console.Error.WriteLineAsync("error: --discard-writes only applies with --reset.");
            await Console.Error.WriteLineAsync(Usage);
            return ExitCodes.Usage;
        }

        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error.Message}");
            }

            await Console.Error.WriteLineAsync(Usage);
            return ExitCodes.Usage;
        }

        // Ctrl-C (SIGINT) and SIGTERM cancel the run's token; rolling back takes a moment, committing the second domain of a
        // decided pair too, so the process is not cut off after System.CommandLine's default two seconds.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
    }

    private const string Usage = "Usage: DataMeesh.Seeder [--scale N] [--seed N] [--as-of yyyy-MM-dd] [--reset [--discard-writes]] " +
        "[--schema-timeout seconds] [--domain sales|marketing]. Run with --help for details.";

    // Parse and range-check in one step: a validator would run after a failed conversion and throw instead of reporting.
    private static long ParseInRange(ArgumentResult result, string option, long min, long max)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        result.AddError($"{option} must be a whole number from {min:N0} to {max:N0}, not '{text}'.");
        return min;
    }

    private static DateOnly? ParseDate(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        result.AddError($"--as-of must be a date written yyyy-MM-dd, not '{text}'.");
        return default;
    }

    private static async Task<int> SeedAsync(SeedOptions options, CancellationToken cancellationToken)
    {
        using var host = SeederHost.CreateBuilder().Build();
        await host.StartAsync(cancellationToken);

        var display = new ProgressDisplay(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DataMeesh.Seeder.Progress"));
        var progress = new LoadProgress();
        SeedReport report;
        try
        {
            report = await host.Services.GetRequiredService<SampleLoader>().RunAsync(options, progress,
                (plans, loads) => display.ShowAsync(plans, progress, loads), cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            report = new SeedReport(ExitCodes.Cancelled, [], ["Cancelled before loading started; nothing was changed."]);
        }

        ProgressDisplay.PrintSummary(report);
        await host.StopAsync(CancellationToken.None);
        return report.ExitCode;
    }
}
