using System.Net.Sockets;
using System.Text.Json;
using DataMeesh.DataProducts.Catalog;
using DataMeesh.DataProducts.Rows;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataMeesh.DataProducts.Api;

/// <summary>
/// Every failure becomes an RFC 9457 problem: refused input (with the field at fault), bodies that do not parse or are
/// too large, and an unreachable database (503 with Retry-After: the pool reconnects by itself when it is back).
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, DataPlane dataPlane, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            ProblemException e => Problem(e.Status, e.Title, e.Message, e.Errors),
            BadHttpRequestException e => BadRequest(e),
            // SQLSTATE class 22 (data exception: out of range, invalid text) or 23 (integrity constraint violation: unique,
            // foreign key, check, not null): the caller's values were refused, a 4xx naming the field, not a 500.
            PostgresException { SqlState: ['2', '2' or '3', ..] } e => RefusedByDatabase(e),
            _ when IsDatabaseUnavailable(exception) => Unavailable(context, exception),
            _ => null,
        };
        if (problem is null)
        {
            return false; // the default handler answers 500 (and logs it)
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private ProblemDetails Unavailable(HttpContext context, Exception exception)
    {
        logger.LogWarning("Database unavailable for {Path}: {Reason}", context.Request.Path, exception.Message);
        // After a restart every idle pooled connection is dead, and each would fail one more request when next used:
        // dropping them now means the first requests after the database returns open fresh connections instead.
        dataPlane.DataSource.Clear();
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status503ServiceUnavailable, "The database is unavailable.",
            $"The data product's database cannot be reached right now. Retry in {RetryAfterSeconds} seconds.", null);
    }

    private static ProblemDetails BadRequest(BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(413, "The request body is too large.", exception.Message, new Dictionary<string, string[]> { ["body"] = [exception.Message] });
        }

        // JSON that does not parse or does not fit the model: name the field from the JSON path ($.items[0].quantity).
        var json = exception.InnerException as JsonException;
        var field = json?.Path is { Length: > 0 } path ? path.TrimStart('$').TrimStart('.') : ParameterName(exception.Message) ?? "body";
        var detail = json is not null ? $"The JSON body is not valid at '{(field.Length == 0 ? "body" : field)}'." : exception.Message;
        return Problem(exception.StatusCode, "The request is not valid.", detail,
            new Dictionary<string, string[]> { [field.Length == 0 ? "body" : field] = [detail] });
    }

    /// <summary>
    /// The database's constraints are the last line of validation: a violation names its constraint
    /// (<c>leads_email_key</c>, <c>orders_payment_method_check</c>), from which the request field is derived.
    /// </summary>
    private static ProblemDetails RefusedByDatabase(PostgresException exception)
    {
        var column = exception.ConstraintName ?? exception.ColumnName ?? "";
        if (exception.TableName is { } table && column.StartsWith(table + "_", StringComparison.Ordinal))
        {
            column = column[(table.Length + 1)..];
        }

        column = System.Text.RegularExpressions.Regex.Replace(column, "_(key|fkey|check[0-9]*|pkey)$", "");
        var field = column.Length == 0 || column == "check" ? "body" : JsonNamingPolicy.CamelCase.ConvertName(ToPascal(column));
        var (status, message) = exception.SqlState switch
        {
            PostgresErrorCodes.UniqueViolation => (StatusCodes.Status409Conflict, $"A row with this {field} already exists."),
            PostgresErrorCodes.ForeignKeyViolation => (StatusCodes.Status400BadRequest, $"The {field} does not exist."),
            PostgresErrorCodes.CheckViolation => (StatusCodes.Status400BadRequest, $"The {field} is not an accepted value."),
            PostgresErrorCodes.NotNullViolation => (StatusCodes.Status400BadRequest, $"The {field} is required."),
            _ => (StatusCodes.Status400BadRequest, "A value is out of range or not valid."),
        };
        return Problem(status, status == 409 ? "Conflict." : "The request is not valid.", message,
            new Dictionary<string, string[]> { [field] = [message] });
    }

    private static string ToPascal(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    // 'Failed to bind parameter "long id" from "abc".' -> id
    private static string? ParameterName(string message)
    {
        const string marker = "parameter \"";
        var start = message.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var end = message.IndexOf('"', start + marker.Length);
        var declaration = message[(start + marker.Length)..end];
        return declaration[(declaration.LastIndexOf(' ') + 1)..];
    }

    private static ProblemDetails Problem(int status, string title, string detail, IDictionary<string, string[]>? errors)
    {
        var problem = errors is null ? new ProblemDetails() : new ValidationProblemDetails(errors);
        problem.Status = status;
        problem.Title = title;
        problem.Detail = detail;
        return problem;
    }

    internal static bool IsDatabaseUnavailable(Exception exception) => exception switch
    {
        DatabaseNotReadyException => true,
        // Class 08 connection exceptions, 53 insufficient resources, 57P0x shutdown / cannot connect now.
        PostgresException e => e.SqlState.StartsWith("08", StringComparison.Ordinal) || e.SqlState.StartsWith("53", StringComparison.Ordinal)
                               || e.SqlState.StartsWith("57P", StringComparison.Ordinal),
        NpgsqlException { InnerException: SocketException or IOException or TimeoutException or EndOfStreamException } => true,
        NpgsqlException e => e.IsTransient,
        TimeoutException => true,
        _ => false,
    };
}
