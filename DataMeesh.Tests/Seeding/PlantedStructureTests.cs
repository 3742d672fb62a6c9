using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.Seeding;

/// <summary>
/// What a larger scale holds for a data scientist (README, "What a larger scale holds"), asserted statistically on one
/// load at scale 200, seed 42, as of 2026-11-23: 3,000 leads, 4,000 orders, about 170,000 traffic rows.
/// </summary>
public sealed class PlantedStructureTests(PlantedStructureTests.Scale200 seeded) : IClassFixture<PlantedStructureTests.Scale200>
{
    public sealed class Scale200 : IAsyncLifetime
    {
        public const long Scale = 200;

        public MigratedDatabases Databases { get; } = new();

        public async Task InitializeAsync()
        {
            await Databases.InitializeAsync();
            await SeedRunner.SeedOrThrowAsync(Databases, SeedRunner.Options(scale: Scale));
        }

        public Task DisposeAsync() => Databases.DisposeAsync();
    }

    private MigratedDatabases Db => seeded.Databases;

    [Fact]
    public async Task Lead_score_predicts_conversion_usefully_but_far_from_perfectly()
    {
        var leads = (await Db.RowsAsync("marketing", "SELECT lead_score, status = 'Converted' FROM leads"))
            .Select(r => (Score: (int)r[0]!, Converted: (bool)r[1]!)).ToList();

        var auc = AreaUnderCurve(leads);

        Assert.InRange(auc, 0.72, 0.90);
        Assert.InRange(leads.Count(l => l.Converted) / (double)leads.Count, 0.39, 0.41); // six in fifteen, every block
    }

    [Fact]
    public async Task Conversion_depends_on_the_source()
    {
        var rates = (await Db.RowsAsync("marketing",
                "SELECT lead_source, avg((status = 'Converted')::int)::float8, count(*) FROM leads GROUP BY 1"))
            .ToDictionary(r => (string)r[0]!, r => (Rate: (double)r[1]!, Leads: (long)r[2]!));

        Assert.All(rates.Values, r => Assert.True(r.Leads >= 150, $"only {r.Leads} leads from a source"));
        Assert.True(rates["LinkedIn"].Rate - rates["Facebook"].Rate >= 0.2, $"LinkedIn {rates["LinkedIn"].Rate:0.00}, Facebook {rates["Facebook"].Rate:0.00}");
        Assert.True(rates["Google Ads"].Rate > rates["Facebook"].Rate);
        // A lead from a campaign carries its channel, and never predates the campaign.
        Assert.Equal(0L, await Db.ScalarAsync<long>("marketing", """
            SELECT count(*) FROM leads l JOIN campaigns c USING (campaign_id)
            WHERE l.lead_source <> c.channel OR l.created_at::date < c.start_date OR l.created_at::date > c.end_date
            """));
    }

    [Fact]
    public async Task Channels_differ_in_cost_per_lead_and_per_converted_lead()
    {
        var channels = (await Db.RowsAsync("marketing", """
            WITH per_campaign AS (
                SELECT c.channel, c.spent, count(l.lead_id) AS leads, count(l.lead_id) FILTER (WHERE l.status = 'Converted') AS converted
                FROM campaigns c LEFT JOIN leads l USING (campaign_id) GROUP BY c.campaign_id)
            SELECT channel, (sum(spent) / sum(leads))::float8, (sum(spent) / sum(converted))::float8 FROM per_campaign GROUP BY 1
            """)).ToDictionary(r => (string)r[0]!, r => (PerLead: (double)r[1]!, PerConversion: (double)r[2]!));

        // LinkedIn: dear leads that convert; Facebook: cheap leads that rarely do.
        Assert.True(channels["LinkedIn"].PerLead > 2 * channels["Email"].PerLead);
        Assert.True(channels["Facebook"].PerConversion > 3 * channels["Google Ads"].PerConversion);
        Assert.True(channels["Facebook"].PerLead < channels["LinkedIn"].PerLead);
    }

    [Fact]
    public async Task About_a_tenth_of_orders_are_cancelled_and_left_out_of_revenue()
    {
        var share = await Db.ScalarAsync<double>("sales", "SELECT avg((order_status = 'Cancelled')::int)::float8 FROM orders");
        Assert.InRange(share, 0.08, 0.12);
        Assert.Equal(
            await Db.ScalarAsync<decimal>("sales", "SELECT sum(total_amount) FROM orders WHERE order_status <> 'Cancelled'"),
            await Db.ScalarAsync<decimal>("sales", "SELECT sum(total_revenue) FROM sales_summary"));
    }

    [Fact]
    public async Task Orders_come_on_working_days_and_crowd_into_quarter_ends()
    {
        Assert.True(await Db.ScalarAsync<double>("sales",
            "SELECT avg((extract(isodow FROM order_date AT TIME ZONE 'UTC') >= 6)::int)::float8 FROM orders") < 0.02);

        // sales_summary by month: June and September (quarter ends) against July and August.
        var byMonth = (await Db.RowsAsync("sales", "SELECT extract(month FROM month)::int, order_count FROM sales_summary WHERE month >= DATE '2026-06-01' AND month < DATE '2026-10-01'"))
            .ToDictionary(r => (int)r[0]!, r => (long)r[1]!);
        var midQuarter = (byMonth[7] + byMonth[8]) / 2.0;
        Assert.True(byMonth[6] > 1.5 * midQuarter && byMonth[9] > 1.5 * midQuarter,
            $"June {byMonth[6]}, July {byMonth[7]}, August {byMonth[8]}, September {byMonth[9]}");
    }

    [Fact]
    public async Task Churning_accounts_order_ever_less_often_and_then_stop()
    {
        // Customers of the generated blocks with three orders or more: per block three repeat accounts and one converted lead.
        var customers = (await Db.RowsAsync("sales", """
            WITH o AS (
                SELECT customer_id, order_date::date AS day,
                       order_date::date - lag(order_date::date) OVER (PARTITION BY customer_id ORDER BY order_date) AS gap,
                       count(*) OVER (PARTITION BY customer_id) AS orders
                FROM orders WHERE customer_id > 15)
            SELECT DATE '2026-11-23' - max(day), (array_agg(gap ORDER BY day) FILTER (WHERE gap IS NOT NULL))
            FROM o WHERE orders >= 3 GROUP BY customer_id
            """)).Select(r => (Silent: (int)r[0]!, Gaps: (int[])r[1]!)).ToList();

        var churned = customers.Where(c => c.Silent > 60).ToList();
        var retained = customers.Where(c => c.Silent <= 60).ToList();
        Assert.InRange(churned.Count / (double)customers.Count, 0.2, 0.3); // one in four
        Assert.All(churned, c => Assert.True(c.Gaps[^1] > c.Gaps[0], $"gaps {string.Join(", ", c.Gaps)}"));
        Assert.True(churned.Average(c => c.Gaps[^1] / (double)c.Gaps[0]) > 1.8);
        var retainedRatios = retained.Select(c => c.Gaps[^1] / (double)Math.Max(1, c.Gaps[0])).Order().ToList();
        Assert.InRange(retainedRatios[retainedRatios.Count / 2], 0.6, 1.6);
    }

    [Fact]
    public async Task Deeper_discounts_sell_more_units()
    {
        var units = (await Db.RowsAsync("sales", "SELECT discount_percent, avg(quantity)::float8 FROM order_items GROUP BY 1"))
            .ToDictionary(r => (decimal)r[0]!, r => (double)r[1]!);

        Assert.True(units[15m] > 1.6 * units[0m], $"{units[15m]:0.00} units at 15 %, {units[0m]:0.00} at none");
        Assert.True(units[0m] < units[5m] && units[5m] < units[10m] && units[10m] < units[15m]);
    }

    [Fact]
    public async Task Traffic_grows_and_each_generated_block_has_one_anomaly_to_detect()
    {
        var growth = await Db.ScalarAsync<double>("marketing", """
            SELECT (avg(visitors) FILTER (WHERE visit_date >= DATE '2026-11-23' - 28)
                  / avg(visitors) FILTER (WHERE visit_date < (SELECT min(visit_date) FROM website_traffic) + 42
                                            AND visit_date >= (SELECT min(visit_date) FROM website_traffic) + 14))::float8
            FROM website_traffic
            """);
        Assert.True(growth > 1.4, $"traffic grew {growth:0.00}×");

        // The anomalies: nearly every visitor bounces, and the page has several times its usual visitors that day.
        var anomalies = await Db.RowsAsync("marketing", """
            SELECT w.visitors, m.median FROM website_traffic w
            JOIN (SELECT page_url, percentile_cont(0.5) WITHIN GROUP (ORDER BY visitors) AS median FROM website_traffic GROUP BY 1) m USING (page_url)
            WHERE w.bounce_rate >= 88
            """);
        Assert.Equal(Scale200.Scale - 1, anomalies.Count);
        Assert.All(anomalies, a => Assert.True((int)a[0]! > 3 * (double)a[1]!, $"{a[0]} visitors against a median of {a[1]}"));
    }

    /// <summary>The probability that a converted lead scores above one that did not convert (ties count half).</summary>
    private static double AreaUnderCurve(IReadOnlyList<(int Score, bool Converted)> leads)
    {
        var converted = leads.Where(l => l.Converted).Select(l => l.Score).ToArray();
        var others = leads.Where(l => !l.Converted).Select(l => l.Score).ToArray();
        double wins = 0;
        foreach (var c in converted)
        {
            foreach (var o in others)
            {
                wins += c > o ? 1 : c == o ? 0.5 : 0;
            }
        }

        return wins / ((double)converted.Length * others.Length);
    }
}
