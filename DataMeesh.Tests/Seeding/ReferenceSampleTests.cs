using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.Seeding;

/// <summary>Scale 1 is the reference sample, exactly.</summary>
public sealed class ReferenceSampleTests(ReferenceSampleTests.SeededOnce seeded) : IClassFixture<ReferenceSampleTests.SeededOnce>
{
    public sealed class SeededOnce : IAsyncLifetime
    {
        public MigratedDatabases Databases { get; } = new();

        public async Task InitializeAsync()
        {
            await Databases.InitializeAsync();
            await SeedRunner.SeedOrThrowAsync(Databases, SeedRunner.Options(scale: 1));
        }

        public Task DisposeAsync() => Databases.DisposeAsync();
    }

    private MigratedDatabases Db => seeded.Databases;

    [Theory]
    [InlineData("sales", "customers", 15), InlineData("sales", "products", 10), InlineData("sales", "orders", 20), InlineData("sales", "order_items", 34)]
    [InlineData("marketing", "campaigns", 8), InlineData("marketing", "leads", 15), InlineData("marketing", "campaign_metrics", 724), InlineData("marketing", "website_traffic", 840)]
    public async Task Row_counts_are_the_reference_counts(string domain, string table, long expected) =>
        Assert.Equal(expected, await Db.ScalarAsync<long>(domain, $"SELECT count(*) FROM {table}"));

    [Fact]
    public async Task Revenue_totals_about_1_2_million_and_every_order_total_is_the_sum_of_its_lines()
    {
        Assert.Equal(1_220_200.00m, await Db.ScalarAsync<decimal>("sales", "SELECT sum(total_amount) FROM orders"));
        Assert.Equal(0L, await Db.ScalarAsync<long>("sales", """
            SELECT count(*) FROM orders o
            WHERE o.total_amount <> (SELECT sum(line_total) FROM order_items i WHERE i.order_id = o.order_id)
            """));
        Assert.Equal(1_220_200.00m, await Db.ScalarAsync<decimal>("sales", "SELECT sum(total_revenue) FROM sales_summary"));
    }

    [Fact]
    public async Task Customers_span_the_reference_countries_industries_and_sizes()
    {
        Assert.Equal("Australia,Canada,France,Germany,UK,USA", await Db.ScalarAsync<string>("sales", "SELECT string_agg(DISTINCT country, ',' ORDER BY country) FROM customers"));
        Assert.Equal("Finance,Healthcare,Retail,Technology", await Db.ScalarAsync<string>("sales", "SELECT string_agg(DISTINCT industry, ',' ORDER BY industry) FROM customers"));
        Assert.Equal("Enterprise,Mid-Market,Small", await Db.ScalarAsync<string>("sales", "SELECT string_agg(DISTINCT company_size, ',' ORDER BY company_size) FROM customers"));
    }

    [Fact]
    public async Task Products_are_software_and_infrastructure_priced_8K_to_50K_with_cost_below_price()
    {
        Assert.Equal("Infrastructure,Software", await Db.ScalarAsync<string>("sales", "SELECT string_agg(DISTINCT category, ',' ORDER BY category) FROM products"));
        Assert.Equal(0L, await Db.ScalarAsync<long>("sales", "SELECT count(*) FROM products WHERE price < 8000 OR price > 50000 OR cost >= price"));
    }

    [Fact]
    public async Task Orders_fall_in_the_last_six_months_with_the_reference_statuses_and_regions()
    {
        Assert.Equal("Completed:12,Pending:3,Processing:5", await Db.ScalarAsync<string>("sales",
            "SELECT string_agg(order_status || ':' || n, ',' ORDER BY order_status) FROM (SELECT order_status, count(*) n FROM orders GROUP BY 1) s"));
        Assert.Equal("Asia Pacific,Europe,North America", await Db.ScalarAsync<string>("sales", "SELECT string_agg(DISTINCT region, ',' ORDER BY region) FROM orders"));
        Assert.Equal(0L, await Db.ScalarAsync<long>("sales",
            "SELECT count(*) FROM orders WHERE order_date < TIMESTAMPTZ '2026-11-23 00:00Z' - interval '6 months' OR order_date >= TIMESTAMPTZ '2026-11-23 00:00Z'"));
    }

    [Fact]
    public async Task Campaigns_budget_505K_and_never_overspend()
    {
        Assert.Equal(505_000m, await Db.ScalarAsync<decimal>("marketing", "SELECT sum(budget) FROM campaigns"));
        Assert.Equal("Active,Completed", await Db.ScalarAsync<string>("marketing", "SELECT string_agg(DISTINCT status, ',' ORDER BY status) FROM campaigns"));
        Assert.Equal("Lead Gen,PPC,Product Launch,Webinar", await Db.ScalarAsync<string>("marketing", "SELECT string_agg(DISTINCT campaign_type, ',' ORDER BY campaign_type) FROM campaigns"));
        Assert.Equal("Email,Facebook,Google Ads,LinkedIn", await Db.ScalarAsync<string>("marketing", "SELECT string_agg(DISTINCT channel, ',' ORDER BY channel) FROM campaigns"));
        Assert.Equal(0L, await Db.ScalarAsync<long>("marketing", "SELECT count(*) FROM campaigns WHERE spent > budget"));
    }

    [Fact]
    public async Task Leads_have_unique_emails_the_reference_sources_statuses_and_titles()
    {
        Assert.Equal(15L, await Db.ScalarAsync<long>("marketing", "SELECT count(DISTINCT email) FROM leads"));
        Assert.Equal("Direct,Email,Facebook,Google Ads,LinkedIn", await Db.ScalarAsync<string>("marketing", "SELECT string_agg(DISTINCT lead_source, ',' ORDER BY lead_source) FROM leads"));
        Assert.Equal("Converted,New,Nurturing,Qualified", await Db.ScalarAsync<string>("marketing", "SELECT string_agg(DISTINCT status, ',' ORDER BY status) FROM leads"));
        Assert.True(await Db.ScalarAsync<bool>("marketing", "SELECT bool_or(job_title = 'CTO') AND bool_or(job_title = 'CIO') AND bool_or(job_title LIKE 'VP%') FROM leads"));
        // A lead from a campaign carries that campaign's channel as its source.
        Assert.Equal(0L, await Db.ScalarAsync<long>("marketing", "SELECT count(*) FROM leads l JOIN campaigns c USING (campaign_id) WHERE l.lead_source <> c.channel"));
    }

    [Fact]
    public async Task Metrics_are_daily_over_each_campaigns_period_up_to_the_day_before_as_of()
    {
        Assert.Equal(0L, await Db.ScalarAsync<long>("marketing", """
            SELECT count(*) FROM campaigns c
            JOIN (SELECT campaign_id, count(*) n, min(metric_date) first, max(metric_date) last FROM campaign_metrics GROUP BY 1) m USING (campaign_id)
            WHERE m.first <> c.start_date OR m.last <> least(c.end_date, DATE '2026-11-22')
               OR m.n <> least(c.end_date, DATE '2026-11-22') - c.start_date + 1
            """));
    }

    [Fact]
    public async Task Traffic_covers_every_day_of_the_campaigns_period_for_every_tracked_page()
    {
        Assert.Equal(0L, await Db.ScalarAsync<long>("marketing", """
            SELECT count(*) FROM generate_series((SELECT min(start_date) FROM campaigns), DATE '2026-11-22', interval '1 day') d
            WHERE (SELECT count(*) FROM website_traffic w WHERE w.visit_date = d::date) <> 4
            """));
    }

    [Fact]
    public async Task Converted_leads_became_customers_who_ordered_and_other_leads_match_no_customer()
    {
        var story = await CrossDomainStory.ReadAsync(Db);

        Assert.Equal(6, story.Converted.Count);
        Assert.All(story.Converted, lead =>
        {
            var customer = Assert.Single(story.CustomersByEmail[lead.Email]);
            Assert.True(lead.CreatedAt < customer.CreatedAt, $"{lead.Email} was created after its customer");
            Assert.True(customer.Orders > 0, $"{lead.Email} placed no order");
        });
        Assert.All(story.NotConverted, lead => Assert.False(story.CustomersByEmail.Contains(lead.Email), $"{lead.Email} matches a customer"));
    }

    [Fact]
    public async Task Identity_sequences_continue_after_the_loaded_ids()
    {
        await using var connection = new Npgsql.NpgsqlConnection(Db.Sales);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var insert = new Npgsql.NpgsqlCommand(
            "INSERT INTO products (product_name, category, price, cost) VALUES ('Sequence probe', 'Software', 10, 1) RETURNING product_id", connection, transaction);
        Assert.Equal(11L, (long)(await insert.ExecuteScalarAsync())!);
        await transaction.RollbackAsync();
    }
}
