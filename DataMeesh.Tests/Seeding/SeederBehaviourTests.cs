using DataMeesh.Seeder;
using DataMeesh.Seeder.Loading;
using DataMeesh.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace DataMeesh.Tests.Seeding;

public sealed class SeederBehaviourTests : DatabaseScope
{
    [Fact]
    public async Task Scale_multiplies_the_rows_and_keeps_the_story_in_every_block()
    {
        var databases = await NewMigratedPairAsync();

        await SeedRunner.SeedOrThrowAsync(databases, SeedRunner.Options(scale: 3));

        Assert.Equal(45L, await databases.ScalarAsync<long>("sales", "SELECT count(*) FROM customers"));
        Assert.Equal(60L, await databases.ScalarAsync<long>("sales", "SELECT count(*) FROM orders"));
        Assert.Equal(102L, await databases.ScalarAsync<long>("sales", "SELECT count(*) FROM order_items"));
        Assert.Equal(10L, await databases.ScalarAsync<long>("sales", "SELECT count(*) FROM products"));
        Assert.Equal(24L, await databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM campaigns"));
        Assert.Equal(45L, await databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM leads"));
        // Campaign periods end at --as-of, so later blocks (shifted into the past) have a few more days of metrics.
        Assert.InRange(await databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM campaign_metrics"), 3 * 724, 3 * 724 * 1.2);
        Assert.InRange(await databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM website_traffic"), 3 * 840, 3 * 840 * 1.2);
        Assert.Equal(0L, await databases.ScalarAsync<long>("sales", """
            SELECT count(*) FROM orders o
            WHERE o.total_amount <> (SELECT sum(line_total) FROM order_items i WHERE i.order_id = o.order_id)
            """));

        var story = await CrossDomainStory.ReadAsync(databases);
        Assert.Equal(18, story.Converted.Count);
        Assert.All(story.Converted, lead =>
        {
            var customer = Assert.Single(story.CustomersByEmail[lead.Email]);
            Assert.True(lead.CreatedAt < customer.CreatedAt);
            Assert.True(customer.Orders > 0);
        });
        Assert.All(story.NotConverted, lead => Assert.False(story.CustomersByEmail.Contains(lead.Email)));
    }

    [Fact]
    public async Task The_same_options_give_identical_data_and_another_seed_gives_other_data()
    {
        var first = await NewMigratedPairAsync();
        var second = await NewMigratedPairAsync();
        var otherSeed = await NewMigratedPairAsync();

        await Task.WhenAll(
            SeedRunner.SeedOrThrowAsync(first, SeedRunner.Options(scale: 2, seed: 7)),
            SeedRunner.SeedOrThrowAsync(second, SeedRunner.Options(scale: 2, seed: 7)),
            SeedRunner.SeedOrThrowAsync(otherSeed, SeedRunner.Options(scale: 2, seed: 8)));

        var expected = await SeedRunner.FingerprintAsync(first);
        Assert.Equal(expected, await SeedRunner.FingerprintAsync(second));
        var different = await SeedRunner.FingerprintAsync(otherSeed);
        Assert.NotEqual(expected["customers"], different["customers"]);
        Assert.NotEqual(expected["campaign_metrics"], different["campaign_metrics"]);
        Assert.Equal(expected["products"], different["products"]);
    }

    [Fact]
    public async Task As_of_anchors_every_date()
    {
        var databases = await NewMigratedPairAsync();

        await SeedRunner.SeedOrThrowAsync(databases, SeedRunner.Options(asOf: new DateOnly(2024, 3, 1)));

        Assert.Equal(new DateOnly(2024, 2, 29), await databases.ScalarAsync<DateOnly>("marketing", "SELECT max(visit_date) FROM website_traffic"));
        Assert.True(await databases.ScalarAsync<bool>("sales", "SELECT max(order_date) < TIMESTAMPTZ '2024-03-01 00:00Z' FROM orders"));
    }

    [Fact]
    public async Task A_second_run_reports_the_data_is_there_and_changes_nothing()
    {
        var databases = await NewMigratedPairAsync();
        await SeedRunner.SeedOrThrowAsync(databases, SeedRunner.Options());
        var before = await SeedRunner.FingerprintAsync(databases);

        var again = await SeedRunner.RunAsync(databases, SeedRunner.Options(scale: 2));

        Assert.Equal(ExitCodes.Success, again.ExitCode);
        Assert.All(again.Results, r => Assert.Equal(LoadOutcome.AlreadyLoaded, r.Outcome));
        Assert.Equal(before, await SeedRunner.FingerprintAsync(databases));
    }

    [Fact]
    public async Task Reset_replaces_the_data_instead_of_adding_to_it()
    {
        var databases = await NewMigratedPairAsync();
        await SeedRunner.SeedOrThrowAsync(databases, SeedRunner.Options(scale: 2));

        await SeedRunner.SeedOrThrowAsync(databases, SeedRunner.Options(scale: 1, reset: true));

        var fresh = await NewMigratedPairAsync();
        await SeedRunner.SeedOrThrowAsync(fresh, SeedRunner.Options(scale: 1));
        Assert.Equal(await SeedRunner.FingerprintAsync(fresh), await SeedRunner.FingerprintAsync(databases));
        // Indexes and constraints are dropped for the load and built again after it (DeferredIndexes): all of them, as migrated.
        var migrated = await NewMigratedPairAsync();
        var schema = await SeedRunner.SchemaAsync(migrated);
        Assert.Contains(schema, d => d.Contains("FOREIGN KEY (order_id) REFERENCES orders(order_id)", StringComparison.Ordinal));
        Assert.Equal(schema, await SeedRunner.SchemaAsync(databases));
    }

    [Fact]
    public async Task Cancelling_midway_rolls_back_to_the_previous_data()
    {
        var databases = await NewMigratedPairAsync();
        await SeedRunner.SeedOrThrowAsync(databases, SeedRunner.Options());
        var before = await SeedRunner.FingerprintAsync(databases);

        using var cancellation = new CancellationTokenSource();
        var run = SeedRunner.RunAsync(databases, SeedRunner.Options(scale: 200_000, reset: true), cancellation.Token);
        await CopyProgress.WaitUntilRowsAreStreamingAsync(databases);
        await cancellation.CancelAsync();
        var report = await run;

        Assert.Equal(ExitCodes.Cancelled, report.ExitCode);
        Assert.Equal(before, await SeedRunner.FingerprintAsync(databases));
    }

    [Fact]
    public async Task A_killed_load_leaves_the_old_data_and_a_rerun_completes()
    {
        var databases = await NewMigratedPairAsync();
        await SeedRunner.SeedOrThrowAsync(databases, SeedRunner.Options());
        var before = await SeedRunner.FingerprintAsync(databases);

        using (var seeder = ProjectProcess.Start("DataMeesh.Seeder", ["--scale", "200000", "--reset", "--as-of", "2026-11-23"], SeederCli.Environment(databases)))
        {
            await CopyProgress.WaitUntilRowsAreStreamingAsync(databases);
            seeder.Kill();
        }

        Assert.Equal(before, await SeedRunner.FingerprintAsync(databases));
        var rerun = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--scale", "2", "--reset", "--as-of", "2026-11-23"], SeederCli.Environment(databases));
        Assert.True(rerun.ExitCode == 0, rerun.Output + rerun.Error);
        Assert.Equal(40L, await databases.ScalarAsync<long>("sales", "SELECT count(*) FROM orders"));
    }

    [Fact]
    public async Task A_killed_first_load_leaves_empty_tables_and_a_rerun_loads_everything()
    {
        var databases = await NewMigratedPairAsync();

        using (var seeder = ProjectProcess.Start("DataMeesh.Seeder", ["--scale", "200000"], SeederCli.Environment(databases)))
        {
            await CopyProgress.WaitUntilRowsAreStreamingAsync(databases);
            seeder.Kill();
        }

        Assert.All((await SeedRunner.FingerprintAsync(databases)).Values, fingerprint => Assert.StartsWith("0:", fingerprint));
        var rerun = await ProjectProcess.RunAsync("DataMeesh.Seeder", ["--as-of", "2026-11-23"], SeederCli.Environment(databases));
        Assert.True(rerun.ExitCode == 0, rerun.Output + rerun.Error);
        Assert.Contains("total: loaded 1,666 rows in ", rerun.Output);
    }

    [Fact]
    public async Task The_seeder_traces_each_domain_load_and_its_npgsql_commands()
    {
        var databases = await NewMigratedPairAsync();
        var collector = new ActivityCollector();
        var builder = SeedRunner.HostBuilder(databases);
        builder.Configuration[Microsoft.Extensions.Hosting.Extensions.SdkDisabledKey] = "false"; // no collector here: spans are built only when asked for
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(collector));
        using var host = builder.Build();
        await host.StartAsync();

        var report = await SeedRunner.RunAsync(host, SeedRunner.Options());
        await host.StopAsync();

        Assert.Equal(ExitCodes.Success, report.ExitCode);
        foreach (var domain in SeedOptions.AllDomains)
        {
            // Npgsql's spans (from Aspire's Npgsql integration) nest under the load's. (Other tests seeding meanwhile show up
            // too, as sources are listened to process-wide: the database tells this one's apart.)
            var loads = collector.Ended.Where(a => a.Source.Name == "DataMeesh.Seeder" && a.DisplayName == $"seed {domain}").Select(a => a.SpanId).ToHashSet();
            Assert.Contains(collector.NpgsqlCommandsOn(databases.ConnectionString(domain)), a => loads.Contains(a.ParentSpanId));
        }
    }
}

/// <summary>Watches PostgreSQL's own COPY progress so a test can interrupt a load while rows are really flowing.</summary>
internal static class CopyProgress
{
    public static async Task WaitUntilRowsAreStreamingAsync(MigratedDatabases databases)
    {
        var databaseNames = new[] { databases.Sales, databases.Marketing }
            .Select(cs => new Npgsql.NpgsqlConnectionStringBuilder(cs).Database!).ToArray();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            var copied = await MigratedDatabases.QueryScalarAsync<long>(await PostgresServer.GetAdminConnectionStringAsync(),
                $"SELECT coalesce(sum(tuples_processed), 0)::bigint FROM pg_stat_progress_copy WHERE datname IN ('{string.Join("','", databaseNames)}')");
            if (copied > 1_000)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The seeder never started copying rows.");
    }
}
