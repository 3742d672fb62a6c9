using System.Diagnostics;
using System.Globalization;
using DataMeesh.Seeder.Loading;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace DataMeesh.Seeder;

/// <summary>A progress bar per table on a terminal; a log line every few seconds when output is redirected (CI, containers).</summary>
internal sealed class ProgressDisplay(ILogger logger)
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(5);

    public async Task ShowAsync(IReadOnlyList<DomainPlan> plans, LoadProgress progress, Task loads)
    {
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var tasks = plans.SelectMany(plan => plan.Tables.Select(table =>
                        (plan.Domain, table.Table, Task: context.AddTask($"{plan.Domain}.{table.Table}", maxValue: Math.Max(1, table.ExpectedRows)))))
                        .ToList();
                    while (true)
                    {
                        var done = loads.IsCompleted;
                        foreach (var (domain, table, task) in tasks)
                        {
                            task.Value = progress.Rows(domain, table);
                            if (done)
                            {
                                task.StopTask();
                            }
                        }

                        if (done)
                        {
                            return;
                        }

                        await Task.WhenAny(loads, Task.Delay(200));
                    }
                });
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        while (await Task.WhenAny(loads, Task.Delay(LogInterval)) != loads)
        {
            foreach (var plan in plans)
            {
                var rows = progress.Rows(plan.Domain);
                logger.LogInformation("{Domain}: {Rows:N0} of ~{Expected:N0} rows ({Percent:0}%), {Rate:N0} rows/s",
                    plan.Domain, rows, plan.ExpectedRows, 100.0 * rows / Math.Max(1, plan.ExpectedRows), rows / stopwatch.Elapsed.TotalSeconds);
            }
        }
    }

    public static void PrintSummary(SeedReport report)
    {
        foreach (var problem in report.Problems)
        {
            Console.Error.WriteLine($"error: {problem}");
        }

        foreach (var note in report.Notes ?? [])
        {
            Console.WriteLine($"note: {note}");
        }

        if (report.Results.Count == 0)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("Domain").AddColumn("Table").AddColumn(new TableColumn("Rows").RightAligned())
            .AddColumn(new TableColumn("Seconds").RightAligned()).AddColumn(new TableColumn("Rows/s").RightAligned());
        foreach (var result in report.Results)
        {
            foreach (var t in result.Tables)
            {
                var loaded = result.Outcome == LoadOutcome.Loaded;
                table.AddRow(result.Domain, t.Table, Count(t.Rows),
                    loaded ? t.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) : "-",
                    loaded ? Count(Rate(t.Rows, t.Elapsed)) : "-");
            }
        }

        AnsiConsole.Write(table);
        foreach (var result in report.Results)
        {
            Console.WriteLine(result.Outcome switch
            {
                LoadOutcome.Loaded when result.ReplacedRows is { } replaced =>
                    $"{result.Domain}: replaced {Count(replaced)} rows with {Timed(result.Rows, result.Elapsed)}",
                LoadOutcome.Loaded => $"{result.Domain}: loaded {Timed(result.Rows, result.Elapsed)}",
                _ => AlreadyLoaded(result, report.Scale),
            });
        }

        var loadedResults = report.Results.Where(r => r.Outcome == LoadOutcome.Loaded).ToList();
        if (loadedResults.Count > 0)
        {
            // Domains load in parallel, so the wall time is the slowest domain's.
            Console.WriteLine($"total: loaded {Timed(loadedResults.Sum(r => r.Rows), loadedResults.Max(r => r.Elapsed))}");
        }
    }

    private static string AlreadyLoaded(DomainResult result, long requestedScale)
    {
        var what = result.LoadedScale is { } scale ? $"the sample at scale {Count(scale)}" : "data that fits no scale of the sample";
        var differs = result.LoadedScale == requestedScale ? "" : $" --scale {Count(requestedScale)} was not loaded.";
        return $"{result.Domain}: already holds {what} ({result.Detail}); nothing changed.{differs} Use --reset to replace it.";
    }

    /// <summary>The domain and total lines share one format: "1,666 rows in 0.52 s (3,204 rows/s)".</summary>
    private static string Timed(long rows, TimeSpan elapsed) =>
        $"{Count(rows)} rows in {elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s ({Count(Rate(rows, elapsed))} rows/s)";

    private static string Count(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static double Rate(long rows, TimeSpan elapsed) => rows / Math.Max(elapsed.TotalSeconds, 1e-6);
}
