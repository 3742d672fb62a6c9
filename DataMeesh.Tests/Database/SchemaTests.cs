using DataMeesh.Tests.Infrastructure;
using Npgsql;

namespace DataMeesh.Tests.Database;

/// <summary>The published schema: names and types notebooks, dashboards and dbt models rely on, and the rules that keep data sane.</summary>
public sealed class SchemaTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    /// <summary>Money columns; views' sums and averages carry a declared precision too (migration 0004), so Trino sees them.</summary>
    private const string Price = "numeric(12,2)", Amount = "numeric(14,2)", Sum = "numeric(18,2)", Percent = "numeric(5,2)";

    public static TheoryData<string, string, string> PublishedColumns => new()
    {
        { "sales", "customers", "customer_id:bigint, customer_name:text, email:text, phone:text, country:text, industry:text, company_size:text, created_at:timestamp with time zone, updated_at:timestamp with time zone, email_hash:text" },
        { "sales", "products", $"product_id:bigint, product_name:text, category:text, price:{Price}, cost:{Price}, description:text" },
        { "sales", "orders", $"order_id:bigint, customer_id:bigint, order_date:timestamp with time zone, order_status:text, total_amount:{Amount}, payment_method:text, sales_rep:text, region:text" },
        { "sales", "order_items", $"item_id:bigint, order_id:bigint, product_id:bigint, quantity:integer, unit_price:{Price}, discount_percent:{Percent}, line_total:{Amount}" },
        { "sales", "sales_summary", $"month:date, order_count:bigint, total_revenue:{Sum}, avg_order_value:{Amount}, unique_customers:bigint" },
        { "sales", "customer_lifetime_value", $"customer_id:bigint, customer_name:text, country:text, industry:text, total_orders:bigint, lifetime_value:{Sum}, avg_order_value:{Amount}, last_order_date:timestamp with time zone" },
        { "sales", "product_performance", $"product_id:bigint, product_name:text, category:text, times_sold:bigint, total_quantity:bigint, total_revenue:{Sum}, avg_discount:{Percent}" },
        { "marketing", "campaigns", $"campaign_id:bigint, campaign_name:text, campaign_type:text, channel:text, start_date:date, end_date:date, budget:{Price}, spent:{Price}, status:text, target_audience:text" },
        { "marketing", "leads", "lead_id:bigint, first_name:text, last_name:text, email:text, company:text, job_title:text, country:text, lead_source:text, source:text, lead_score:integer, status:text, campaign_id:bigint, created_at:timestamp with time zone, converted_at:timestamp with time zone, email_hash:text" },
        { "marketing", "campaign_metrics", $"metric_id:bigint, campaign_id:bigint, metric_date:date, impressions:bigint, clicks:bigint, conversions:bigint, cost_per_click:numeric(10,2), conversion_rate:{Percent}" },
        { "marketing", "website_traffic", $"traffic_id:bigint, visit_date:date, page_url:text, source:text, visitors:integer, page_views:integer, bounce_rate:{Percent}, avg_time_on_page:numeric(8,2)" },
        { "marketing", "campaign_performance", $"campaign_id:bigint, campaign_name:text, channel:text, budget:{Price}, spent:{Price}, remaining_budget:{Price}, budget_utilization_pct:{Percent}, total_leads:bigint, converted_leads:bigint, conversion_rate:{Percent}" },
        { "marketing", "lead_funnel", $"status:text, lead_count:bigint, avg_lead_score:{Percent}, campaigns_contributing:bigint" },
    };

    [Theory]
    [MemberData(nameof(PublishedColumns))]
    public async Task Tables_and_views_have_the_published_columns_and_types(string domain, string relation, string expected)
    {
        var rows = await databases.RowsAsync(domain, $"""
            SELECT column_name, data_type, numeric_precision, numeric_scale
            FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = '{relation}'
            ORDER BY ordinal_position
            """);

        var actual = string.Join(", ", rows.Select(r => $"{r[0]}:{r[1]}{(r[1] is "numeric" && r[2] is int precision ? $"({precision},{r[3]})" : "")}"));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("sales", "customers"), InlineData("sales", "products"), InlineData("sales", "orders"), InlineData("sales", "order_items")]
    [InlineData("marketing", "campaigns"), InlineData("marketing", "leads"), InlineData("marketing", "campaign_metrics"), InlineData("marketing", "website_traffic")]
    public async Task Every_table_has_a_primary_key_and_a_description(string domain, string table)
    {
        Assert.Equal(1L, await databases.ScalarAsync<long>(domain,
            $"SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.{table}'::regclass AND contype = 'p'"));
        Assert.False(string.IsNullOrWhiteSpace(await databases.ScalarAsync<string>(domain, $"SELECT obj_description('public.{table}'::regclass)")));
    }

    [Theory]
    [InlineData("sales", "orders", "customer_id"), InlineData("sales", "orders", "order_date"), InlineData("sales", "order_items", "order_id")]
    [InlineData("sales", "order_items", "product_id"), InlineData("sales", "customers", "email"), InlineData("marketing", "leads", "email")]
    [InlineData("marketing", "leads", "campaign_id"), InlineData("marketing", "campaign_metrics", "campaign_id"), InlineData("marketing", "campaign_metrics", "metric_date")]
    public async Task Join_and_filter_columns_lead_an_index(string domain, string table, string column)
    {
        var indexes = await databases.ScalarAsync<long>(domain, $"""
            SELECT count(*) FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = 'public.{table}'::regclass AND a.attname = '{column}'
            """);
        Assert.True(indexes > 0, $"{table}.{column} has no index it leads");
    }

    public static TheoryData<string, string, string, string> RejectedRows => new()
    {
        { "sales", "customer name blank", "INSERT INTO customers (customer_name, email, country, industry, company_size) VALUES (' ', 'a@b.co', 'USA', 'Retail', 'Small')", "23514" },
        { "sales", "email upper case", "INSERT INTO customers (customer_name, email, country, industry, company_size) VALUES ('A', 'A@B.co', 'USA', 'Retail', 'Small')", "23514" },
        { "sales", "email malformed", "INSERT INTO customers (customer_name, email, country, industry, company_size) VALUES ('A', 'not-an-email', 'USA', 'Retail', 'Small')", "23514" },
        { "sales", "email duplicate", "INSERT INTO customers (customer_name, email, country, industry, company_size) VALUES ('B', 'taken@example.com', 'UK', 'Retail', 'Small')", "23505" },
        { "sales", "company size unknown", "INSERT INTO customers (customer_name, email, country, industry, company_size) VALUES ('A', 'x@y.co', 'USA', 'Retail', 'Huge')", "23514" },
        { "sales", "updated before created", "INSERT INTO customers (customer_name, email, country, industry, company_size, created_at, updated_at) VALUES ('A', 'z@y.co', 'USA', 'Retail', 'Small', now(), now() - interval '1 day')", "23514" },
        { "sales", "cost above price", "INSERT INTO products (product_name, category, price, cost) VALUES ('P', 'Software', 10, 11)", "23514" },
        { "sales", "price zero", "INSERT INTO products (product_name, category, price, cost) VALUES ('P', 'Software', 0, 0)", "23514" },
        { "sales", "category unknown", "INSERT INTO products (product_name, category, price, cost) VALUES ('P', 'Hardware', 10, 1)", "23514" },
        { "sales", "order of unknown customer", "INSERT INTO orders (customer_id, order_date, order_status, total_amount, payment_method, sales_rep, region) VALUES (999999, now(), 'Pending', 1, 'Invoice', 'R', 'Europe')", "23503" },
        { "sales", "order status unknown", "INSERT INTO orders (customer_id, order_date, order_status, total_amount, payment_method, sales_rep, region) SELECT customer_id, now(), 'Shipped', 1, 'Invoice', 'R', 'Europe' FROM customers LIMIT 1", "23514" },
        { "sales", "negative total", "INSERT INTO orders (customer_id, order_date, order_status, total_amount, payment_method, sales_rep, region) SELECT customer_id, now(), 'Pending', -1, 'Invoice', 'R', 'Europe' FROM customers LIMIT 1", "23514" },
        { "sales", "region unknown", "INSERT INTO orders (customer_id, order_date, order_status, total_amount, payment_method, sales_rep, region) SELECT customer_id, now(), 'Pending', 1, 'Invoice', 'R', 'Mars' FROM customers LIMIT 1", "23514" },
        { "sales", "negative quantity", "INSERT INTO order_items (order_id, product_id, quantity, unit_price, discount_percent, line_total) SELECT o.order_id, p.product_id, -1, 10, 0, -10 FROM orders o, products p LIMIT 1", "23514" },
        { "sales", "discount over 100", "INSERT INTO order_items (order_id, product_id, quantity, unit_price, discount_percent, line_total) SELECT o.order_id, p.product_id, 1, 10, 101, 0 FROM orders o, products p LIMIT 1", "23514" },
        { "sales", "line total disagrees", "INSERT INTO order_items (order_id, product_id, quantity, unit_price, discount_percent, line_total) SELECT o.order_id, p.product_id, 2, 10, 10, 20 FROM orders o, products p LIMIT 1", "23514" },
        { "sales", "item of unknown product", "INSERT INTO order_items (order_id, product_id, quantity, unit_price, discount_percent, line_total) SELECT o.order_id, 999999, 1, 10, 0, 10 FROM orders o LIMIT 1", "23503" },
        { "sales", "missing email", "INSERT INTO customers (customer_name, country, industry, company_size) VALUES ('A', 'USA', 'Retail', 'Small')", "23502" },
        { "marketing", "spent above budget", "INSERT INTO campaigns (campaign_name, campaign_type, channel, start_date, budget, spent, status) VALUES ('C', 'PPC', 'Email', '2026-01-01', 10, 11, 'Active')", "23514" },
        { "marketing", "ends before it starts", "INSERT INTO campaigns (campaign_name, campaign_type, channel, start_date, end_date, budget, status) VALUES ('C', 'PPC', 'Email', '2026-02-01', '2026-01-01', 10, 'Active')", "23514" },
        { "marketing", "channel unknown", "INSERT INTO campaigns (campaign_name, campaign_type, channel, start_date, budget, status) VALUES ('C', 'PPC', 'Carrier Pigeon', '2026-01-01', 10, 'Active')", "23514" },
        { "marketing", "lead score 101", "INSERT INTO leads (first_name, last_name, email, lead_source, lead_score, status) VALUES ('A', 'B', 'ab@c.co', 'Direct', 101, 'New')", "23514" },
        { "marketing", "lead source unknown", "INSERT INTO leads (first_name, last_name, email, lead_source, lead_score, status) VALUES ('A', 'B', 'ab@c.co', 'Twitter', 10, 'New')", "23514" },
        { "marketing", "converted without a date", "INSERT INTO leads (first_name, last_name, email, lead_source, lead_score, status) VALUES ('A', 'B', 'ab@c.co', 'Direct', 10, 'Converted')", "23514" },
        { "marketing", "converted before created", "INSERT INTO leads (first_name, last_name, email, lead_source, lead_score, status, created_at, converted_at) VALUES ('A', 'B', 'ab@c.co', 'Direct', 10, 'Converted', now(), now() - interval '1 day')", "23514" },
        { "marketing", "source written directly", "INSERT INTO leads (first_name, last_name, email, lead_source, source, lead_score, status) VALUES ('A', 'B', 'ab@c.co', 'Direct', 'Email', 10, 'New')", "428C9" },
        { "marketing", "more clicks than impressions", "INSERT INTO campaign_metrics (campaign_id, metric_date, impressions, clicks, conversions, cost_per_click, conversion_rate) SELECT campaign_id, '2026-01-01', 1, 2, 0, 1, 0 FROM campaigns LIMIT 1", "23514" },
        { "marketing", "conversion rate over 100", "INSERT INTO campaign_metrics (campaign_id, metric_date, impressions, clicks, conversions, cost_per_click, conversion_rate) SELECT campaign_id, '2026-01-01', 10, 2, 1, 1, 150 FROM campaigns LIMIT 1", "23514" },
        { "marketing", "metrics of unknown campaign", "INSERT INTO campaign_metrics (campaign_id, metric_date, impressions, clicks, conversions, cost_per_click, conversion_rate) VALUES (999999, '2026-01-01', 10, 2, 1, 1, 50)", "23503" },
        { "marketing", "page views below visitors", "INSERT INTO website_traffic (visit_date, page_url, source, visitors, page_views, bounce_rate, avg_time_on_page) VALUES ('2026-01-01', '/', 'Direct', 10, 5, 50, 30)", "23514" },
        { "marketing", "traffic source unknown", "INSERT INTO website_traffic (visit_date, page_url, source, visitors, page_views, bounce_rate, avg_time_on_page) VALUES ('2026-01-01', '/', 'Myspace', 10, 20, 50, 30)", "23514" },
    };

    [Theory]
    [MemberData(nameof(RejectedRows))]
    public async Task Constraints_reject_bad_rows(string domain, string rule, string insert, string expectedSqlState)
    {
        await SeedMinimalRowsAsync();
        await using var connection = new NpgsqlConnection(databases.ConnectionString(domain));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(insert, connection, transaction);

        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.True(error.SqlState == expectedSqlState, $"{rule}: expected SQLSTATE {expectedSqlState}, got {error.SqlState} ({error.MessageText})");
    }

    [Fact]
    public async Task The_source_column_mirrors_lead_source()
    {
        await SeedMinimalRowsAsync();
        Assert.Equal("LinkedIn", await databases.ScalarAsync<string>("marketing", "SELECT source FROM leads WHERE email = 'kept@example.com'"));
    }

    private async Task SeedMinimalRowsAsync()
    {
        await MigratedDatabases.ExecuteAsync(databases.Sales, """
            INSERT INTO customers (customer_name, email, country, industry, company_size) VALUES ('Taken', 'taken@example.com', 'USA', 'Retail', 'Small') ON CONFLICT DO NOTHING;
            INSERT INTO products (product_name, category, price, cost) VALUES ('Base', 'Software', 100, 40) ON CONFLICT DO NOTHING;
            INSERT INTO orders (customer_id, order_date, order_status, total_amount, payment_method, sales_rep, region)
            SELECT customer_id, now(), 'Pending', 100, 'Invoice', 'Rep', 'Europe' FROM customers WHERE NOT EXISTS (SELECT 1 FROM orders) LIMIT 1;
            """);
        await MigratedDatabases.ExecuteAsync(databases.Marketing, """
            INSERT INTO campaigns (campaign_name, campaign_type, channel, start_date, budget, status) VALUES ('Base', 'PPC', 'LinkedIn', '2026-01-01', 100, 'Active') ON CONFLICT DO NOTHING;
            INSERT INTO leads (first_name, last_name, email, lead_source, lead_score, status) VALUES ('K', 'Ept', 'kept@example.com', 'LinkedIn', 50, 'New') ON CONFLICT DO NOTHING;
            """);
    }
}
