using System.Diagnostics;
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
                table.AddRow(result.Domain, t.Table, $"{t.Rows:N0}",
                    result.Outcome == LoadOutcome.Loaded ? $"{t.Elapsed.TotalSeconds:0.00}" : "-",
                    result.Outcome == LoadOutcome.Loaded ? $"{Rate(t.Rows, t.Elapsed):N0}" : "-");
            }
        }

        AnsiConsole.Write(table);
        foreach (var result in report.Results)
        {
            Console.WriteLine(result.Outcome == LoadOutcome.Loaded
                ? $"{result.Domain}: loaded {result.Rows:N0} rows in {result.Elapsed.TotalSeconds:0.00} s ({Rate(result.Rows, result.Elapsed):N0} rows/s)"
                : $"{result.Domain}: already loaded ({result.Detail}); nothing changed. Use --reset to replace it.");
        }

        var loaded = report.Results.Where(r => r.Outcome == LoadOutcome.Loaded).ToList();
        if (loaded.Count > 0)
        {
            // Domains load in parallel, so the wall time is the slowest domain's.
            var rows = loaded.Sum(r => r.Rows);
            var elapsed = loaded.Max(r => r.Elapsed);
            Console.WriteLine($"total: loaded {rows} rows in {elapsed.TotalSeconds:0.000} s ({Rate(rows, elapsed):0} rows/s)");
        }
    }

    private static double Rate(long rows, TimeSpan elapsed) => rows / Math.Max(elapsed.TotalSeconds, 1e-6);
}
