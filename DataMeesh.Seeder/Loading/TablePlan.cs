using DataMeesh.Seeder.Generation;
using Npgsql;
using NpgsqlTypes;

namespace DataMeesh.Seeder.Loading;

/// <summary>How one table is filled: its COPY column list and a writer that streams every block's rows into the importer.</summary>
internal sealed record TablePlan(string Table, string IdColumn, string[] Columns, long ExpectedRows, Func<NpgsqlBinaryImporter, Action<long>, CancellationToken, long> Write)
{
    public string CopyCommand => $"COPY {Table} ({string.Join(", ", Columns)}) FROM STDIN (FORMAT BINARY)";
}

/// <summary>One domain's database and the tables the seeder fills, in foreign-key order.</summary>
internal sealed record DomainPlan(string Domain, string ApiProject, IReadOnlyList<TablePlan> Tables)
{
    public long ExpectedRows => Tables.Sum(t => t.ExpectedRows);

    public static DomainPlan Sales(SampleGenerator generator, long scale) => new(ResourceNames.SalesDatabase, "DataMeesh.SalesApi",
    [
        new("customers", "customer_id",
            ["customer_id", "customer_name", "email", "phone", "country", "industry", "company_size", "created_at", "updated_at"],
            scale * SampleGenerator.CustomersPerBlock,
            (importer, progress, cancellationToken) => ForEachBlock(scale, progress, block =>
            {
                long rows = 0;
                foreach (var c in generator.Customers(block))
                {
                    importer.StartRow();
                    importer.Write(c.CustomerId, NpgsqlDbType.Bigint);
                    importer.Write(c.CustomerName, NpgsqlDbType.Text);
                    importer.Write(c.Email, NpgsqlDbType.Text);
                    importer.Write(c.Phone, NpgsqlDbType.Text);
                    importer.Write(c.Country, NpgsqlDbType.Text);
                    importer.Write(c.Industry, NpgsqlDbType.Text);
                    importer.Write(c.CompanySize, NpgsqlDbType.Text);
                    importer.Write(c.CreatedAt, NpgsqlDbType.TimestampTz);
                    importer.Write(c.UpdatedAt, NpgsqlDbType.TimestampTz);
                    rows++;
                }

                return rows;
            }, cancellationToken)),
        new("products", "product_id", ["product_id", "product_name", "category", "price", "cost", "description"],
            SampleGenerator.Products.Count,
            (importer, progress, _) =>
            {
                foreach (var p in SampleGenerator.Products)
                {
                    importer.StartRow();
                    importer.Write(p.ProductId, NpgsqlDbType.Bigint);
                    importer.Write(p.ProductName, NpgsqlDbType.Text);
                    importer.Write(p.Category, NpgsqlDbType.Text);
                    importer.Write(p.Price, NpgsqlDbType.Numeric);
                    importer.Write(p.Cost, NpgsqlDbType.Numeric);
                    importer.Write(p.Description, NpgsqlDbType.Text);
                }

                progress(SampleGenerator.Products.Count);
                return SampleGenerator.Products.Count;
            }),
        new("orders", "order_id",
            ["order_id", "customer_id", "order_date", "order_status", "total_amount", "payment_method", "sales_rep", "region"],
            scale * SampleGenerator.OrdersPerBlock,
            (importer, progress, cancellationToken) => ForEachBlock(scale, progress, block =>
            {
                long rows = 0;
                foreach (var (o, _) in generator.Orders(block))
                {
                    importer.StartRow();
                    importer.Write(o.OrderId, NpgsqlDbType.Bigint);
                    importer.Write(o.CustomerId, NpgsqlDbType.Bigint);
                    importer.Write(o.OrderDate, NpgsqlDbType.TimestampTz);
                    importer.Write(o.OrderStatus, NpgsqlDbType.Text);
                    importer.Write(o.TotalAmount, NpgsqlDbType.Numeric);
                    importer.Write(o.PaymentMethod, NpgsqlDbType.Text);
                    importer.Write(o.SalesRep, NpgsqlDbType.Text);
                    importer.Write(o.Region, NpgsqlDbType.Text);
                    rows++;
                }

                return rows;
            }, cancellationToken)),
        new("order_items", "item_id",
            ["item_id", "order_id", "product_id", "quantity", "unit_price", "discount_percent", "line_total"],
            scale * SampleGenerator.ItemsPerBlock,
            (importer, progress, cancellationToken) => ForEachBlock(scale, progress, block =>
            {
                long rows = 0;
                foreach (var (_, items) in generator.Orders(block))
                {
                    foreach (var i in items)
                    {
                        importer.StartRow();
                        importer.Write(i.ItemId, NpgsqlDbType.Bigint);
                        importer.Write(i.OrderId, NpgsqlDbType.Bigint);
                        importer.Write(i.ProductId, NpgsqlDbType.Bigint);
                        importer.Write(i.Quantity, NpgsqlDbType.Integer);
                        importer.Write(i.UnitPrice, NpgsqlDbType.Numeric);
                        importer.Write(i.DiscountPercent, NpgsqlDbType.Numeric);
                        importer.Write(i.LineTotal, NpgsqlDbType.Numeric);
                        rows++;
                    }
                }

                return rows;
            }, cancellationToken)),
    ]);

    public static DomainPlan Marketing(SampleGenerator generator, long scale)
    {
        var metricsPerBlock = generator.Metrics(0).LongCount();
        var trafficPerBlock = generator.Traffic(0).LongCount();
        return new(ResourceNames.MarketingDatabase, "DataMeesh.MarketingApi",
        [
            new("campaigns", "campaign_id",
                ["campaign_id", "campaign_name", "campaign_type", "channel", "start_date", "end_date", "budget", "spent", "status", "target_audience"],
                scale * SampleGenerator.CampaignsPerBlock,
                (importer, progress, cancellationToken) => ForEachBlock(scale, progress, block =>
                {
                    long rows = 0;
                    foreach (var c in generator.Campaigns(block))
                    {
                        importer.StartRow();
                        importer.Write(c.CampaignId, NpgsqlDbType.Bigint);
                        importer.Write(c.CampaignName, NpgsqlDbType.Text);
                        importer.Write(c.CampaignType, NpgsqlDbType.Text);
                        importer.Write(c.Channel, NpgsqlDbType.Text);
                        importer.Write(c.StartDate, NpgsqlDbType.Date);
                        importer.Write(c.EndDate, NpgsqlDbType.Date);
                        importer.Write(c.Budget, NpgsqlDbType.Numeric);
                        importer.Write(c.Spent, NpgsqlDbType.Numeric);
                        importer.Write(c.Status, NpgsqlDbType.Text);
                        importer.Write(c.TargetAudience, NpgsqlDbType.Text);
                        rows++;
                    }

                    return rows;
                }, cancellationToken)),
            new("leads", "lead_id",
                ["lead_id", "first_name", "last_name", "email", "company", "job_title", "country", "lead_source", "lead_score", "status",
                 "campaign_id", "created_at", "converted_at"],
                scale * SampleGenerator.LeadsPerBlock,
                (importer, progress, cancellationToken) => ForEachBlock(scale, progress, block =>
                {
                    long rows = 0;
                    foreach (var l in generator.Leads(block))
                    {
                        importer.StartRow();
                        importer.Write(l.LeadId, NpgsqlDbType.Bigint);
                        importer.Write(l.FirstName, NpgsqlDbType.Text);
                        importer.Write(l.LastName, NpgsqlDbType.Text);
                        importer.Write(l.Email, NpgsqlDbType.Text);
                        importer.Write(l.Company, NpgsqlDbType.Text);
                        importer.Write(l.JobTitle, NpgsqlDbType.Text);
                        importer.Write(l.Country, NpgsqlDbType.Text);
                        importer.Write(l.LeadSource, NpgsqlDbType.Text);
                        importer.Write(l.LeadScore, NpgsqlDbType.Integer);
                        importer.Write(l.Status, NpgsqlDbType.Text);
                        WriteNullable(importer, l.CampaignId, NpgsqlDbType.Bigint);
                        importer.Write(l.CreatedAt, NpgsqlDbType.TimestampTz);
                        WriteNullable(importer, l.ConvertedAt, NpgsqlDbType.TimestampTz);
                        rows++;
                    }

                    return rows;
                }, cancellationToken)),
            new("campaign_metrics", "metric_id",
                ["metric_id", "campaign_id", "metric_date", "impressions", "clicks", "conversions", "cost_per_click", "conversion_rate"],
                scale * metricsPerBlock,
                (importer, progress, cancellationToken) =>
                {
                    // Metric and traffic counts vary per block (campaign periods end at --as-of), so IDs are a running number.
                    long metricId = 0;
                    return ForEachBlock(scale, progress, block =>
                    {
                        var first = metricId;
                        foreach (var m in generator.Metrics(block))
                        {
                            importer.StartRow();
                            importer.Write(++metricId, NpgsqlDbType.Bigint);
                            importer.Write(m.CampaignId, NpgsqlDbType.Bigint);
                            importer.Write(m.MetricDate, NpgsqlDbType.Date);
                            importer.Write(m.Impressions, NpgsqlDbType.Bigint);
                            importer.Write(m.Clicks, NpgsqlDbType.Bigint);
                            importer.Write(m.Conversions, NpgsqlDbType.Bigint);
                            importer.Write(m.CostPerClick, NpgsqlDbType.Numeric);
                            importer.Write(m.ConversionRate, NpgsqlDbType.Numeric);
                        }

                        return metricId - first;
                    }, cancellationToken);
                }),
            new("website_traffic", "traffic_id",
                ["traffic_id", "visit_date", "page_url", "source", "visitors", "page_views", "bounce_rate", "avg_time_on_page"],
                scale * trafficPerBlock,
                (importer, progress, cancellationToken) =>
                {
                    long trafficId = 0;
                    return ForEachBlock(scale, progress, block =>
                    {
                        var first = trafficId;
                        foreach (var t in generator.Traffic(block))
                        {
                            importer.StartRow();
                            importer.Write(++trafficId, NpgsqlDbType.Bigint);
                            importer.Write(t.VisitDate, NpgsqlDbType.Date);
                            importer.Write(t.PageUrl, NpgsqlDbType.Text);
                            importer.Write(t.Source, NpgsqlDbType.Text);
                            importer.Write(t.Visitors, NpgsqlDbType.Integer);
                            importer.Write(t.PageViews, NpgsqlDbType.Integer);
                            importer.Write(t.BounceRate, NpgsqlDbType.Numeric);
                            importer.Write(t.AvgTimeOnPage, NpgsqlDbType.Numeric);
                        }

                        return trafficId - first;
                    }, cancellationToken);
                }),
        ]);
    }

    private static void WriteNullable<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type) where T : struct
    {
        if (value is { } v)
        {
            importer.Write(v, type);
        }
        else
        {
            importer.WriteNull();
        }
    }

    /// <summary>Runs <paramref name="writeBlock"/> for every block, reporting progress in batches and honouring cancellation.</summary>
    private static long ForEachBlock(long scale, Action<long> progress, Func<long, long> writeBlock, CancellationToken cancellationToken)
    {
        const int ReportEvery = 64;
        long total = 0, unreported = 0;
        for (long block = 0; block < scale; block++)
        {
            var rows = writeBlock(block);
            total += rows;
            unreported += rows;
            if (block % ReportEvery == ReportEvery - 1)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress(unreported);
                unreported = 0;
            }
        }

        progress(unreported);
        return total;
    }
}
