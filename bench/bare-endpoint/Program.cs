using System.Buffers;
using System.Data;
using System.Text.Json;
using DataMeesh.DataProducts.Rows;
using Npgsql;

// The plainest GET /orders/{id} and first rows page there are on ASP.NET Core and Npgsql: the API's own statements
// (BENCH_ORDER_SQL and BENCH_ITEMS_SQL with $1 the order id, BENCH_PAGE_SQL) on a connection configured as the API's data
// plane, the same JSON values written through the reader's generic accessors, and nothing else: no authentication,
// authorization, middleware, catalog, masking or cursor. bench/api.sh measures the Sales API against it in the same run:
// the difference is what the data product's features (and its own value writers) cost per request, the rest is the
// framework, the driver and the kernel.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var connection = new NpgsqlConnectionStringBuilder(builder.Configuration.GetConnectionString("sales"));
DataPlane.Configure(connection, "sales"); // the API's own data-plane settings and role, not a copy of them
await using var dataSource = NpgsqlDataSource.Create(connection.ConnectionString);
var orderSql = Required("BENCH_ORDER_SQL");
var itemsSql = Required("BENCH_ITEMS_SQL");
var pageSql = Required("BENCH_PAGE_SQL");

var app = builder.Build();
app.MapGet("/orders/{id:long}", async (long id, HttpContext context) =>
{
    var json = new ArrayBufferWriter<byte>(4096);
    await using (var writer = new Utf8JsonWriter(json))
    {
        await using var session = await dataSource.OpenConnectionAsync(context.RequestAborted);
        await using var batch = new NpgsqlBatch(session)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(orderSql) { Parameters = { new NpgsqlParameter<long> { TypedValue = id } } },
                new NpgsqlBatchCommand(itemsSql) { Parameters = { new NpgsqlParameter<long> { TypedValue = id } } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(CommandBehavior.SequentialAccess, context.RequestAborted);
        if (!await reader.ReadAsync(context.RequestAborted))
        {
            return Results.NotFound();
        }

        writer.WriteStartObject();
        WriteColumns(writer, reader);
        await reader.NextResultAsync(context.RequestAborted);
        await WriteItemsAsync(writer, reader, int.MaxValue, context.RequestAborted);
        writer.WriteEndObject();
    }

    return Results.Bytes(json.WrittenMemory, "application/json; charset=utf-8");
});

// The first page's rows as the API's items (the statement asks for one more row, as the API's does, to know there is a
// next page); no cursor or links.
app.MapGet("/datasets/orders/rows", async (HttpContext context) =>
{
    const int limit = 100;
    var json = new ArrayBufferWriter<byte>(32 * 1024);
    await using (var writer = new Utf8JsonWriter(json))
    {
        await using var session = await dataSource.OpenConnectionAsync(context.RequestAborted);
        await using var command = new NpgsqlCommand(pageSql, session);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, context.RequestAborted);
        writer.WriteStartObject();
        writer.WriteString("dataset", "orders");
        writer.WriteNumber("limit", limit);
        await WriteItemsAsync(writer, reader, limit, context.RequestAborted);
        writer.WriteEndObject();
    }

    return Results.Bytes(json.WrittenMemory, "application/json; charset=utf-8");
});
app.Run();

static async Task WriteItemsAsync(Utf8JsonWriter writer, NpgsqlDataReader reader, int maxRows, CancellationToken cancellationToken)
{
    writer.WriteStartArray("items");
    for (var rows = 0; rows < maxRows && await reader.ReadAsync(cancellationToken); rows++)
    {
        writer.WriteStartObject();
        WriteColumns(writer, reader);
        writer.WriteEndObject();
    }

    writer.WriteEndArray();
}

static void WriteColumns(Utf8JsonWriter writer, NpgsqlDataReader reader)
{
    for (var i = 0; i < reader.FieldCount; i++)
    {
        writer.WritePropertyName(reader.GetName(i));
        if (reader.IsDBNull(i))
        {
            writer.WriteNullValue();
            continue;
        }

        var type = reader.GetFieldType(i);
        if (type == typeof(long)) writer.WriteNumberValue(reader.GetInt64(i));
        else if (type == typeof(int)) writer.WriteNumberValue(reader.GetInt32(i));
        else if (type == typeof(decimal)) writer.WriteNumberValue(reader.GetDecimal(i));
        else if (type == typeof(DateTime)) writer.WriteStringValue(reader.GetDateTime(i));
        else writer.WriteStringValue(reader.GetString(i));
    }
}

static string Required(string name) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException($"{name} is not set.");
