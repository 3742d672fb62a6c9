extern alias SalesApi;
extern alias MarketingApi;

using DataMeesh.DataProducts.Catalog;
using DataMeesh.DataProducts.Contracts;
using DataMeesh.Tests.Infrastructure;
using Npgsql;

namespace DataMeesh.Tests.Platform;

/// <summary>
/// What Trino users, dbt and Grafana's Trino panels can read: every column of the domains' published schema, from the
/// live migrated databases, under the connector's documented type mapping and the catalogs' own settings. A column the
/// connector would skip (a numeric without declared precision, an array, an unmapped type) fails the build here, because
/// Trino, which cannot run on this machine, would silently leave it out.
/// </summary>
public sealed class TrinoTypeMappingTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    public static TheoryData<string> Domains() => new(ResourceNames.SalesDatabase, ResourceNames.MarketingDatabase);

    [Theory]
    [MemberData(nameof(Domains))]
    public async Task Every_column_of_the_published_schema_is_visible_through_the_domains_trino_catalog(string domain)
    {
        var mapping = TrinoTypeMapping.ForCatalog(domain);
        var columns = await PublishedColumnsAsync(domain);
        Assert.NotEmpty(columns);

        var hidden = columns.Select(c => (Column: c, Trino: mapping.Map(c.PostgresType, c.IsEnum)))
            .Where(c => c.Trino.TrinoType is null)
            .Select(c => $"{domain}.public.{c.Column.Relation}.{c.Column.Name} ({c.Column.PostgresType}): {c.Trino.Reason}")
            .ToList();
        Assert.True(hidden.Count == 0, $"Trino's {domain} catalog would not show {hidden.Count} column(s):\n" + string.Join("\n", hidden));

        // Trino connects as the PII-entitled read-only role (and masks personal columns itself): a column it may not SELECT
        // fails every query that names it, and SELECT * on its table.
        var unreadable = columns.Where(c => !c.ReaderMaySelect).Select(c => $"{c.Relation}.{c.Name}").ToList();
        Assert.True(unreadable.Count == 0, $"{domain}_pii_reader may not SELECT {string.Join(", ", unreadable)}");
    }

    /// <summary>The money and ratio columns of the views, as Trino shows them once their precision is declared (migrations 0004).</summary>
    [Theory]
    [InlineData("sales", "sales_summary", "total_revenue", "decimal(18,2)"), InlineData("sales", "sales_summary", "avg_order_value", "decimal(14,2)")]
    [InlineData("sales", "customer_lifetime_value", "lifetime_value", "decimal(18,2)"), InlineData("sales", "customer_lifetime_value", "avg_order_value", "decimal(14,2)")]
    [InlineData("sales", "product_performance", "total_revenue", "decimal(18,2)"), InlineData("sales", "product_performance", "avg_discount", "decimal(5,2)")]
    [InlineData("marketing", "campaign_performance", "remaining_budget", "decimal(12,2)")]
    [InlineData("marketing", "campaign_performance", "budget_utilization_pct", "decimal(5,2)")]
    [InlineData("marketing", "campaign_performance", "conversion_rate", "decimal(5,2)"), InlineData("marketing", "lead_funnel", "avg_lead_score", "decimal(5,2)")]
    public async Task View_money_and_ratios_reach_trino_as_decimals(string domain, string view, string column, string trinoType)
    {
        var live = (await PublishedColumnsAsync(domain)).Single(c => c.Relation == view && c.Name == column);

        Assert.Equal(trinoType, TrinoTypeMapping.ForCatalog(domain).Map(live.PostgresType, live.IsEnum).TrinoType);
    }

    /// <summary>The contracts' physicalType is what the connector maps: a consumer reading a contract learns the Trino type.</summary>
    [Theory]
    [MemberData(nameof(Domains))]
    public async Task The_data_contracts_publish_the_type_trino_reads(string domain)
    {
        var definition = domain == ResourceNames.SalesDatabase ? SalesApi::DataMeesh.SalesApi.SalesProduct.Definition
                                                               : MarketingApi::DataMeesh.MarketingApi.MarketingProduct.Definition;
        var catalog = new ProductCatalog(definition);
        await using (var dataSource = NpgsqlDataSource.Create(databases.ConnectionString(domain)))
        {
            await catalog.LoadAsync(dataSource, CancellationToken.None);
        }

        var mapping = TrinoTypeMapping.ForCatalog(domain);
        var live = (await PublishedColumnsAsync(domain)).ToDictionary(c => (c.Relation, c.Name));
        var servers = new ContractServers("postgres", 5432, domain, "trino", 8080);
        var mismatches = new List<string>();
        foreach (var dataset in catalog.Datasets)
        {
            var schema = (Dictionary<string, object?>)((List<object>)OdcsContract.Build(definition, dataset, servers)["schema"]!).Single();
            foreach (var property in ((List<object>)schema["properties"]!).Cast<Dictionary<string, object?>>())
            {
                var name = (string)property["name"]!;
                var physicalType = (string)property["physicalType"]!;
                var column = live[(dataset.Name, name)];
                var published = mapping.Map(physicalType, column.IsEnum).TrinoType;
                var actual = mapping.Map(column.PostgresType, column.IsEnum).TrinoType;
                if (published is null || published != actual)
                {
                    mismatches.Add($"{dataset.Name}.{name}: the contract says {physicalType} (Trino: {published ?? "hidden"}), the database has {column.PostgresType} (Trino: {actual ?? "hidden"})");
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    /// <summary>The checker itself, on the documented cases: it must tell a hidden column from a visible one.</summary>
    [Fact]
    public void The_mapping_follows_the_connectors_documentation()
    {
        var strict = new TrinoTypeMapping(new Dictionary<string, string> { ["decimal-mapping"] = "strict" });
        var defaults = new TrinoTypeMapping(new Dictionary<string, string>());
        var overflow = new TrinoTypeMapping(new Dictionary<string, string> { ["decimal-mapping"] = "allow_overflow", ["decimal-default-scale"] = "2" });

        Assert.Null(strict.Map("numeric", false).TrinoType);
        Assert.Null(defaults.Map("numeric", false).TrinoType);
        Assert.Equal("decimal(38,2)", overflow.Map("numeric", false).TrinoType);
        Assert.Equal("decimal(18,2)", strict.Map("numeric(18,2)", false).TrinoType);
        Assert.Equal("decimal(10,0)", strict.Map("numeric(10,0)", false).TrinoType);
        Assert.Null(strict.Map("numeric(40,2)", false).TrinoType);
        Assert.Equal("timestamp(6) with time zone", strict.Map("timestamp with time zone", false).TrinoType);
        Assert.Equal("timestamp(3)", strict.Map("timestamp(3) without time zone", false).TrinoType);
        Assert.Equal("varchar", strict.Map("text", false).TrinoType);
        Assert.Equal("varchar(20)", strict.Map("character varying(20)", false).TrinoType);
        Assert.Equal("varchar", strict.Map("lead_stage", true).TrinoType);
        Assert.Null(strict.Map("text[]", false).TrinoType);
        Assert.Null(strict.Map("interval", false).TrinoType);
        Assert.Equal("double", strict.Map("double precision", false).TrinoType);
    }

    private sealed record LiveColumn(string Relation, string Name, string PostgresType, bool IsEnum, bool ReaderMaySelect);

    /// <summary>Every column of every table and view in public, with PostgreSQL's rendering of its declared type.</summary>
    private async Task<List<LiveColumn>> PublishedColumnsAsync(string domain) =>
        (await databases.RowsAsync(domain, $"""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), t.typtype = 'e',
                   has_column_privilege('{domain}_pii_reader', c.oid, a.attnum, 'SELECT')
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            JOIN pg_type t ON t.oid = a.atttypid
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
            ORDER BY c.relname, a.attnum
            """))
        .Select(r => new LiveColumn((string)r[0]!, (string)r[1]!, (string)r[2]!, (bool)r[3]!, (bool)r[4]!)).ToList();
}
