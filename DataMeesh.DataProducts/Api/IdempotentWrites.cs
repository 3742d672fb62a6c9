using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataMeesh.DataProducts.Rows;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataMeesh.DataProducts.Api;

/// <param name="StatusCode">201 for a created resource.</param>
/// <param name="Body">The response body (serialised as JSON, and stored for replays).</param>
/// <param name="Location">The created resource.</param>
public sealed record WriteOutcome(int StatusCode, object Body, string? Location);

/// <summary>
/// Runs a write in one transaction and, when the request carries an <c>Idempotency-Key</c>, records the key and the
/// response in the same transaction. A retry with the same key gets the stored response (<c>Idempotent-Replayed: true</c>)
/// and never a second row: concurrent requests with one key serialise on the key's primary key, and the loser replays
/// the winner's response once it commits. A key reused for a different request is refused (422). Keys belong to their
/// caller (the token's issuer and subject): another caller's identical key is another request. Every string of the
/// request is checked by <see cref="WriteText"/> first.
/// </summary>
public sealed class IdempotentWrites(DataPlane dataPlane, IOptions<JsonOptions> jsonOptions)
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeaderName = "Idempotent-Replayed";

    public async Task<IResult> ExecuteAsync<TRequest>(HttpContext context, string operation, TRequest request,
        Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<WriteOutcome>> write)
    {
        var cancellationToken = context.RequestAborted;
        var key = ReadKey(context.Request);
        var caller = key is null ? "" : CallerOf(context.User);
        var json = JsonSerializer.SerializeToUtf8Bytes(request, JsonSerializerOptions.Web);
        using (var document = JsonDocument.Parse(json))
        {
            WriteText.Validate(document.RootElement); // before any text reaches the database
        }

        var requestHash = Convert.ToHexStringLower(SHA256.HashData(json));

        await using var connection = await dataPlane.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (key is not null)
        {
            await using var claim = new NpgsqlCommand("""
                INSERT INTO datameesh.idempotency_keys (caller, operation, key, request_hash) VALUES (@caller, @operation, @key, @hash)
                ON CONFLICT DO NOTHING
                """, connection, transaction);
            claim.Parameters.AddWithValue("caller", caller);
            claim.Parameters.AddWithValue("operation", operation);
            claim.Parameters.AddWithValue("key", key);
            claim.Parameters.AddWithValue("hash", requestHash);
            if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return await ReplayAsync(connection, caller, operation, key, requestHash, cancellationToken);
            }
        }

        var outcome = await write(connection, transaction, cancellationToken);
        var body = JsonSerializer.Serialize(outcome.Body, outcome.Body.GetType(), jsonOptions.Value.SerializerOptions); // as the document says
        if (key is not null)
        {
            await using var record = new NpgsqlCommand("""
                UPDATE datameesh.idempotency_keys SET status_code = @status, location = @location, response_body = @body
                WHERE caller = @caller AND operation = @operation AND key = @key
                """, connection, transaction);
            record.Parameters.AddWithValue("caller", caller);
            record.Parameters.AddWithValue("status", outcome.StatusCode);
            record.Parameters.AddWithValue("location", (object?)outcome.Location ?? DBNull.Value);
            record.Parameters.AddWithValue("body", body);
            record.Parameters.AddWithValue("operation", operation);
            record.Parameters.AddWithValue("key", key);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new ReplayResult(outcome.StatusCode, outcome.Location, body) { Replayed = false };
    }

    private static async Task<IResult> ReplayAsync(NpgsqlConnection connection, string caller, string operation, string key, string requestHash,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT request_hash, status_code, location, response_body FROM datameesh.idempotency_keys
            WHERE caller = @caller AND operation = @operation AND key = @key
            """, connection);
        command.Parameters.AddWithValue("caller", caller);
        command.Parameters.AddWithValue("operation", operation);
        command.Parameters.AddWithValue("key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || reader.IsDBNull(1))
        {
            // The first request with this key rolled back between our conflict and this read: the client may retry.
            throw new ProblemException(StatusCodes.Status409Conflict, "The request is being processed.",
                "A request with this Idempotency-Key did not complete; retry it.");
        }

        if (reader.GetString(0) != requestHash)
        {
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused.",
                "This Idempotency-Key was used for a different request. Use a new key for a new request.",
                new Dictionary<string, string[]> { [HeaderName] = ["Already used for a different request body."] });
        }

        return new ReplayResult(reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3));
    }

    /// <summary>
    /// Whose key it is: a SHA-256 of the token's issuer and subject (<c>sub</c>), so two callers' keys never meet and the
    /// table stores no identities. A token without a subject cannot use keys: its retries could not be told from another's.
    /// </summary>
    private static string CallerOf(ClaimsPrincipal user)
    {
        var subject = user.FindFirst(ClaimTypes.NameIdentifier) ?? user.FindFirst("sub");
        if (subject is null || subject.Value.Length == 0)
        {
            throw ProblemException.BadRequest(HeaderName, "Idempotency-Key needs a token with a subject (sub claim): keys belong to their caller.");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{subject.Issuer}\n{subject.Value}")));
    }

    private static string? ReadKey(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(HeaderName, out var values))
        {
            return null;
        }

        var key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > 255 || key.Any(c => c is < '!' or > '~'))
        {
            throw ProblemException.BadRequest(HeaderName, "Idempotency-Key must be one value of 1-255 visible ASCII characters (a UUID is a good choice).");
        }

        return key;
    }

    /// <summary>A stored (or just produced) JSON response, written byte for byte the same on every replay.</summary>
    private sealed class ReplayResult(int status, string? location, string body) : IResult
    {
        public bool Replayed { get; init; } = true;

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            if (location is not null)
            {
                httpContext.Response.Headers.Location = location;
            }

            if (Replayed)
            {
                httpContext.Response.Headers[ReplayedHeaderName] = "true";
            }

            await httpContext.Response.WriteAsync(body);
        }
    }
}
