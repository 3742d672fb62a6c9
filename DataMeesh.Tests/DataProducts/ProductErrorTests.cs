using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using MiniExcelLibs;

namespace DataMeesh.Tests.DataProducts;

/// <summary>
/// Errors in the project's own words (naming the field, the accepted values and the fix, never the framework's text),
/// and the rows endpoint doing what its parameters and headers say (issue 17).
/// </summary>
public sealed class ProductErrorTests(DataProductApps apps) : IClassFixture<DataProductApps>
{
    private static readonly string[] FrameworkText = ["Implicit body", "Failed to bind", "Did you mean", "Service instead", "System.", "Nullable`1", "parameter \""];

    private static object Order(string? orderStatus = null) => new
    {
        customerId = 1, paymentMethod = "Invoice", salesRep = "Ann Lee", region = "Europe", orderStatus,
        items = new[] { new { productId = 1L, quantity = 2, discountPercent = 10m } },
    };

    [Fact]
    public async Task Without_a_token_the_401_says_which_token_to_send_and_where_to_get_one()
    {
        var anonymous = await apps.Api("sales").GetAsync("/datasets/orders/rows");
        var problem = await anonymous.ProblemAsync(401);
        Assert.Contains("bearer token", problem.GetProperty("detail").GetString());
        Assert.Contains("\"Tokens\"", problem.GetProperty("detail").GetString());
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.ToString()); // still no reason for an attacker

        var forged = apps.Api("sales");
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apps.Token() + "x");
        var refused = await (await forged.GetAsync("/quality")).ProblemAsync(401);
        Assert.Contains("refused", refused.GetProperty("detail").GetString());
        Assert.DoesNotContain("signature", refused.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_token_without_the_role_gets_a_403_naming_the_role_it_needs_and_the_one_it_has()
    {
        var response = await apps.Client("sales", "marketing-writer").PostJsonAsync("/orders", Order());
        var detail = (await response.ProblemAsync(403)).GetProperty("detail").GetString()!;
        Assert.Contains("sales-writer", detail);
        Assert.Contains("marketing-writer", detail);
        Assert.Contains("\"Tokens\"", detail);
    }

    [Fact]
    public async Task A_missing_body_is_a_problem_in_our_words()
    {
        var empty = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = new StringContent("", Encoding.UTF8, "application/json") };
        await AssertOwnWordsAsync(await apps.Client("sales", "sales-writer").SendAsync(empty), 400, "body", "JSON body");

        var none = new HttpRequestMessage(HttpMethod.Post, "/orders");
        var response = await apps.Client("sales", "sales-writer").SendAsync(none);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is 400 or 415, body);
        Assert.DoesNotContain(FrameworkText, t => body.Contains(t, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_id_that_is_not_a_number_names_the_parameter_and_what_it_takes()
    {
        await AssertOwnWordsAsync(await apps.Client("sales").GetAsync("/orders/abc"), 400, "id", "integer");
        await AssertOwnWordsAsync(await apps.Client("marketing").GetAsync("/campaigns/1.5/leads"), 400, "id", "integer");
    }

    [Fact]
    public async Task A_number_sent_as_text_or_text_as_a_number_names_the_field_and_its_type()
    {
        var writer = apps.Client("sales", "sales-writer");
        var quoted = new StringContent("""{"customerId":"1","paymentMethod":"Invoice","salesRep":"A","region":"Europe","items":[{"productId":1,"quantity":1}]}""",
            Encoding.UTF8, "application/json");
        await AssertOwnWordsAsync(await writer.PostAsync("/orders", quoted), 400, "customerId", "integer");

        var nested = new StringContent("""{"customerId":1,"paymentMethod":"Invoice","salesRep":"A","region":"Europe","items":[{"productId":1,"quantity":"many"}]}""",
            Encoding.UTF8, "application/json");
        await AssertOwnWordsAsync(await writer.PostAsync("/orders", nested), 400, "items[0].quantity", "integer");

        var text = new StringContent("customerId=1", Encoding.UTF8, "text/plain");
        await AssertOwnWordsAsync(await writer.PostAsync("/orders", text), 415, "Content-Type", "application/json");
    }

    [Fact]
    public async Task A_value_outside_the_accepted_ones_lists_them()
    {
        var response = await apps.Client("sales", "sales-writer").PostJsonAsync("/orders", Order(orderStatus: "Shipped"));
        var detail = await AssertOwnWordsAsync(response, 400, "orderStatus", "Pending, Processing, Completed, Cancelled");
        Assert.DoesNotContain("check", detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0L, await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM orders WHERE order_status = 'Shipped'"));

        var lead = new { firstName = "Ann", lastName = "Lee", email = "ann.lee.accepted@example.com", leadSource = "Carrier pigeon", leadScore = 50 };
        await AssertOwnWordsAsync(await apps.Client("marketing", DataProductApps.WriterRoles("marketing")).PostJsonAsync("/leads", lead), 400, "leadSource", "Google Ads, Facebook, Email, LinkedIn, Direct");
    }

    [Fact]
    public async Task A_unique_constraint_names_the_request_fields_never_the_constraint()
    {
        var writer = apps.Client("marketing", "marketing-writer");
        var day = apps.AsOf.AddDays(-400).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture); // before every seeded campaign day
        var metrics = new { metricDate = day, impressions = 100, clicks = 10, conversions = 1, costPerClick = 1.5m };
        await (await writer.PostJsonAsync("/campaigns/2/metrics", metrics)).JsonAsync(HttpStatusCode.Created);

        var response = await writer.PostJsonAsync("/campaigns/2/metrics", metrics);
        var body = await response.Content.ReadAsStringAsync();
        var problem = await response.ProblemAsync(409, "metricDate");
        Assert.DoesNotContain("campaignIdMetricDate", body);
        Assert.DoesNotContain("_key", body);
        Assert.Contains("campaignId and metricDate", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Placing_an_order_answers_in_the_casing_reading_it_does()
    {
        var writer = apps.Client("sales", "sales-writer");
        var created = await (await writer.PostJsonAsync("/orders", Order())).JsonAsync(HttpStatusCode.Created);
        var read = await (await writer.GetAsync($"/orders/{created.GetProperty("order_id").GetInt64()}")).JsonAsync();

        var createdNames = created.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(createdNames, read.EnumerateObject().Select(p => p.Name).ToHashSet());
        Assert.Subset(read.GetProperty("items")[0].EnumerateObject().Select(p => p.Name).ToHashSet(),
            created.GetProperty("items")[0].EnumerateObject().Select(p => p.Name).ToHashSet());
        Assert.Equal(read.GetProperty("total_amount").GetDecimal(), created.GetProperty("total_amount").GetDecimal());
    }

    [Theory]
    [InlineData("text/csv", "limit=5")]
    [InlineData("text/csv", "cursor=abc")]
    [InlineData(null, "format=xlsx&limit=5")]
    public async Task Csv_and_excel_refuse_limit_and_cursor_instead_of_ignoring_them(string? accept, string query)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/datasets/orders/rows?{query}");
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        var field = query.Contains("limit", StringComparison.Ordinal) ? "limit" : "cursor";
        await AssertOwnWordsAsync(await apps.Client("sales").SendAsync(request), 400, field, "every matching row");
    }

    [Fact]
    public async Task A_date_on_a_timestamp_filter_means_that_whole_day()
    {
        // A day whose orders were placed during the day (the reference sample's are not at midnight).
        var text = await apps.Databases.ScalarAsync<string>("sales",
            "SELECT (order_date AT TIME ZONE 'UTC')::date::text FROM orders WHERE (order_date AT TIME ZONE 'UTC')::time <> '00:00' ORDER BY order_id LIMIT 1");
        async Task<long> SqlAsync(string condition) => await apps.Databases.ScalarAsync<long>("sales",
            $"SELECT count(*) FROM orders WHERE {condition.Replace("@day", $"'{text}'::date")}");
        async Task<int> ApiAsync(string filter) =>
            (await (await apps.Client("sales").GetAsync($"/datasets/orders/rows?{filter}&limit=1000")).JsonAsync()).GetProperty("items").GetArrayLength();

        var thatDay = await SqlAsync("(order_date AT TIME ZONE 'UTC')::date = @day");
        Assert.True(thatDay > 0);
        Assert.Equal(thatDay, await ApiAsync($"order_date={text}"));
        Assert.Equal(await SqlAsync("(order_date AT TIME ZONE 'UTC')::date > @day"), await ApiAsync($"order_date.gt={text}"));
        Assert.Equal(await SqlAsync("(order_date AT TIME ZONE 'UTC')::date <= @day"), await ApiAsync($"order_date.lte={text}"));
        Assert.Equal(await SqlAsync("(order_date AT TIME ZONE 'UTC')::date < @day"), await ApiAsync($"order_date.lt={text}"));
        Assert.Equal(await SqlAsync("(order_date AT TIME ZONE 'UTC')::date >= @day"), await ApiAsync($"order_date.gte={text}"));
        await AssertOwnWordsAsync(await apps.Client("sales").GetAsync($"/datasets/orders/rows?order_date={text}&order_date=2026-01-01"), 400, "order_date", ".gte=");
    }

    [Theory]
    [InlineData("text/csv;q=0.1, application/json", "application/json")]
    [InlineData("application/json;q=0.2, text/csv", "text/csv")]
    [InlineData("text/csv;q=0, */*;q=0.5", "application/json")]
    [InlineData("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;q=0.9, text/csv;q=0.8", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    [InlineData("text/html, */*;q=0.8", "application/json")]
    public async Task Accept_q_values_choose_the_format(string accept, string mediaType)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/datasets/products/rows");
        request.Headers.TryAddWithoutValidation("Accept", accept);
        var response = await apps.Client("sales").SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    [InlineData("Csv", "text/csv")]
    [InlineData("JSON", "application/json")]
    public async Task Format_is_case_insensitive(string format, string mediaType)
    {
        var response = await apps.Client("sales").GetAsync($"/datasets/products/rows?format={format}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        await AssertOwnWordsAsync(await apps.Client("sales").GetAsync("/datasets/products/rows?format=parquet"), 400, "format", "json, csv, xlsx");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/datasets")]
    [InlineData("/datasets/orders")]
    [InlineData("/datasets/orders/rows")]
    [InlineData("/contracts/orders.yaml")]
    [InlineData("/orders/1")]
    [InlineData("/openapi/v1.json")]
    public async Task Head_answers_wherever_get_does_with_the_same_status_and_no_body(string path)
    {
        var client = apps.Client("sales");
        var get = await client.GetAsync(path);
        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await apps.Api("sales").SendAsync(new HttpRequestMessage(HttpMethod.Head, "/datasets/orders/rows"))).StatusCode);
    }

    [Fact]
    public async Task Head_over_a_real_connection_sends_headers_only_and_the_next_response_follows_intact()
    {
        var (api, address) = await apps.StartSalesOnKestrelAsync();
        await using (api)
        {
            using var socket = new System.Net.Sockets.TcpClient();
            await socket.ConnectAsync(address.Host, address.Port);
            var stream = socket.GetStream();
            // Two requests on one connection: a body after the HEAD's headers would be read as the next response.
            await stream.WriteAsync("HEAD / HTTP/1.1\r\nHost: api\r\n\r\nGET /datasets HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n"u8.ToArray());
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var wire = await reader.ReadToEndAsync();
            var second = wire.IndexOf("HTTP/1.1 ", 1, StringComparison.Ordinal);
            Assert.StartsWith("HTTP/1.1 200", wire, StringComparison.Ordinal);
            Assert.True(second > 0, wire);
            Assert.EndsWith("\r\n\r\n", wire[..second], StringComparison.Ordinal); // the HEAD response ends with its headers
            Assert.DoesNotContain("Transfer-Encoding", wire[..second], StringComparison.Ordinal);
            Assert.StartsWith("HTTP/1.1 200", wire[second..], StringComparison.Ordinal);
            Assert.Contains("\"customers\"", wire[second..], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Csv_timestamps_are_written_as_json_writes_them()
    {
        var json = await (await apps.Client("sales").GetAsync("/datasets/orders/rows?fields=order_id,order_date&limit=1000")).JsonAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/datasets/orders/rows?fields=order_id,order_date");
        request.Headers.Accept.ParseAdd("text/csv");
        var csv = (await (await apps.Client("sales").SendAsync(request)).Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(',')).ToDictionary(cells => long.Parse(cells[0], System.Globalization.CultureInfo.InvariantCulture), cells => cells[1]);

        Assert.NotEmpty(csv);
        foreach (var row in json.GetProperty("items").EnumerateArray())
        {
            var cell = csv[row.GetProperty("order_id").GetInt64()];
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$", cell); // never seven fractional digits
            Assert.Equal(row.GetProperty("order_date").GetDateTime(), DateTime.Parse(cell, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal));
        }
    }

    [Fact]
    public async Task Excel_timestamps_are_date_cells_that_show_the_time_of_day()
    {
        var bytes = await apps.Client("sales").GetByteArrayAsync("/datasets/orders/rows?format=xlsx&fields=order_id,order_date");
        using var zip = new ZipArchive(new MemoryStream(bytes));
        XNamespace main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        var styles = XDocument.Load(zip.GetEntry("xl/styles.xml")!.Open());
        var formats = styles.Descendants(main + "numFmt").ToDictionary(f => (string)f.Attribute("numFmtId")!, f => (string)f.Attribute("formatCode")!);
        var cellFormats = styles.Root!.Element(main + "cellXfs")!.Elements(main + "xf").Select(x => (string?)x.Attribute("numFmtId")).ToList();
        var sheet = XDocument.Load(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open());
        var dateCells = sheet.Descendants(main + "c").Where(c => ((string)c.Attribute("r")!).StartsWith('B') && (string)c.Attribute("r")! != "B1").ToList();

        Assert.NotEmpty(dateCells);
        Assert.All(dateCells, cell =>
        {
            Assert.Null(cell.Attribute("t")); // a number (an Excel date), not text
            var format = cellFormats[int.Parse((string)cell.Attribute("s")!, System.Globalization.CultureInfo.InvariantCulture)];
            Assert.True(format is not null && formats.TryGetValue(format, out var code) && code.Contains("hh:mm", StringComparison.Ordinal),
                $"cell {cell.Attribute("r")} has number format {format}, which hides the time of day");
        });

        var first = MiniExcel.Query(new MemoryStream(bytes), useHeaderRow: true).Cast<IDictionary<string, object?>>().First();
        var expected = await apps.Databases.ScalarAsync<DateTime>("sales", $"SELECT order_date FROM orders WHERE order_id = {Convert.ToInt64(first["order_id"], System.Globalization.CultureInfo.InvariantCulture)}");
        Assert.Equal(expected.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToDateTime(first["order_date"], System.Globalization.CultureInfo.InvariantCulture).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A problem with <paramref name="status"/>, an error for <paramref name="field"/> containing <paramref name="says"/>, and no framework text.</summary>
    private static async Task<string> AssertOwnWordsAsync(HttpResponseMessage response, int status, string field, string says)
    {
        var body = await response.Content.ReadAsStringAsync();
        var problem = await response.ProblemAsync(status, field);
        var message = string.Join(" ", problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()));
        Assert.True(message.Contains(says, StringComparison.Ordinal), $"The error of {field} does not say '{says}': {body}");
        Assert.DoesNotContain(FrameworkText, t => body.Contains(t, StringComparison.Ordinal));
        return body;
    }
}
