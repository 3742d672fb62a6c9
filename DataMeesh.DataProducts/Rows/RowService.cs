using System.Buffers;
using System.Data;
using System.Text.Json;
using CommunityToolkit.HighPerformance.Buffers;
using DataMeesh.DataProducts.Api;
using DataMeesh.DataProducts.Database;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using MiniExcelLibs;
using MiniExcelLibs.Attributes;
using MiniExcelLibs.OpenXml;
using Npgsql;

namespace DataMeesh.DataProducts.Rows;

/// <summary>Runs row requests against the API's least-privilege connection and writes JSON pages, CSV or Excel.</summary>
public sealed class RowService(DataPlane dataPlane)
{
    public const string CsvMediaType = "text/csv";
    public const string XlsxMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>The most rows a worksheet can hold below its header.</summary>
    public const int MaxWorkbookRows = 1_048_575;

    private const int FlushThreshold = 64 * 1024;

    /// <summary>
    /// One page as JSON: <c>{ dataset, limit, items, nextCursor, links }</c>. A page is at most 1,000 rows, so it is built in
    /// memory first: an error while reading gives a clean problem response, never half a document.
    /// </summary>
    public async Task WritePageAsync(HttpContext context, RowRequest request)
    {
        using var buffer = new ArrayPoolBufferWriter<byte>(32 * 1024);
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("dataset", request.Dataset.Name);
            writer.WriteNumber("limit", request.Limit);
            writer.WritePropertyName("items");
            var nextCursor = await WriteItemsAsync(writer, request, context.RequestAborted);
            writer.WriteString("nextCursor", nextCursor);
            writer.WriteStartObject("links");
            writer.WriteString("self", context.Request.Path + context.Request.QueryString);
            writer.WriteString("next", nextCursor is null ? null : NextLink(context.Request, nextCursor));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await WriteJsonAsync(context, buffer.WrittenMemory);
    }

    /// <summary>
    /// Sends a JSON document built in memory with its Content-Length: without it the response is chunked, and the last,
    /// empty chunk costs a second send per request.
    /// </summary>
    public static async Task WriteJsonAsync(HttpContext context, ReadOnlyMemory<byte> json)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }

    /// <summary>Writes the page's rows as a JSON array; returns the cursor of the next page, or null on the last page.</summary>
    public async Task<string?> WriteItemsAsync(Utf8JsonWriter writer, RowRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await dataPlane.OpenConnectionAsync(cancellationToken);
        await using var command = RowSql.Build(request, connection, request.Limit + 1);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        return await WriteItemsAsync(writer, reader, request, cancellationToken);
    }

    /// <summary>Writes the current result set of <paramref name="reader"/> (a query built for <paramref name="request"/>).</summary>
    private static async Task<string?> WriteItemsAsync(Utf8JsonWriter writer, NpgsqlDataReader reader, RowRequest request, CancellationToken cancellationToken)
    {
        var sort = request.EffectiveSort;
        var selected = RowSql.SelectedColumns(request, sort);
        var fields = request.Fields;
        // Where each sort column is read: only those values are kept (boxed), to build the next page's cursor.
        var sortOrdinals = new int[sort.Count];
        var isSortColumn = new bool[selected.Count];
        for (var s = 0; s < sort.Count; s++)
        {
            sortOrdinals[s] = IndexOf(selected, sort[s].Column);
            isSortColumn[sortOrdinals[s]] = true;
        }

        var values = new object?[selected.Count];
        var rows = 0;
        var hasMore = false;

        writer.WriteStartArray();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (rows == request.Limit)
            {
                hasMore = true;
                break;
            }

            rows++;
            // Only the page's last row gives the cursor its sort values; the others are written without boxing them.
            var isLastOfPage = rows == request.Limit;
            writer.WriteStartObject();
            for (var i = 0; i < selected.Count; i++)
            {
                var kind = selected[i].Type.Kind;
                var written = i < fields.Count;
                if (written)
                {
                    writer.WritePropertyName(fields[i].JsonName);
                }

                if (isSortColumn[i] && isLastOfPage)
                {
                    values[i] = RowValues.Read(reader, i, kind);
                    if (written)
                    {
                        WriteValue(writer, values[i]);
                    }
                }
                else if (written)
                {
                    RowValues.WriteJson(writer, reader, i, kind);
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (!hasMore)
        {
            return null;
        }

        var last = new object?[sort.Count];
        for (var s = 0; s < sort.Count; s++)
        {
            last[s] = values[sortOrdinals[s]];
        }

        return request.EncodeCursor(last);
    }

    private static int IndexOf(IReadOnlyList<Catalog.Column> columns, Catalog.Column column)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i] == column)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Whether any row matches the request's filters.</summary>
    public async Task<bool> ExistsAsync(RowRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await dataPlane.OpenConnectionAsync(cancellationToken);
        await using var command = RowSql.Build(request with { Fields = request.Dataset.Key }, connection, 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken);
    }

    /// <summary>
    /// Writes the first matching row as a JSON object with one array property per nested collection (e.g. an order with its
    /// items); false when no row matches. The row and its collections are read in one batch: one connection, one round trip.
    /// </summary>
    public async Task<bool> WriteSingleAsync(Utf8JsonWriter writer, RowRequest request, CancellationToken cancellationToken,
        IReadOnlyList<(string Property, RowRequest Rows)>? nested = null)
    {
        nested ??= [];
        await using var connection = await dataPlane.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(RowSql.BuildBatchCommand(request with { Limit = 1 }, 1));
        foreach (var (_, rows) in nested)
        {
            batch.BatchCommands.Add(RowSql.BuildBatchCommand(rows, rows.Limit + 1));
        }

        await using var reader = await batch.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return false;
        }

        writer.WriteStartObject();
        var fields = request.Fields;
        for (var i = 0; i < fields.Count; i++)
        {
            writer.WritePropertyName(fields[i].JsonName);
            RowValues.WriteJson(writer, reader, i, fields[i].Type.Kind);
        }

        foreach (var (property, rows) in nested)
        {
            await reader.NextResultAsync(cancellationToken);
            writer.WritePropertyName(property);
            await WriteItemsAsync(writer, reader, rows, cancellationToken);
        }

        writer.WriteEndObject();
        return true;
    }

    /// <summary>
    /// The whole filtered result as RFC 4180 CSV, streamed: rows go out in 64 KB chunks as PostgreSQL sends them, so memory
    /// stays flat whatever the size. If the database fails mid-stream the connection is aborted, so a client never
    /// mistakes a truncated export for a complete one.
    /// </summary>
    public async Task WriteCsvAsync(HttpContext context, RowRequest request)
    {
        var cancellationToken = context.RequestAborted;
        await using var connection = await dataPlane.OpenConnectionAsync(cancellationToken);
        await using var command = RowSql.Build(request, connection, limit: null);
        command.CommandTimeout = 0; // a large export is not a hung query
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);

        context.Response.ContentType = CsvMediaType + "; charset=utf-8; header=present";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{request.Dataset.Name}.csv\"";
        var buffer = new ArrayBufferWriter<byte>(FlushThreshold * 2);
        var fields = request.Fields;
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                RowValues.WriteAscii(buffer, ",");
            }

            RowValues.WriteCsvText(buffer, fields[i].Name);
        }

        RowValues.WriteAscii(buffer, "\r\n");
        while (await reader.ReadAsync(cancellationToken))
        {
            for (var i = 0; i < fields.Count; i++)
            {
                if (i > 0)
                {
                    buffer.GetSpan(1)[0] = (byte)',';
                    buffer.Advance(1);
                }

                RowValues.WriteCsv(buffer, reader, i, fields[i].Type);
            }

            var end = buffer.GetSpan(2);
            end[0] = (byte)'\r';
            end[1] = (byte)'\n';
            buffer.Advance(2);
            if (buffer.WrittenCount >= FlushThreshold)
            {
                await context.Response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }

        await context.Response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }

    /// <summary>
    /// The filtered result as an Excel workbook (one worksheet, header row, PII masked as everywhere else). Written to a
    /// temporary file by a streaming writer, then sent, so memory stays flat; results beyond a worksheet's capacity are
    /// refused with a pointer to CSV.
    /// </summary>
    public async Task WriteXlsxAsync(HttpContext context, RowRequest request)
    {
        var cancellationToken = context.RequestAborted;
        await using var connection = await dataPlane.OpenConnectionAsync(cancellationToken);
        await using (var count = RowSql.Count(request, connection))
        {
            var rows = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            if (rows > MaxWorkbookRows)
            {
                throw ProblemException.BadRequest("format",
                    $"{rows:N0} rows do not fit in a worksheet ({MaxWorkbookRows:N0} at most): filter the rows or ask for text/csv.");
            }
        }

        await using var command = RowSql.Build(request, connection, limit: null);
        command.CommandTimeout = 0;
        var file = Path.Combine(Path.GetTempPath(), $"datameesh-{Guid.NewGuid():N}.xlsx");
        try
        {
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            await using (var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                await MiniExcel.SaveAsAsync(output, reader, sheetName: request.Dataset.Name,
                    excelType: ExcelType.XLSX, configuration: WorkbookFormats(request), cancellationToken: cancellationToken);
            }

            context.Response.ContentType = XlsxMediaType;
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{request.Dataset.Name}.xlsx\"";
            await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
            context.Response.ContentLength = input.Length;
            await input.CopyToAsync(context.Response.Body, cancellationToken);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Timestamps as date cells that show the time of day (UTC, as in JSON and CSV); MiniExcel's default shows the date only.</summary>
    private static OpenXmlConfiguration WorkbookFormats(RowRequest request) => new()
    {
        DynamicColumns = request.Fields.Where(c => c.Type.Kind == Catalog.ValueKind.Timestamp && !request.IsMasked(c))
            .Select(c => new DynamicExcelColumn(c.Name) { Format = "yyyy-mm-dd hh:mm:ss" }).ToArray(),
    };

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case long integer: writer.WriteNumberValue(integer); break;
            case decimal number: writer.WriteNumberValue(number); break;
            case double real: writer.WriteNumberValue(real); break;
            case bool boolean: writer.WriteBooleanValue(boolean); break;
            case DateTime timestamp: writer.WriteStringValue(timestamp); break;
            case DateOnly date: writer.WriteStringValue(CursorValue.Format(date)); break;
            default: writer.WriteStringValue(value.ToString()); break;
        }
    }

    private static string NextLink(HttpRequest request, string cursor)
    {
        var query = request.Query.Where(p => !p.Key.Equals("cursor", StringComparison.OrdinalIgnoreCase))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
            .Append(new KeyValuePair<string, string?>("cursor", cursor));
        return QueryHelpers.AddQueryString(request.Path.ToString(), query);
    }
}
