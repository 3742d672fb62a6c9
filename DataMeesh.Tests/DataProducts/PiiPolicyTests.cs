extern alias SalesApi;
extern alias MarketingApi;

using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataMeesh.DataProducts.Catalog;
using DataMeesh.Tests.Infrastructure;
using Npgsql;

namespace DataMeesh.Tests.DataProducts;

/// <summary>
/// The one PII policy (README, "Personal data"), on every path that runs here, as an identity without PII rights: the APIs
/// (reads and writes), the domains' read-only PostgreSQL logins, and the pseudonym both domains join on. No e-mail, person's
/// name or phone comes back, and the cross-domain story (converted leads are customers with the same e-mail) still holds.
/// </summary>
public sealed partial class PiiPolicyTests(DataProductApps apps) : IClassFixture<DataProductApps>
{
    public static readonly DataProductDefinition Sales = SalesApi::DataMeesh.SalesApi.SalesProduct.Definition;
    public static readonly DataProductDefinition Marketing = MarketingApi::DataMeesh.MarketingApi.MarketingProduct.Definition;
    private static readonly DataProductDefinition[] Products = [Sales, Marketing];

    [Fact]
    public void One_classification_per_kind_of_data_in_every_domain()
    {
        var columns = Products.SelectMany(p => p.Datasets.SelectMany(d => d.Columns.Select(c => (p.Domain, Dataset: d.Name, Column: c)))).ToList();

        // People: names, e-mails, phones are personal wherever they appear.
        foreach (var personal in new[] { "email", "phone", "first_name", "last_name", "sales_rep" })
        {
            var found = columns.Where(c => c.Column.Name == personal).ToList();
            Assert.NotEmpty(found);
            Assert.All(found, c => Assert.True(c.Column.Pii, $"{c.Domain}.{c.Dataset}.{personal} holds personal data but is not declared Pii"));
        }

        // Companies are not people: the same kind of name is internal in both domains.
        Assert.All(columns.Where(c => c.Column.Name is "customer_name" or "company"),
            c => Assert.False(c.Column.Pii, $"{c.Domain}.{c.Dataset}.{c.Column.Name} is a company's name, internal in every domain"));

        // Declared once per column: a column name means one thing in a product, whichever dataset shows it.
        foreach (var product in Products)
        {
            var mixed = product.Datasets.SelectMany(d => d.Columns).GroupBy(c => c.Name).Where(g => g.Select(c => c.Pii).Distinct().Count() > 1);
            Assert.Empty(mixed.Select(g => $"{product.Domain}.{g.Key}"));
        }

        // Every dataset with an e-mail carries the pseudonym consumers without PII rights join on, itself not personal.
        foreach (var (domain, dataset, _) in columns.Where(c => c.Column.Name == "email"))
        {
            var hash = Assert.Single(columns, c => c.Domain == domain && c.Dataset == dataset && c.Column.Name == PiiPolicy.EmailHashColumn);
            Assert.False(hash.Column.Pii);
        }
    }

    [Fact]
    public void The_readme_lists_exactly_the_declared_personal_columns()
    {
        var readme = File.ReadAllText(Path.Combine(Platform.RepositoryFiles.Root, "README.md"));
        var section = readme[readme.IndexOf("## Personal data", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var documented = ReadmePiiRow().Matches(section)
            .SelectMany(m => m.Groups["columns"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(c => $"{m.Groups["domain"].Value}.{m.Groups["dataset"].Value}.{c.Trim('`')}"))
            .Order().ToList();
        var declared = Products.SelectMany(p => PiiPolicy.PersonalColumns(p).Select(c => $"{p.Domain}.{c.Dataset}.{c.Column}")).Order().ToList();

        Assert.Equal(declared, documented);
    }

    [Fact]
    public async Task The_reader_logins_select_every_column_but_the_personal_ones()
    {
        foreach (var product in Products)
        {
            var domain = product.Domain;
            await using var reader = await LoginAsync(domain, $"{domain}_reader", DataProductApps.ReaderPassword);
            foreach (var dataset in product.Datasets)
            {
                foreach (var column in dataset.Columns)
                {
                    var select = $"SELECT \"{column.Name}\" FROM public.\"{dataset.Name}\" LIMIT 1";
                    if (column.Pii)
                    {
                        var refused = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(reader, select));
                        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
                    }
                    else
                    {
                        await ScalarAsync(reader, select); // allowed
                    }
                }

                if (dataset.Columns.Any(c => c.Pii))
                {
                    var star = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(reader, $"SELECT * FROM public.\"{dataset.Name}\" LIMIT 1"));
                    Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, star.SqlState);
                }
            }

            // And the PII-entitled login (Trino's catalog) reads them.
            await using var entitled = await LoginAsync(domain, $"{domain}_pii_reader", DataProductApps.PiiReaderPassword);
            var email = await ScalarAsync(entitled, $"SELECT email FROM public.{(domain == "sales" ? "customers" : "leads")} ORDER BY 1 LIMIT 1");
            Assert.Contains("@", (string)email!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Nobody_who_reads_the_data_can_compute_a_pseudonym_or_read_the_key()
    {
        foreach (var domain in new[] { "sales", "marketing" })
        {
            foreach (var (role, password) in new[] { ($"{domain}_reader", DataProductApps.ReaderPassword), ($"{domain}_pii_reader", DataProductApps.PiiReaderPassword) })
            {
                await using var connection = await LoginAsync(domain, role, password);
                foreach (var sql in new[] { "SELECT datameesh.email_hash('someone@example.com')", "SELECT key FROM datameesh.pii_key" })
                {
                    var refused = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(connection, sql));
                    Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
                }
            }

            // The API's own role cannot either: a hash oracle there would answer to every API caller's filter.
            var refusedToApi = await Assert.ThrowsAsync<PostgresException>(() => MigratedDatabases.QueryScalarAsync<string>(apps.Databases.ConnectionString(domain),
                $"SET ROLE {domain}_api; SELECT datameesh.email_hash('someone@example.com')"));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refusedToApi.SqlState);
        }
    }

    [Fact]
    public async Task The_pseudonym_is_hmac_sha256_of_the_email_under_the_mesh_key_in_both_domains()
    {
        foreach (var (domain, table) in new[] { ("sales", "customers"), ("marketing", "leads") })
        {
            var rows = await apps.Databases.RowsAsync(domain, $"SELECT email, email_hash FROM {table}");
            Assert.NotEmpty(rows);
            Assert.All(rows, r => Assert.Equal(Hmac(MigratedDatabases.PiiKey, (string)r[0]!), (string?)r[1]));
        }
    }

    [Fact]
    public async Task The_reader_logins_join_converted_leads_to_customers_on_the_pseudonym()
    {
        var expected = await ConvertedLeadsByEmailAsync();
        Assert.True(expected.Count >= 6, $"the reference sample has 6 converted leads with a customer, found {expected.Count}");

        await using var sales = await LoginAsync("sales", "sales_reader", DataProductApps.ReaderPassword);
        await using var marketing = await LoginAsync("marketing", "marketing_reader", DataProductApps.ReaderPassword);
        var customers = await PairsAsync(sales, "SELECT email_hash, customer_id FROM customers");
        var leads = await PairsAsync(marketing, "SELECT email_hash, lead_id FROM leads");
        var joined = leads.Where(l => customers.ContainsKey(l.Key)).Select(l => (l.Value, customers[l.Key])).Order().ToList();

        Assert.Equal(expected, joined);
    }

    [Fact]
    public async Task A_caller_without_pii_reader_gets_no_personal_value_from_any_read_and_still_joins_the_domains()
    {
        var personal = await PersonalValuesAsync();
        var strings = new List<(string Where, string Value)>();
        foreach (var product in Products)
        {
            var client = apps.Client(product.Domain);
            foreach (var dataset in product.Datasets)
            {
                var json = await (await client.GetAsync($"/datasets/{dataset.Name}/rows?limit=1000")).JsonAsync();
                strings.AddRange(StringsOf(json).Select(v => ($"{product.Domain} {dataset.Name} rows", v)));
                var csv = new HttpRequestMessage(HttpMethod.Get, $"/datasets/{dataset.Name}/rows");
                csv.Headers.Accept.ParseAdd("text/csv");
                var text = await (await client.SendAsync(csv)).Content.ReadAsStringAsync();
                strings.AddRange(text.Split(["\r\n", "\n", ","], StringSplitOptions.None).Select(v => ($"{product.Domain} {dataset.Name} csv", v.Trim('"'))));
            }
        }

        foreach (var (domain, path) in new[] { ("sales", "/customers/1"), ("sales", "/customers/1/orders"), ("sales", "/orders/1"), ("marketing", "/leads/1"),
                     ("marketing", "/campaigns/1/leads") })
        {
            strings.AddRange(StringsOf(await (await apps.Client(domain).GetAsync(path)).JsonAsync()).Select(v => ($"{domain} {path}", v)));
        }

        Assert.Empty(strings.Where(s => personal.Contains(s.Value)).Select(s => $"{s.Where}: {s.Value}").Distinct().Take(10));
        Assert.Contains(strings, s => s.Value == PiiPolicy.Mask);

        // The same join as the reader logins', through the API.
        var customers = (await (await apps.Client("sales").GetAsync("/datasets/customers/rows?fields=customer_id,email_hash&limit=1000")).JsonAsync())
            .GetProperty("items").EnumerateArray().ToDictionary(r => r.GetProperty("email_hash").GetString()!, r => r.GetProperty("customer_id").GetInt64());
        var leads = (await (await apps.Client("marketing").GetAsync("/datasets/leads/rows?fields=lead_id,email_hash&limit=1000")).JsonAsync())
            .GetProperty("items").EnumerateArray().Select(r => (Hash: r.GetProperty("email_hash").GetString()!, Lead: r.GetProperty("lead_id").GetInt64()));
        var joined = leads.Where(l => customers.ContainsKey(l.Hash)).Select(l => (l.Lead, customers[l.Hash])).Order().ToList();
        Assert.Equal(await ConvertedLeadsByEmailAsync(), joined);
    }

    [Fact]
    public async Task A_writer_without_pii_reader_cannot_learn_whether_an_email_is_on_file()
    {
        var onFile = await apps.Databases.ScalarAsync<string>("marketing", "SELECT email FROM leads ORDER BY lead_id LIMIT 1");
        var before = await apps.Databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM leads");
        var writer = apps.Client("marketing", "marketing-writer");
        object Lead(string email) => new { firstName = "Nora", lastName = "Quist", email, leadSource = "Direct", leadScore = 50 };

        var known = await (await writer.PostJsonAsync("/leads", Lead(onFile))).ProblemAsync(403);
        var unknown = await (await writer.PostJsonAsync("/leads", Lead($"{Guid.NewGuid():N}@example.com"))).ProblemAsync(403);

        // The same answer either way, naming the roles, never the address.
        Assert.Equal(known.GetProperty("title").GetString(), unknown.GetProperty("title").GetString());
        Assert.Equal(known.GetProperty("detail").GetString(), unknown.GetProperty("detail").GetString());
        Assert.Contains("pii-reader", known.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(onFile, known.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await apps.Databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM leads"));

        // Entitled to personal data, the writer is told (409) and may record new leads.
        var entitled = apps.Client("marketing", DataProductApps.WriterRoles("marketing"));
        await (await entitled.PostJsonAsync("/leads", Lead(onFile))).ProblemAsync(409, "email");
        await (await entitled.PostJsonAsync("/leads", Lead($"{Guid.NewGuid():N}@example.com"))).JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task An_order_placed_without_pii_reader_answers_with_the_sales_rep_masked()
    {
        var order = new
        {
            customerId = 1, paymentMethod = "Invoice", salesRep = "Ann Lee", region = "Europe",
            items = new[] { new { productId = 1L, quantity = 1, discountPercent = 0m } },
        };

        var masked = await (await apps.Client("sales", "sales-writer").PostJsonAsync("/orders", order)).JsonAsync(HttpStatusCode.Created);
        var replay = await (await apps.Client("sales", "sales-writer").PostJsonAsync("/orders", order)).JsonAsync(HttpStatusCode.Created);
        var entitled = await (await apps.Client("sales", "sales-writer", "pii-reader").PostJsonAsync("/orders", order)).JsonAsync(HttpStatusCode.Created);

        Assert.Equal(PiiPolicy.Mask, masked.GetProperty("sales_rep").GetString());
        Assert.Equal(PiiPolicy.Mask, replay.GetProperty("sales_rep").GetString());
        Assert.Equal("Ann Lee", entitled.GetProperty("sales_rep").GetString());
        Assert.DoesNotContain("Ann Lee", masked.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_the_pseudonym_stays_empty_and_a_new_key_rehashes_every_row()
    {
        var marketing = apps.Databases.Marketing;

        // No key: a lead written then gets no pseudonym (rolled back, the fixture keeps its key).
        await using (var connection = new NpgsqlConnection(marketing))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand("""
                DELETE FROM datameesh.pii_key;
                INSERT INTO leads (first_name, last_name, email, lead_source, lead_score, status) VALUES ('No', 'Key', 'no.key@example.com', 'Direct', 1, 'New');
                SELECT coalesce(email_hash, 'none') FROM leads WHERE email = 'no.key@example.com';
                """, connection, transaction);
            Assert.Equal("none", await command.ExecuteScalarAsync());
            await transaction.RollbackAsync();
        }

        const string Rotated = "another-key-for-this-test-only";
        try
        {
            var rehashed = await MigratedDatabases.ApplyPiiKeyAsync(marketing, Rotated);
            Assert.Equal(await apps.Databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM leads"), rehashed);
            var rows = await apps.Databases.RowsAsync("marketing", "SELECT email, email_hash FROM leads");
            Assert.All(rows, r => Assert.Equal(Hmac(Rotated, (string)r[0]!), (string?)r[1]));
            Assert.Equal(0, await MigratedDatabases.ApplyPiiKeyAsync(marketing, Rotated)); // the same key again changes nothing
        }
        finally
        {
            await MigratedDatabases.ApplyPiiKeyAsync(marketing, MigratedDatabases.PiiKey);
        }
    }

    /// <summary>(lead_id, customer_id) of every lead whose e-mail is a customer's, joined on the raw e-mail by the superuser.</summary>
    private async Task<List<(long, long)>> ConvertedLeadsByEmailAsync()
    {
        var customers = (await apps.Databases.RowsAsync("sales", "SELECT email, customer_id FROM customers")).ToDictionary(r => (string)r[0]!, r => (long)r[1]!);
        return [.. (await apps.Databases.RowsAsync("marketing", "SELECT email, lead_id FROM leads"))
            .Where(r => customers.ContainsKey((string)r[0]!)).Select(r => ((long)r[1]!, customers[(string)r[0]!])).Order()];
    }

    /// <summary>Every e-mail, phone and person's name on file in either domain.</summary>
    private async Task<HashSet<string>> PersonalValuesAsync()
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var product in Products)
        {
            foreach (var (dataset, column) in PiiPolicy.PersonalColumns(product).Where(c => c.Dataset is "customers" or "orders" or "leads"))
            {
                foreach (var row in await apps.Databases.RowsAsync(product.Domain, $"SELECT DISTINCT \"{column}\"::text FROM \"{dataset}\" WHERE \"{column}\" IS NOT NULL"))
                {
                    values.Add((string)row[0]!);
                }
            }
        }

        Assert.Contains(values, v => v.Contains('@', StringComparison.Ordinal));
        return values;
    }

    private static IEnumerable<string> StringsOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(StringsOf),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => StringsOf(p.Value)),
        _ => [],
    };

    internal static string Hmac(string key, string email) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(email)));

    private async Task<NpgsqlConnection> LoginAsync(string domain, string role, string password)
    {
        var builder = new NpgsqlConnectionStringBuilder(apps.Databases.ConnectionString(domain)) { Username = role, Password = password, Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task<Dictionary<string, long>> PairsAsync(NpgsqlConnection connection, string sql)
    {
        var pairs = new Dictionary<string, long>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            Assert.False(reader.IsDBNull(0), "a row without its pseudonym (email_hash)");
            pairs[reader.GetString(0)] = reader.GetInt64(1);
        }

        return pairs;
    }

    [GeneratedRegex(@"^\|\s*(?<domain>sales|marketing)\s*\|\s*`?(?<dataset>\w+)`?\s*\|\s*(?<columns>[`\w, ]+?)\s*\|", RegexOptions.Multiline)]
    private static partial Regex ReadmePiiRow();
}
