using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using DataMeesh.DataProducts.Quality;
using DataMeesh.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NJsonSchema;
using Npgsql;
using YamlDotNet.Serialization;

namespace DataMeesh.Tests.DataProducts;

/// <summary>Contracts, quality checks and database roles: what makes the data trustworthy and governed.</summary>
public sealed class ProductGovernanceTests(DataProductApps apps) : IClassFixture<DataProductApps>
{
    private static readonly string OdcsSchemaPath = Path.Combine(ProjectProcess.FindRepositoryRoot(), "..", "shared", "data", "odcs", "odcs-json-schema-v3.1.0.json");

    [Theory]
    [InlineData("sales")]
    [InlineData("marketing")]
    public async Task Every_contract_validates_against_the_odcs_v3_1_schema_and_matches_the_live_columns(string domain)
    {
        Assert.True(File.Exists(OdcsSchemaPath), $"The ODCS JSON schema is missing at {OdcsSchemaPath} (../shared/data beside the checkout).");
        // NJsonSchema resolves draft-07 "definitions" but not 2019-09 "$defs"; the two mean the same here, so the
        // schema text is read with the keyword renamed (the file itself is used as published).
        var schema = await JsonSchema.FromJsonAsync((await File.ReadAllTextAsync(OdcsSchemaPath)).Replace("$defs", "definitions", StringComparison.Ordinal));
        var anonymous = apps.Api(domain);
        var signedIn = apps.Client(domain);
        var contracts = await (await anonymous.GetAsync("/contracts")).JsonAsync();
        Assert.NotEmpty(contracts.EnumerateArray());
        foreach (var (contract, client) in contracts.EnumerateArray().SelectMany(c => new[] { (c, anonymous), (c, signedIn) }))
        {
            var response = await client.GetAsync(contract.GetProperty("href").GetString());
            Assert.Equal("application/yaml", response.Content.Headers.ContentType?.MediaType);
            var yaml = new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().Build().Deserialize<object>(await response.Content.ReadAsStringAsync());
            var json = JsonSerializer.Serialize(yaml);
            var errors = schema.Validate(json);
            Assert.True(errors.Count == 0, $"{contract.GetProperty("dataset")}: " + string.Join("; ", errors.Select(Describe)));

            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            Assert.Equal("v3.1.0", root.GetProperty("apiVersion").GetString());
            Assert.Equal("DataContract", root.GetProperty("kind").GetString());
            var dataset = contract.GetProperty("dataset").GetString()!;
            var liveColumns = (await apps.Databases.RowsAsync(domain,
                $"SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{dataset}' ORDER BY ordinal_position"))
                .Select(r => (string)r[0]!);
            var schemaObject = root.GetProperty("schema")[0];
            Assert.Equal(liveColumns, schemaObject.GetProperty("properties").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
            Assert.NotEmpty(schemaObject.GetProperty("quality").EnumerateArray());
            // Where the data lives is for signed-in callers only.
            if (client == signedIn)
            {
                Assert.Equal(["postgres", "trino"], root.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("type").GetString()));
            }
            else
            {
                Assert.False(root.TryGetProperty("servers", out _), json);
            }
        }
    }

    [Fact]
    public async Task Quality_results_carry_observed_values_thresholds_and_scores_and_are_kept_as_history()
    {
        var steward = apps.Client("sales", "sales-steward");
        var runsBefore = await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM datameesh.quality_runs");
        var report = await (await steward.PostAsync("/quality/runs", null)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("manual", report.GetProperty("trigger").GetString());
        Assert.Equal(runsBefore + 1, await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM datameesh.quality_runs"));

        var orders = report.GetProperty("datasets").EnumerateArray().Single(d => d.GetProperty("dataset").GetString() == "orders");
        var types = orders.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("type").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "row_count", "freshness", "foreign_key", "accepted_values" }, types);
        var rowCount = orders.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "row_count");
        Assert.Equal(await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM orders"), rowCount.GetProperty("observed").GetDecimal());
        Assert.Equal(100m, orders.GetProperty("score").GetDecimal());
        Assert.Equal(7L, await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM datameesh.quality_scores"));
    }

    [Fact]
    public async Task A_failing_critical_check_degrades_health_lowers_the_score_and_shows_in_metrics()
    {
        var measurements = new List<(string Dataset, double Score)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == QualityMonitor.MeterName && instrument.Name == "datameesh.quality.score")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            if (tags.ToArray().Any(t => t.Key == "domain" && (string?)t.Value == "marketing"))
            {
                measurements.Add(((string)tags.ToArray().Single(t => t.Key == "dataset").Value!, value));
            }
        });
        listener.Start();

        var steward = apps.Client("marketing", "marketing-steward");
        Assert.Equal("Healthy", await (await apps.Api("marketing").GetAsync("/health")).Content.ReadAsStringAsync());
        // Metrics stop arriving: the freshness SLA of two days fails, a critical check. (Shifted by ten years, more than
        // the seeded date range, so no row collides with another on its (campaign_id, metric_date) key meanwhile.)
        await MigratedDatabases.ExecuteAsync(apps.Databases.Marketing,
            "UPDATE campaign_metrics SET metric_date = metric_date - 3650");
        try
        {
            var report = await (await steward.PostAsync("/quality/runs", null)).JsonAsync(HttpStatusCode.Created);
            var metrics = report.GetProperty("datasets").EnumerateArray().Single(d => d.GetProperty("dataset").GetString() == "campaign_metrics");
            var freshness = metrics.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "freshness");
            Assert.False(freshness.GetProperty("passed").GetBoolean());
            Assert.True(freshness.GetProperty("observed").GetDecimal() > freshness.GetProperty("threshold").GetDecimal());
            Assert.True(metrics.GetProperty("score").GetDecimal() < 100m);
            var health = await apps.Api("marketing").GetAsync("/health");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("Degraded", await health.Content.ReadAsStringAsync());

            listener.RecordObservableInstruments();
            Assert.Contains(measurements, m => m.Dataset == "campaign_metrics" && m.Score < 100);
            Assert.Contains(measurements, m => m.Dataset == "campaigns" && m.Score == 100);
        }
        finally
        {
            await MigratedDatabases.ExecuteAsync(apps.Databases.Marketing, "UPDATE campaign_metrics SET metric_date = metric_date + 3650");
            await steward.PostAsync("/quality/runs", null);
        }

        Assert.Equal("Healthy", await (await apps.Api("marketing").GetAsync("/health")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_api_runs_as_its_least_privilege_role_and_consumers_log_in_read_only()
    {
        // The API's own data source (Aspire's Npgsql integration registers it), not one built for the test.
        var dataPlane = apps.Sales.Services.GetRequiredService<NpgsqlDataSource>();
        await using (var connection = await dataPlane.OpenConnectionAsync())
        {
            Assert.Equal("sales_api", await Scalar(connection, "SELECT current_user"));
            await Scalar(connection, "RESET ROLE"); // what a pool reset does: the role is a start-up setting and stays
            Assert.Equal("sales_api", await Scalar(connection, "SELECT current_user"));
            foreach (var forbidden in new[] { "DELETE FROM customers", "UPDATE products SET price = 1", "DROP TABLE orders",
                         "TRUNCATE datameesh.quality_results", "INSERT INTO customers (customer_name, email, country, industry, company_size) VALUES ('x','x@y.z','x','x','Small')" })
            {
                var error = await Assert.ThrowsAsync<PostgresException>(() => Scalar(connection, forbidden));
                Assert.True(error.SqlState is PostgresErrorCodes.InsufficientPrivilege or "42501", $"{forbidden}: {error.SqlState}");
            }
        }

        var reader = new NpgsqlConnectionStringBuilder(apps.Databases.Sales) { Username = "sales_reader", Password = DataProductApps.ReaderPassword };
        await using var consumer = new NpgsqlConnection(reader.ConnectionString);
        await consumer.OpenAsync();
        Assert.True((long)(await Scalar(consumer, "SELECT count(*) FROM customer_lifetime_value"))! > 0);
        Assert.True((long)(await Scalar(consumer, "SELECT count(*) FROM datameesh.quality_scores"))! > 0);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => Scalar(consumer, "INSERT INTO products (product_name, category, price, cost) VALUES ('x', 'Software', 1, 0)"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        await Assert.ThrowsAsync<PostgresException>(() => Scalar(consumer, "SELECT count(*) FROM datameesh.idempotency_keys"));
    }

    private static string Describe(NJsonSchema.Validation.ValidationError error) => error is NJsonSchema.Validation.ChildSchemaValidationError child
        ? $"{error.Path}: {error.Kind} [{string.Join("; ", child.Errors.SelectMany(e => e.Value).Select(Describe))}]"
        : $"{error.Path}: {error.Kind}";

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
