extern alias SalesApi;
extern alias MarketingApi;

using System.Net;
using DataMeesh.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

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
