extern alias SalesApi;
extern alias MarketingApi;

using System.Net;
using DataMeesh.DataProducts.Database;
using DataMeesh.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Trace;

namespace DataMeesh.Tests.Api;

/// <summary>Both APIs start, create and migrate their own database, and report readiness honestly.</summary>
public sealed class ApiHostTests : DatabaseScope
{
    private static readonly string[] ReadyStatuses = ["Healthy", "Degraded"];

    [Fact]
    public async Task The_sales_api_creates_and_migrates_its_database_then_reports_healthy()
    {
        var connectionString = await NewDatabaseAsync("api");
        await using var factory = Configure(new WebApplicationFactory<SalesApi::Program>(), "sales", connectionString);

        await AssertBecomesHealthyAsync(factory.CreateClient());

        Assert.NotNull(await MigratedDatabases.QueryScalarAsync<string?>(connectionString, "SELECT to_regclass('public.order_items')::text"));
    }

    [Fact]
    public async Task The_marketing_api_creates_and_migrates_its_database_then_reports_healthy()
    {
        var connectionString = await NewDatabaseAsync("api");
        await using var factory = Configure(new WebApplicationFactory<MarketingApi::Program>(), "marketing", connectionString);

        await AssertBecomesHealthyAsync(factory.CreateClient());

        Assert.NotNull(await MigratedDatabases.QueryScalarAsync<string?>(connectionString, "SELECT to_regclass('public.lead_funnel')::text"));
    }

    [Fact]
    public async Task Without_a_database_the_api_is_alive_but_not_ready()
    {
        await using var factory = Configure(new WebApplicationFactory<SalesApi::Program>(), "sales",
            "Host=127.0.0.1;Port=1;Database=sales;Username=postgres;Timeout=2");
        var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
        var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_a_connection_string_the_api_exits_2_and_says_how_to_set_it()
    {
        var (exitCode, output, error) = await ProjectProcess.RunAsync("DataMeesh.SalesApi", [], new Dictionary<string, string?>());

        Assert.Equal(2, exitCode);
        Assert.Contains("ConnectionStrings__sales", output + error);
        Assert.DoesNotContain("   at ", output + error); // our message, not Aspire's exception
    }

    [Theory]
    [InlineData("DataProducts__Quality__Interval", "-00:05:00", "DataProducts:Quality:Interval must be a positive time span")]
    [InlineData("DataProducts__Quality__Interval", "every hour", "DataProducts:Quality:Interval")]
    [InlineData("DataProducts__Servers__TrinoPort", "0", "DataProducts:Servers:TrinoPort must be a TCP port from 1 to 65535")]
    public async Task A_bad_data_products_setting_stops_the_api_at_start_with_exit_2_naming_the_key(string key, string value, string message)
    {
        // Never reached: the settings are checked before anything connects.
        var (exitCode, output, error) = await ProjectProcess.RunAsync("DataMeesh.SalesApi", [], new Dictionary<string, string?>
        {
            ["ConnectionStrings__sales"] = "Host=127.0.0.1;Port=1;Database=sales;Username=postgres;Timeout=2",
            [key] = value,
        });

        Assert.Equal(2, exitCode);
        Assert.Contains(message, output + error);
        Assert.DoesNotContain("   at ", output + error);
    }

    [Fact]
    public async Task Readiness_checks_the_database_once_with_our_own_check()
    {
        var connectionString = await NewDatabaseAsync("api");
        await using var factory = Configure(new WebApplicationFactory<SalesApi::Program>(), "sales", connectionString);
        await AssertBecomesHealthyAsync(factory.CreateClient());

        // Aspire.Npgsql's "PostgreSql" check is disabled in favour of "database" (time-out, retry on a fresh connection).
        var checks = factory.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name);
        Assert.Equal(["catalog", "database", "quality", "schema", "self"], checks.Order());
    }

    [Fact]
    public async Task The_api_traces_its_database_commands_through_the_npgsql_integration()
    {
        var connectionString = await NewDatabaseAsync("api");
        var collector = new ActivityCollector();
        await using var factory = Configure(new WebApplicationFactory<MarketingApi::Program>(), "marketing", connectionString)
            .WithWebHostBuilder(builder => builder
                .UseSetting(Microsoft.Extensions.Hosting.Extensions.SdkDisabledKey, "false") // no collector here: spans are built only when asked for
                .ConfigureServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(collector))));
        await AssertBecomesHealthyAsync(factory.CreateClient());

        // Migrations (as the schema's owner) and the start-up quality run (as the data plane) alike.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string[] expected = ["pg_advisory_lock", "INSERT INTO datameesh.quality_runs"];
        while (expected.Any(text => !collector.NpgsqlCommandsOn(connectionString).Any(a => (a.GetTagItem("db.query.text") as string)?.Contains(text, StringComparison.Ordinal) == true)))
        {
            Assert.True(DateTime.UtcNow < deadline, "No Npgsql span of the migration or the start-up quality run: " +
                string.Join(" | ", collector.NpgsqlCommandsOn(connectionString).Select(a => a.GetTagItem("db.query.text"))));
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Without_a_collector_the_api_builds_no_spans()
    {
        // No OTLP endpoint: spans would only be built to be dropped (3-11% of a read's CPU, bench/README.md), so the SDK
        // is off, also for the instrumentations Aspire's Npgsql integration registers. The test above turns it on.
        var connectionString = await NewDatabaseAsync("api");
        var collector = new ActivityCollector();
        await using var factory = Configure(new WebApplicationFactory<SalesApi::Program>(), "sales", connectionString)
            .WithWebHostBuilder(builder => builder.ConfigureServices(services =>
                services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(collector))));
        var client = factory.CreateClient();
        await AssertBecomesHealthyAsync(client); // healthy = migrated and the start-up quality run stored, both through Npgsql
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/datasets/orders")).StatusCode);

        Assert.Empty(collector.Ended);
    }

    [Fact]
    public async Task Starting_up_logs_no_error_while_readiness_polls_see_it_unready()
    {
        var connectionString = await NewDatabaseAsync("api");
        var logs = new FakeLogCollector();
        await using var factory = Configure(new WebApplicationFactory<SalesApi::Program>(), "sales", connectionString)
            .WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(new FakeLoggerProvider(logs))));
        // Holding the migration lock keeps the API unready for as long as the test likes, as a slow start would.
        var database = new NpgsqlConnectionStringBuilder(connectionString);
        await MigratedDatabases.ExecuteAsync(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString,
            $"CREATE DATABASE \"{database.Database}\"");
        // Unpooled: closing it must end the session, and with it the lock.
        await using (var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString))
        {
            await holder.OpenAsync();
            await using (var lockIt = new NpgsqlCommand($"SELECT pg_advisory_lock({SchemaMigrator.MigrationLockKey})", holder))
            {
                await lockIt.ExecuteNonQueryAsync();
            }

            var client = factory.CreateClient();
            // Polled as the AppHost and the probes poll a starting service.
            for (var poll = 0; poll < 5; poll++)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health")).StatusCode);
                await Task.Delay(200);
            }
        }

        await AssertBecomesHealthyAsync(factory.CreateClient());

        Assert.Empty(logs.GetSnapshot().Where(r => r.Level >= LogLevel.Error).Select(r => $"{r.Category}: {r.Message}"));
    }

    private static WebApplicationFactory<T> Configure<T>(WebApplicationFactory<T> factory, string connectionName, string connectionString)
        where T : class =>
        factory.WithWebHostBuilder(builder => builder.UseSetting($"ConnectionStrings:{connectionName}", connectionString));

    private static async Task AssertBecomesHealthyAsync(HttpClient client)
    {
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpResponseMessage health;
        do
        {
            health = await client.GetAsync("/health");
            if (health.StatusCode == HttpStatusCode.OK)
            {
                // Ready. A database without data is Degraded once the quality checks ran (freshness SLAs fail), still 200.
                Assert.Contains(await health.Content.ReadAsStringAsync(), ReadyStatuses);
                return;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"/health never became healthy: {(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}");
    }
}
