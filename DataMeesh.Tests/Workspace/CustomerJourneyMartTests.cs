using System.Text.RegularExpressions;
using DataMeesh.DataProducts.Catalog;
using DataMeesh.Tests.DataProducts;
using DataMeesh.Tests.Infrastructure;
using Npgsql;
using YamlDotNet.RepresentationModel;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// The dbt project's customer journey as an identity without PII rights, on PostgreSQL: each staging model runs on its
/// domain's seeded database as the domain's reader role (which cannot select a personal column), its rows are loaded as
/// the model's table into one session (what dbt does in the lake), and the mart's SQL runs over them, with Trino's one
/// function it uses (date_diff) written for PostgreSQL. The mart then holds no personal value, its dbt tests hold, and it
/// links exactly the leads whose e-mail is a customer's. In Trino, end to end, in DataMeesh.AppHost.Tests.
/// </summary>
public sealed partial class CustomerJourneyMartTests(SeededDomains seeded) : IClassFixture<SeededDomains>
{
    private const string Mart = "mart_customer_journey";
    private static readonly DbtProject Project = DbtProject.Load();

    [Fact]
    public async Task The_mart_built_as_the_reader_roles_links_converted_leads_holds_no_personal_data_and_passes_its_tests()
    {
        await using var lake = new NpgsqlConnection(seeded.Databases.Marketing);
        await lake.OpenAsync();
        await using (var role = new NpgsqlCommand($"SET ROLE {SeededDomains.ReaderRole("marketing")}", lake))
        {
            await role.ExecuteNonQueryAsync();
        }

        foreach (var model in Project.Models.Values.Where(m => !m.Refs.Any()))
        {
            await MaterializeStagingAsync(model, lake);
        }

        var mart = Project.Models[Mart];
        await ExecuteAsync(lake, $"CREATE TEMP TABLE {Mart} AS {ForPostgres(mart.Sql)}");

        var rows = await RowsAsync(lake, $"SELECT * FROM {Mart}");
        var columns = rows.Columns;
        Assert.Equal(DbtProject.OutputColumns(mart.Sql), columns);
        Assert.Equal(await ScalarAsync(seeded.Databases.Marketing, "SELECT count(*) FROM leads"), rows.Values.Count);

        // No personal value: every e-mail, phone and person's name on file, compared with every value of the mart.
        var personal = await PersonalValuesAsync();
        var found = rows.Values.SelectMany(r => r).OfType<string>().Where(personal.Contains).Distinct().Take(5).ToList();
        Assert.True(found.Count == 0, $"{Mart} holds personal data: {string.Join(", ", found)}");
        Assert.DoesNotContain(columns, c => c is "email" or "lead_name" or "first_name" or "last_name" or "phone" or "sales_rep");

        // The journey still holds: exactly the leads whose e-mail is a customer's are Converted, linked to that customer.
        var expected = await ConvertedLeadsByEmailAsync();
        Assert.True(expected.Count >= 6, $"the reference sample has 6 converted leads with a customer, found {expected.Count}");
        var lead = columns.IndexOf("lead_id");
        var customer = columns.IndexOf("customer_id");
        var status = columns.IndexOf("journey_status");
        Assert.Equal(expected, rows.Values.Where(r => (string)r[status]! == "Converted").Select(r => ((long)r[lead]!, (long)r[customer]!)).Order());
        Assert.All(rows.Values.Where(r => (string)r[status]! == "Lead Only"), r => Assert.Null(r[customer]));

        // The mart's own dbt tests (_cross_domain__models.yml).
        var failures = new List<string>();
        foreach (var column in mart.Columns)
        {
            foreach (var test in column.Tests)
            {
                var failing = await ScalarAsync(lake, FailingRowsSql(Mart, column.Name, test));
                if (failing != 0)
                {
                    failures.Add($"{Mart}.{column.Name} {DbtProject.TestName(test)}: {failing} failing rows");
                }
            }
        }

        Assert.Empty(failures);
        Assert.Contains(mart.Columns, c => c.Name == PiiPolicy.EmailHashColumn && c.Tests.Count > 0);
    }

    /// <summary>Runs a staging model on its domain's database as the reader role, and loads its rows as a temp table of that name.</summary>
    private async Task MaterializeStagingAsync(DbtProject.Model model, NpgsqlConnection lake)
    {
        var (source, table) = model.Sources.Distinct().Single();
        var sourceTable = Project.SourceTables.Single(t => t.Source == source && t.Table == table);
        var sql = SourceCall().Replace(model.Sql, m => $"{sourceTable.Schema}.{m.Groups[2].Value}");

        await using var domain = new NpgsqlConnection(seeded.Databases.ConnectionString(sourceTable.Catalog));
        await domain.OpenAsync();
        await ExecuteAsync(domain, $"SET ROLE {SeededDomains.ReaderRole(sourceTable.Catalog)}");
        await using var read = new NpgsqlCommand(sql, domain);
        await using var reader = await read.ExecuteReaderAsync();
        var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName).ToList();
        var values = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            values.Add(row);
        }

        await ExecuteAsync(lake, $"CREATE TEMP TABLE {model.Name} ({string.Join(", ", names.Select((n, i) => $"\"{n}\" {types[i]}"))})");
        await using var import = await lake.BeginBinaryImportAsync($"COPY {model.Name} FROM STDIN (FORMAT BINARY)");
        foreach (var row in values)
        {
            await import.StartRowAsync();
            for (var i = 0; i < row.Length; i++)
            {
                if (row[i] is DBNull)
                {
                    await import.WriteNullAsync();
                }
                else
                {
                    await import.WriteAsync(row[i], types[i]);
                }
            }
        }

        await import.CompleteAsync();
    }

    /// <summary>The mart's Trino SQL for PostgreSQL: refs are the session's tables, and date_diff('day', a, b) whole days from a to b.</summary>
    private static string ForPostgres(string sql) =>
        DayDiff().Replace(RefCall().Replace(sql, m => m.Groups["name"].Value),
            m => $"trunc(extract(epoch from ({m.Groups["to"].Value} - {m.Groups["from"].Value})) / 86400)::bigint");

    /// <summary>The SQL of dbt's generic tests (not_null, unique, accepted_values, relationships): the number of failing rows.</summary>
    private static string FailingRowsSql(string table, string column, YamlNode test)
    {
        var arguments = DbtProject.TestArguments(test);
        var config = arguments?.Get("config") as YamlMappingNode;
        var where = config?.Text("where") is { } condition ? $"({condition})" : "true";
        return DbtProject.TestName(test) switch
        {
            "not_null" => $"SELECT count(*) FROM {table} WHERE {where} AND {column} IS NULL",
            "unique" => $"SELECT count(*) FROM (SELECT {column} FROM {table} WHERE {where} AND {column} IS NOT NULL GROUP BY {column} HAVING count(*) > 1) d",
            "accepted_values" => $"SELECT count(*) FROM {table} WHERE {where} AND {column} IS NOT NULL AND {column}::text NOT IN (" +
                string.Join(", ", ((YamlSequenceNode)arguments!.Get("values")!).Children.Select(v => $"'{((YamlScalarNode)v).Value!.Replace("'", "''", StringComparison.Ordinal)}'")) + ")",
            "relationships" => $"SELECT count(*) FROM {table} t WHERE {where} AND t.{column} IS NOT NULL AND NOT EXISTS " +
                $"(SELECT 1 FROM {RefCall().Match(arguments!.Text("to")!).Groups["name"].Value} p WHERE p.{arguments!.Text("field")} = t.{column})",
            var other => throw new InvalidDataException($"{table}.{column}: the test {other} is not one this check knows; add it here"),
        };
    }

    private async Task<List<(long, long)>> ConvertedLeadsByEmailAsync()
    {
        var customers = (await seeded.Databases.RowsAsync("sales", "SELECT email, customer_id FROM customers")).ToDictionary(r => (string)r[0]!, r => (long)r[1]!);
        return [.. (await seeded.Databases.RowsAsync("marketing", "SELECT email, lead_id FROM leads"))
            .Where(r => customers.ContainsKey((string)r[0]!)).Select(r => ((long)r[1]!, customers[(string)r[0]!])).Order()];
    }

    private async Task<HashSet<string>> PersonalValuesAsync()
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var product in new[] { PiiPolicyTests.Sales, PiiPolicyTests.Marketing })
        {
            foreach (var (dataset, column) in PiiPolicy.PersonalColumns(product).Where(c => c.Dataset is "customers" or "orders" or "leads"))
            {
                foreach (var row in await seeded.Databases.RowsAsync(product.Domain, $"SELECT DISTINCT \"{column}\"::text FROM \"{dataset}\" WHERE \"{column}\" IS NOT NULL"))
                {
                    values.Add((string)row[0]!);
                }
            }
        }

        return values;
    }

    private sealed record Rows(List<string> Columns, List<object?[]> Values);

    private static async Task<Rows> RowsAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var values = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            values.Add(row);
        }

        return new Rows(columns, values);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await ScalarAsync(connection, sql);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [GeneratedRegex(@"\{\{\s*source\(\s*'(\w+)'\s*,\s*'(\w+)'\s*\)\s*\}\}")]
    private static partial Regex SourceCall();

    [GeneratedRegex(@"\{\{\s*ref\(\s*'(?<name>\w+)'\s*\)\s*\}\}|ref\(\s*'(?<name>\w+)'\s*\)")]
    private static partial Regex RefCall();

    [GeneratedRegex(@"date_diff\(\s*'day'\s*,\s*(?<from>[\w.]+)\s*,\s*(?<to>[\w.]+)\s*\)")]
    private static partial Regex DayDiff();
}
