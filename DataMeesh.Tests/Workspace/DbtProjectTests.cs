using System.Text.RegularExpressions;
using DataMeesh.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// The dbt project against the migrated schemas: what it names exists, what it tests exists, and the customer-journey mart
/// has the columns and tests the workspace promises; the staging models run as the reader roles, so none reads personal
/// data. (CustomerJourneyMartTests runs the mart on PostgreSQL; its Trino SQL runs end to end in DataMeesh.AppHost.Tests.)
/// </summary>
public sealed partial class DbtProjectTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static readonly DbtProject Project = DbtProject.Load();
    private static readonly string[] Domains = ["sales", "marketing"];

    public static TheoryData<string> YamlFiles() => new(DbtProject.YamlFiles().Select(PlatformFiles.Relative));

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void Yaml_parses(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(PlatformFiles.PathOf(file));
        stream.Load(reader);

        Assert.Single(stream.Documents);
    }

    [Fact]
    public void The_profile_connects_to_trino_from_the_environment_as_the_hub_user_and_builds_into_the_lake()
    {
        var projectFile = PlatformFiles.Yaml(PlatformFiles.PathOf("dbt", "dbt_project.yml"));
        var profiles = PlatformFiles.Yaml(PlatformFiles.PathOf("dbt", "profiles.yml"));
        var profile = (YamlMappingNode)profiles.Get(projectFile.Text("profile")!)!;
        var target = (YamlMappingNode)((YamlMappingNode)profile.Get("outputs")!).Get(profile.Text("target")!)!;

        Assert.Equal("trino", target.Text("type"));
        Assert.Equal("hive", target.Text("catalog") ?? target.Text("database"));
        Assert.Contains("env_var('TRINO_HOST')", target.Text("host"), StringComparison.Ordinal);
        Assert.Contains("env_var('TRINO_PORT'", target.Text("port"), StringComparison.Ordinal);
        Assert.Contains("env_var('JUPYTERHUB_USER'", target.Text("user"), StringComparison.Ordinal);
        Assert.Null(target.Get("password"));
    }

    [Fact]
    public async Task Every_table_of_both_domains_is_a_source_and_every_source_table_and_column_exists()
    {
        var problems = new List<string>();
        foreach (var domain in Domains)
        {
            var schema = await ColumnsByTableAsync(domain);
            var baseTables = (await databases.RowsAsync(domain,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")).Select(r => (string)r[0]!);
            var declared = Project.SourceTables.Where(t => t.Catalog == domain).ToList();
            problems.AddRange(baseTables.Where(table => declared.All(t => t.Table != table))
                .Select(table => $"{domain}.public.{table} is not declared as a source"));
            foreach (var table in declared)
            {
                if (table.Schema != "public" || !schema.TryGetValue(table.Table, out var columns))
                {
                    problems.Add($"source {table.Source}.{table.Table}: {domain}.{table.Schema}.{table.Table} does not exist");
                    continue;
                }

                problems.AddRange(table.Columns.Where(c => !columns.Contains(c.Name))
                    .Select(c => $"source {table.Source}.{table.Table}: column {c.Name} does not exist"));
                problems.AddRange(columns.Where(c => table.Columns.All(d => d.Name != c))
                    .Select(c => $"source {table.Source}.{table.Table}: column {c} is not documented"));
            }
        }

        Assert.True(Project.SourceTables.All(t => Domains.Contains(t.Catalog)), "a source names a catalog other than sales or marketing");
        Assert.Empty(problems);
    }

    [Fact]
    public void Every_model_has_sql_a_description_and_documents_exactly_the_columns_it_produces()
    {
        Assert.Empty(Project.ModelsWithoutSql);
        Assert.Equal(DbtProject.SqlModelNames().Order(), Project.Models.Keys.Order());
        Assert.All(Project.Models.Values, model =>
        {
            Assert.False(string.IsNullOrWhiteSpace(model.Description), $"{model.Name} has no description");
            Assert.Equal(DbtProject.OutputColumns(model.Sql), model.Columns.Select(c => c.Name));
        });
    }

    [Fact]
    public void Every_source_and_ref_a_model_uses_is_declared()
    {
        Assert.All(Project.Models.Values, model =>
        {
            Assert.All(model.Sources, s => Assert.Contains(Project.SourceTables, t => t.Source == s.Source && t.Table == s.Table));
            Assert.All(model.Refs, r => Assert.True(Project.Models.ContainsKey(r), $"{model.Name} refers to unknown model {r}"));
        });
    }

    /// <summary>
    /// Staging models are plain selects over one domain, written in SQL both Trino and PostgreSQL accept, so they run here
    /// against the migrated schema: every column they read exists, and they produce the documented columns.
    /// </summary>
    [Fact]
    public async Task Staging_models_run_against_the_migrated_schema_and_produce_their_documented_columns()
    {
        var staging = Project.Models.Values.Where(m => !m.Refs.Any()).ToList();
        Assert.NotEmpty(staging);
        foreach (var model in staging)
        {
            var source = Assert.Single(model.Sources.Distinct());
            var table = Project.SourceTables.Single(t => t.Source == source.Source && t.Table == source.Table);
            var sql = SourceCall().Replace(model.Sql, m => $"{table.Schema}.{m.Groups[2].Value}");

            var columns = await ColumnsOfQueryAsync(table.Catalog, sql);

            Assert.Equal(model.Columns.Select(c => c.Name), columns);
        }
    }

    /// <summary>
    /// Trino masks personal source columns for the hub users dbt runs as, so a test on one would fail (every value "***"),
    /// and the staging models, which run as those users, read none (checked above as the reader roles).
    /// </summary>
    [Fact]
    public void No_source_test_is_on_a_personal_column()
    {
        var personal = new[] { DataProducts.PiiPolicyTests.Sales, DataProducts.PiiPolicyTests.Marketing }
            .SelectMany(p => DataMeesh.DataProducts.Catalog.PiiPolicy.PersonalColumns(p).Select(c => (p.Domain, c.Dataset, c.Column))).ToHashSet();
        Assert.NotEmpty(personal);
        var tested = Project.SourceTables.SelectMany(t => t.Columns.Where(c => c.Tests.Count > 0).Select(c => (t.Catalog, t.Table, c.Name))).ToList();
        Assert.NotEmpty(tested);
        Assert.All(tested, column => Assert.DoesNotContain(column, personal));
    }

    [Fact]
    public void Every_tested_column_exists_and_relationships_point_at_existing_model_columns()
    {
        var problems = new List<string>();
        foreach (var model in Project.Models.Values)
        {
            foreach (var column in model.Columns.Where(c => c.Tests.Count > 0))
            {
                if (!DbtProject.OutputColumns(model.Sql).Contains(column.Name))
                {
                    problems.Add($"{model.Name}.{column.Name} is tested but the model does not produce it");
                }

                foreach (var relationship in column.Tests.Where(t => DbtProject.TestName(t) == "relationships"))
                {
                    var arguments = DbtProject.TestArguments(relationship)!;
                    var target = RefCall().Match(arguments.Text("to") ?? "").Groups[1].Value;
                    if (!Project.Models.TryGetValue(target, out var parent) || parent.Columns.All(c => c.Name != arguments.Text("field")))
                    {
                        problems.Add($"{model.Name}.{column.Name}: relationship to {arguments.Text("to")}.{arguments.Text("field")} names no model column");
                    }
                }
            }
        }

        Assert.Empty(problems);
        Assert.Contains(Project.Models.Values, m => m.Name.StartsWith("stg_", StringComparison.Ordinal)
            && m.Columns.Any(c => c.Tests.Any(t => DbtProject.TestName(t) == "relationships")));
    }

    [Fact]
    public async Task Accepted_lead_sources_are_exactly_what_the_marketing_schema_allows()
    {
        var definition = await databases.ScalarAsync<string>("marketing", """
            SELECT pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = 'public.leads'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%lead_source%'
            """);
        var allowed = QuotedValue().Matches(definition).Select(m => m.Groups[1].Value).Order().ToList();

        var tests = Project.Models.Values.SelectMany(m => m.Columns).Concat(Project.SourceTables.SelectMany(t => t.Columns))
            .Where(c => c.Name == "lead_source").SelectMany(c => c.Tests).Where(t => DbtProject.TestName(t) == "accepted_values").ToList();

        Assert.NotEmpty(tests);
        Assert.All(tests, test => Assert.Equal(allowed,
            ((YamlSequenceNode)DbtProject.TestArguments(test)!.Get("values")!).Children.Select(v => ((YamlScalarNode)v).Value!).Order()));
    }

    [Fact]
    public void The_customer_journey_mart_is_a_lake_table_with_the_promised_columns_and_tests()
    {
        var mart = Project.Models["mart_customer_journey"];
        Assert.EndsWith(Path.Combine("models", "marts", "cross_domain", "mart_customer_journey.sql"), mart.SqlPath, StringComparison.Ordinal);
        Assert.All(["lead_source", "campaign_name", "first_contact_at", "customer_id", "customer_name", "converted_at", "days_to_convert",
            "order_count", "total_revenue", "last_order_date", "journey_status", "email_hash"], column => Assert.Contains(column, mart.Columns.Select(c => c.Name)));
        Assert.All(mart.Columns, c => Assert.False(string.IsNullOrWhiteSpace(c.Name)));

        Assert.Equal(["not_null", "unique"], TestsOf(mart, "email_hash").Select(DbtProject.TestName).Order());
        Assert.Equal(["accepted_values", "not_null"], TestsOf(mart, "lead_source").Select(DbtProject.TestName).Order());
        foreach (var column in new[] { "days_to_convert", "total_revenue" })
        {
            var notNull = Assert.Single(TestsOf(mart, column), t => DbtProject.TestName(t) == "not_null");
            var where = ((YamlMappingNode)DbtProject.TestArguments(notNull)!.Get("config")!).Text("where");
            Assert.Equal("journey_status = 'Converted'", where);
        }

        Assert.Contains("'Converted'", mart.Sql, StringComparison.Ordinal);
        Assert.Contains("'Lead Only'", mart.Sql, StringComparison.Ordinal);

        var models = (YamlMappingNode)((YamlMappingNode)PlatformFiles.Yaml(PlatformFiles.PathOf("dbt", "dbt_project.yml"))
            .Get("models")!).Get("datameesh")!;
        Assert.Equal("table", ((YamlMappingNode)models.Get("marts")!).Text("+materialized"));
        // The one hive schema platform/trino/rules.json lets every analyst group create tables in.
        Assert.Equal("analytics", models.Text("+schema"));
        var schemaMacro = File.ReadAllText(PlatformFiles.PathOf("dbt", "macros", "lake_schema.sql"));
        Assert.Contains("macro trino__create_schema", schemaMacro, StringComparison.Ordinal);
        Assert.Contains("location = 's3a://{{ var('datalake_bucket') }}/", schemaMacro, StringComparison.Ordinal);
    }

    /// <summary>Trino's file-based rules: the first schema rule matching user group, catalog and schema decides ownership.</summary>
    [Theory]
    [InlineData("analysts"), InlineData("sales"), InlineData("marketing")]
    public void Every_analyst_group_owns_the_lake_schema_dbt_builds_in(string group)
    {
        var schema = ((YamlMappingNode)((YamlMappingNode)PlatformFiles.Yaml(PlatformFiles.PathOf("dbt", "dbt_project.yml")).Get("models")!)
            .Get("datameesh")!).Text("+schema")!;
        static bool Matches(System.Text.Json.Nodes.JsonNode? pattern, string value) =>
            pattern is null || Regex.IsMatch(value, $"^(?:{(string)pattern!})$", RegexOptions.None, TimeSpan.FromSeconds(1));

        var rule = PlatformFiles.Json(PlatformFiles.PathOf("trino", "rules.json"))["schemas"]!.AsArray()
            .OfType<System.Text.Json.Nodes.JsonObject>()
            .First(r => r["user"] is null && Matches(r["group"], group) && Matches(r["catalog"], "hive") && Matches(r["schema"], schema));

        Assert.True((bool?)rule["owner"] == true, $"Trino's rules do not let group {group} build in hive.{schema}");
    }

    /// <summary>
    /// Scenario 2, one model and several consumers: sales' customer lifetime value is what marketing's campaign ROI and
    /// finance's revenue read. dbt docs draw lineage from each model's depends_on in manifest.json, which dbt takes from
    /// its ref() calls; here the refs are checked against the SQL dbt sends to Trino (rendered, parsed with Trino's
    /// grammar): every model reads exactly the models it refs, so the docs' graph is the graph that runs.
    /// </summary>
    [Fact]
    public async Task Sales_lifetime_value_is_one_model_that_marketing_and_finance_reuse_through_refs()
    {
        var rendered = await TrinoStatements.DbtModelsAsync();
        var parsed = await TrinoGrammar.ParseAsync(rendered.Select(m => (m.Key, m.Value)).ToList());
        const string Lake = "hive.analytics.";
        var reads = parsed.ToDictionary(r => r.Origin, r => r.Tables.Where(t => t.StartsWith(Lake, StringComparison.Ordinal))
            .Select(t => t[Lake.Length..]).ToHashSet());

        Assert.All(Project.Models.Values, model => Assert.Equal(model.Refs.Distinct().Order(), reads[model.Name].Order()));
        var consumers = Project.Models.Values.Where(m => m.Refs.Contains("mart_sales__customer_lifetime_value")).Select(m => m.Name).Order();
        Assert.Equal(["mart_finance__revenue_by_cohort", "mart_marketing__campaign_roi"], consumers);

        var configs = Project.Models.Keys.ToDictionary(name => name, name => ModelConfig(name));
        var groups = PlatformFiles.Yaml(PlatformFiles.PathOf("dbt", "models", "_groups.yml")).Items("groups").Select(g => g.Text("name")).ToHashSet();
        Assert.Equal(("sales", "public"), (configs["mart_sales__customer_lifetime_value"]?.Text("group"), configs["mart_sales__customer_lifetime_value"]?.Text("access")));
        Assert.Equal("marketing", configs["mart_marketing__campaign_roi"]?.Text("group"));
        Assert.Equal("finance", configs["mart_finance__revenue_by_cohort"]?.Text("group"));
        Assert.All(configs.Values.Where(c => c?.Text("group") is not null), c => Assert.Contains(c!.Text("group"), groups));
    }

    /// <summary>The new marts carry no personal data: customer_id and numbers, never a name, email or phone.</summary>
    [Theory]
    [InlineData("mart_sales__customer_lifetime_value"), InlineData("mart_marketing__campaign_roi"), InlineData("mart_finance__revenue_by_cohort")]
    public void Story_marts_carry_no_personal_data(string model)
    {
        var columns = DbtProject.OutputColumns(Project.Models[model].Sql);

        Assert.DoesNotContain(columns, c => c.Contains("email", StringComparison.Ordinal) || c.Contains("name", StringComparison.Ordinal) && c != "campaign_name"
                                            || c.Contains("phone", StringComparison.Ordinal));
    }

    private static YamlMappingNode? ModelConfig(string model) =>
        DbtProject.YamlFiles().Where(f => f.Contains($"{Path.DirectorySeparatorChar}models{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => PlatformFiles.Yaml(f).Items("models")).Where(m => m.Text("name") == model)
            .Select(m => m.Get("config") as YamlMappingNode).FirstOrDefault();

    private static IReadOnlyList<YamlNode> TestsOf(DbtProject.Model model, string column) => model.Columns.Single(c => c.Name == column).Tests;

    private async Task<Dictionary<string, HashSet<string>>> ColumnsByTableAsync(string domain) =>
        (await databases.RowsAsync(domain, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"))
            .GroupBy(r => (string)r[0]!, r => (string)r[1]!)
            .ToDictionary(g => g.Key, g => g.ToHashSet());

    /// <summary>As the domain's reader role, which cannot select personal columns: a model that reads one fails here.</summary>
    private async Task<List<string>> ColumnsOfQueryAsync(string domain, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(databases.ConnectionString(domain));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"SET ROLE {SeededDomains.ReaderRole(domain)}; SELECT * FROM ({sql}) model LIMIT 0", connection);
        await using var reader = await command.ExecuteReaderAsync();
        return Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
    }

    [GeneratedRegex(@"\{\{\s*source\(\s*'(\w+)'\s*,\s*'(\w+)'\s*\)\s*\}\}")]
    private static partial Regex SourceCall();

    [GeneratedRegex(@"ref\(\s*'(\w+)'\s*\)")]
    private static partial Regex RefCall();

    [GeneratedRegex(@"'([^']+)'")]
    private static partial Regex QuotedValue();
}
