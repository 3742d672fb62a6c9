using System.Text.Json;
using DataMeesh.DataProducts.Catalog;
using DataMeesh.DataProducts.Rows;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataMeesh.Tests.DataProducts;

/// <summary>
/// The data plane's statements are prepared once per connection and then run on PostgreSQL's generic plan, not re-planned
/// on every request (issue 14: a bound LIMIT made the plan cache re-plan the rows page each time). Read from
/// pg_prepared_statements of the one connection the requests ran on.
/// </summary>
public sealed class StatementPlanTests(DataProductApps apps) : IClassFixture<DataProductApps>
{
    [Fact]
    public async Task A_rows_page_is_planned_once_per_connection_then_reused()
    {
        // Enough orders that a plan for "a tenth of the table" (how PostgreSQL prices an unknown LIMIT) costs more than
        // planning anew, as on any real table: on the few sample rows the generic plan would win either way.
        await apps.Databases.ScalarAsync<object>("sales", """
            INSERT INTO orders (customer_id, order_date, order_status, total_amount, payment_method, sales_rep, region)
            SELECT customer_id, '2026-01-01', 'Pending', 1, 'Invoice', 'Plan test', 'Europe' FROM customers, generate_series(1, 50000 / (SELECT count(*) FROM customers) + 1)
            """);
        await apps.Databases.ScalarAsync<object>("sales", "ANALYZE orders");
        var catalog = apps.Sales.Services.GetRequiredService<ProductCatalog>();
        var orders = catalog.Find("orders")!;
        var connection = new NpgsqlConnectionStringBuilder(apps.Databases.Sales) { MaxPoolSize = 1 };
        DataPlane.Configure(connection, "sales");
        await using var dataSource = NpgsqlDataSource.Create(connection.ConnectionString);
        var rows = new RowService(new DataPlane(dataSource));
        var request = RowRequest.Parse(orders, new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { ["limit"] = "5" }), canReadPii: false);

        const int requests = 12;
        for (var i = 0; i < requests; i++)
        {
            using var buffer = new MemoryStream();
            await using var writer = new Utf8JsonWriter(buffer);
            await rows.WriteItemsAsync(writer, request, CancellationToken.None);
            await writer.FlushAsync();
            Assert.Equal(5, JsonDocument.Parse(buffer.ToArray()).RootElement.GetArrayLength()); // the rows came back
        }

        await using var same = await dataSource.OpenConnectionAsync(); // the pool's only connection: the one the requests used
        await using var plans = new NpgsqlCommand(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE 'SELECT %FROM public.\"orders\" ORDER BY%'", same);
        await using var reader = await plans.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "the page statement was not prepared on the connection");
        var (generic, custom) = (reader.GetInt64(0), reader.GetInt64(1));
        // PostgreSQL tries five custom plans before it settles on the generic one; re-planning every request would show 0 / 11.
        Assert.True(generic >= requests - 1 - 5, $"generic plans {generic}, custom plans {custom}");
        Assert.False(await reader.ReadAsync(), "one statement text for one request shape");
    }

    [Fact]
    public void The_apis_data_source_is_the_configured_data_plane()
    {
        // What Aspire's Npgsql integration registered is what DataPlane.Configure asks for: without it every request would
        // reset the connection and re-parse its statements, and a page would need several reads.
        var dataPlane = apps.Sales.Services.GetRequiredService<DataPlane>();
        var settings = new NpgsqlConnectionStringBuilder(dataPlane.DataSource.ConnectionString);
        Assert.Equal("sales-api", settings.ApplicationName);
        Assert.True(settings.NoResetOnClose);
        Assert.Equal(64, settings.MaxAutoPrepare);
        Assert.Equal(DataPlane.ResultReadBufferBytes, settings.ReadBufferSize);
        Assert.Contains("-c role=" + DataPlane.RoleOf("sales"), settings.Options);
    }
}
