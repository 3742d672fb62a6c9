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
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, DataPlane dataPlane, ProductCatalog catalog, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            ProblemException e => Problem(e.Status, e.Title, e.Message, e.Errors),
            BadHttpRequestException e => BadRequest(context, e),
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

    /// <summary>
    /// What the framework refused before the handler ran, in our words: the framework's own message ("Failed to bind
    /// parameter...", "Implicit body inferred...") speaks of C# parameters and services, not of the request.
    /// </summary>
    private static ProblemDetails BadRequest(HttpContext context, BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            var tooLarge = $"The request body may be at most {Hosting.DataProductExtensions.MaxRequestBodyBytes / 1024} KB.";
            return Problem(413, "The request body is too large.", tooLarge, new Dictionary<string, string[]> { ["body"] = [tooLarge] });
        }

        if (exception.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            const string json = "Send the body as JSON, with the header Content-Type: application/json.";
            return Problem(415, "The body is not JSON.", json, new Dictionary<string, string[]> { ["Content-Type"] = [json] });
        }

        // The endpoint, as it was when the exception was thrown (the middleware clears it before calling handlers).
        var endpoint = context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint();
        var body = endpoint?.Metadata.GetMetadata<ValidatedBody>()?.BodyType;
        string field, detail;
        if (exception.InnerException is JsonException invalidJson)
        {
            // JSON that does not parse or does not fit the model: name the field from the JSON path ($.items[0].quantity).
            field = invalidJson.Path is { Length: > 0 } path ? path.TrimStart('$').TrimStart('.') : "";
            field = field.Length == 0 ? "body" : field;
            detail = field == "body"
                ? "The body is not valid JSON: send one JSON object, as the operation's schema in /openapi/v1.json describes."
                : $"{field} must be {Expected(body, field)}.";
        }
        else if (BoundParameter(exception.Message) is { } parameter)
        {
            // 'Failed to bind parameter "long id" from "abc".'
            (field, detail) = (parameter.Name, $"{parameter.Name} must be {Describe(parameter.Type)}, e.g. 42.");
        }
        else if (body is not null || context.Request.ContentLength is 0 || exception.Message.Contains("body", StringComparison.OrdinalIgnoreCase))
        {
            // 'Implicit body inferred for parameter "order" but no body was provided.'
            (field, detail) = ("body", "This operation needs a JSON body (Content-Type: application/json), as its schema in /openapi/v1.json describes.");
        }
        else
        {
            (field, detail) = ("request", "The request could not be read: check its parameters against /openapi/v1.json.");
        }

        return Problem(exception.StatusCode, "The request is not valid.", detail, new Dictionary<string, string[]> { [field] = [detail] });
    }

    /// <summary>What a JSON value at <paramref name="path"/> (<c>items[0].quantity</c>) of the body type should be.</summary>
    private static string Expected(Type? body, string path)
    {
        var type = body;
        foreach (var segment in path.Split('.'))
        {
            var name = segment.Split('[')[0];
            var property = type?.GetProperties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            type = property?.PropertyType;
            if (type is not null && segment.Contains('[') && type.IsGenericType)
            {
                type = type.GetGenericArguments()[0];
            }
        }

        return type is null ? "a value of the type its schema in /openapi/v1.json names" : Describe(Nullable.GetUnderlyingType(type) ?? type);
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(long) || type == typeof(int) || type == typeof(short) => "an integer (a JSON number such as 42, not \"42\")",
        _ when type == typeof(decimal) || type == typeof(double) => "a number (a JSON number such as 12.5, not \"12.5\")",
        _ when type == typeof(string) => "text (a JSON string)",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a timestamp such as \"2026-11-11T09:30:00Z\"",
        _ when type == typeof(DateOnly) => "a date such as \"2026-11-11\"",
        _ when type.IsAssignableTo(typeof(System.Collections.IEnumerable)) => "a JSON array",
        _ => "a JSON object",
    };

    private static (string Name, Type Type)? BoundParameter(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, "parameter \"(?<type>[A-Za-z0-9_.?]+) (?<name>[A-Za-z0-9_]+)\"");
        if (!match.Success)
        {
            return null;
        }

        var type = match.Groups["type"].Value.TrimEnd('?') switch
        {
            "long" or "int" or "short" => typeof(long),
            "decimal" or "double" => typeof(decimal),
            "bool" => typeof(bool),
            "DateOnly" => typeof(DateOnly),
            "DateTime" or "DateTimeOffset" => typeof(DateTimeOffset),
            _ => typeof(string),
        };
        return (match.Groups["name"].Value, type);
    }

    /// <summary>
    /// The database's constraints are the last line of validation: a violation names its constraint
    /// (<c>leads_email_key</c>, <c>orders_payment_method_check</c>), from which the dataset's columns, and so the request
    /// fields, are derived (never the constraint's own name). A refused value of a column with accepted values lists them.
    /// </summary>
    private ProblemDetails RefusedByDatabase(PostgresException exception)
    {
        var table = exception.TableName ?? "";
        var dataset = catalog.IsLoaded ? catalog.Find(table) : null;
        var columns = ColumnsOf(exception, table, dataset);
        var fields = columns.Select(c => JsonNamingPolicy.CamelCase.ConvertName(ToPascal(c))).ToList();
        var named = fields.Count == 0 ? "these values" : "this " + string.Join(" and ", fields);
        var accepted = columns.Count == 1 && dataset is not null
            ? WritesDatasetAttribute.AcceptedValues(catalog.Definition, dataset.Name, fields[0])
            : null;
        var (status, message) = exception.SqlState switch
        {
            PostgresErrorCodes.UniqueViolation => (StatusCodes.Status409Conflict,
                $"{(dataset?.Name ?? "The dataset")} already has a row with {named}: change {(fields.Count > 1 ? "one of them" : "it")}."),
            PostgresErrorCodes.ForeignKeyViolation => (StatusCodes.Status400BadRequest, $"The {string.Join(" and ", fields.DefaultIfEmpty("referenced row"))} does not exist."),
            PostgresErrorCodes.CheckViolation when accepted is not null => (StatusCodes.Status400BadRequest,
                $"{fields[0]} must be one of: {string.Join(", ", accepted)}."),
            PostgresErrorCodes.CheckViolation when fields.Count > 0 => (StatusCodes.Status400BadRequest,
                $"{string.Join(" and ", fields)} {(fields.Count > 1 ? "are" : "is")} out of the accepted range: see the field's description in /openapi/v1.json."),
            PostgresErrorCodes.CheckViolation => (StatusCodes.Status400BadRequest,
                "The values contradict each other (for example a date before one it must follow): see the operation's description in /openapi/v1.json."),
            PostgresErrorCodes.NotNullViolation => (StatusCodes.Status400BadRequest, $"{string.Join(" and ", fields.DefaultIfEmpty("A field"))} is required."),
            _ => (StatusCodes.Status400BadRequest, "A value is out of range or not valid: check the request against /openapi/v1.json."),
        };
        var errors = fields.Count == 0 ? new Dictionary<string, string[]> { ["body"] = [message] } : fields.ToDictionary(f => f, _ => new[] { message });
        return Problem(status, status == 409 ? "Conflict." : "The request is not valid.", message, errors);
    }

    /// <summary>
    /// The dataset columns a violated constraint covers: the column PostgreSQL names (not-null), else the constraint's name
    /// without the table and suffix (<c>campaign_metrics_campaign_id_metric_date_key</c>), split into the dataset's column
    /// names. A table-wide check (<c>leads_check1</c>) covers none.
    /// </summary>
    private static List<string> ColumnsOf(PostgresException exception, string table, Dataset? dataset)
    {
        if (exception.ColumnName is { Length: > 0 } column)
        {
            return [column];
        }

        var name = exception.ConstraintName ?? "";
        if (table.Length > 0 && name.StartsWith(table + "_", StringComparison.Ordinal))
        {
            name = name[(table.Length + 1)..];
        }

        name = System.Text.RegularExpressions.Regex.Replace(name, "_?(key|fkey|check[0-9]*|pkey)$", "");
        var known = dataset?.Columns.Select(c => c.Name).OrderByDescending(c => c.Length).ToList() ?? [];
        var found = new List<string>();
        while (name.Length > 0)
        {
            var next = known.FirstOrDefault(c => name == c || name.StartsWith(c + "_", StringComparison.Ordinal));
            if (next is null)
            {
                return known.Count == 0 && name.Length > 0 && found.Count == 0 ? [name] : found;
            }

            found.Add(next);
            name = name.Length == next.Length ? "" : name[(next.Length + 1)..];
        }

        return found;
    }

    private static string ToPascal(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

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
