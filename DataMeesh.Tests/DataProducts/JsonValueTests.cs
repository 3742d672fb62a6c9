using System.Globalization;
using System.Text;
using System.Text.Json;
using DataMeesh.DataProducts.Catalog;
using DataMeesh.DataProducts.Rows;
using DataMeesh.Tests.Infrastructure;
using Npgsql;

namespace DataMeesh.Tests.DataProducts;

/// <summary>
/// Numbers and text go from PostgreSQL's binary results into JSON without becoming .NET values (issue 14): the JSON must be
/// exactly what the decimal and the string gave, for what PostgreSQL itself prints. Read from a real server.
/// </summary>
public sealed class JsonValueTests
{
    private static readonly ColumnType Numeric = ColumnType.FromPostgres("numeric");
    private static readonly ColumnType Text = ColumnType.FromPostgres("text");

    [Fact]
    public async Task Numerics_are_written_as_postgresql_prints_them_and_as_the_decimal_did()
    {
        var random = new Random(14);
        var values = new List<string>
        {
            "0", "0.00", "1", "-1", "10000", "9999.9999", "48300.00", "-0.05", "0.00001234", "0.0001", "100000000.5",
            "12345678901234567890.12345678", "123456789012345678901234567890123456789.5", "-79228162514264337593543950335", "0.0000000000000000000000000001", "1e-3", "123.4500",
        };
        for (var i = 0; i < 2_000; i++)
        {
            var integer = random.NextInt64(0, long.MaxValue) / (long)Math.Pow(10, random.Next(0, 18));
            var fraction = random.Next(0, 1_000_000).ToString(CultureInfo.InvariantCulture).PadLeft(6, '0')[..random.Next(0, 7)];
            values.Add((random.Next(2) == 0 ? "-" : "") + integer + (fraction.Length > 0 ? "." + fraction : ""));
        }

        foreach (var (json, printed) in await WriteAsync("SELECT v::numeric, v::numeric::text FROM unnest(@values) v", values, Numeric))
        {
            Assert.Equal(printed, json);
            if (decimal.TryParse(printed, NumberStyles.Number, CultureInfo.InvariantCulture, out var number))
            {
                Assert.Equal(JsonSerializer.Serialize(number), json); // what the decimal gave before
            }
        }

        // Scales from a column's type: numeric(12,2) keeps two places, as the tables' amounts do.
        Assert.Equal([("5.00", "5.00"), ("-0.10", "-0.10"), ("1234567890.12", "1234567890.12")],
            await WriteAsync("SELECT v::numeric(12,2), v::numeric(12,2)::text FROM unnest(@values) v", ["5", "-0.1", "1234567890.123"], Numeric));
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public async Task A_numeric_that_is_no_finite_number_fails_as_the_decimal_did(string value)
    {
        var failure = await Assert.ThrowsAsync<InvalidCastException>(() => WriteAsync("SELECT v::numeric, v FROM unnest(@values) v", [value], Numeric));
        Assert.Contains("no JSON number", failure.Message);
    }

    [Fact]
    public async Task Text_is_written_as_the_string_was()
    {
        string[] values =
        [
            "", "plain", "quote \" and back\\slash", "tab\tline\nfeed", "\u0001 control", "é ü ß", "日本語", "😀 emoji",
            "<script>alert('x') & co</script>", "+44 20 7946 0001",
            // Longer than the reader's 16 KB buffer: written in segments, one of them cut inside a two-byte character.
            new string('x', 20_000), new string('x', 16 * 1024), "ab" + new string('é', 9_000), "a" + new string('é', 9_000) + "😀",
        ];

        var written = await WriteAsync("SELECT v, v FROM unnest(@values) v", values, Text);

        Assert.Equal(values.Select(v => JsonSerializer.Serialize(v)), written.Select(w => w.Json));
    }

    /// <summary>Runs <paramref name="sql"/> (value, then PostgreSQL's text of it) and writes each first column as the rows engine does.</summary>
    private static async Task<List<(string Json, string Printed)>> WriteAsync(string sql, IReadOnlyList<string> values, ColumnType type)
    {
        await using var connection = new NpgsqlConnection(await PostgresServer.GetAdminConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("values", values.ToArray());
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess);
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync())
        {
            var buffer = new MemoryStream();
            await using (var writer = new Utf8JsonWriter(buffer))
            {
                RowValues.WriteJson(writer, reader, 0, type.Kind);
            }

            rows.Add((Encoding.UTF8.GetString(buffer.ToArray()), reader.GetString(1)));
        }

        return rows;
    }
}
