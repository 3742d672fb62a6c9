using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DataMeesh.TokenService;

/// <summary>A token for any roles, for the dashboard command (the caller is the AppHost, which holds the developer key).</summary>
public sealed record DeveloperTokenRequest(string? Subject, string[]? Roles);

public static class TokenEndpoints
{
    private const string DefaultDeveloperSubject = "developer";

    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder app)
    {
        // What a data-product API needs to check a token: the issuer and the public key, never the private one.
        app.MapGet(PlatformTokens.DiscoveryPath, Discovery).WithTags("Keys");
        app.MapGet(PlatformTokens.KeysPath, Keys).WithTags("Keys");

        app.MapPost(PlatformTokens.JupyterHubExchangePath, ExchangeJupyterHubTokenAsync).WithTags("Tokens");
        if (!string.IsNullOrWhiteSpace(app.ServiceProvider.GetRequiredService<IOptions<TokenOptions>>().Value.DeveloperKey))
        {
            app.MapPost(PlatformTokens.DeveloperPath, IssueDeveloperToken).WithTags("Tokens");
        }

        return app;
    }

    private static Ok<Dictionary<string, object>> Discovery(HttpRequest request) => TypedResults.Ok(new Dictionary<string, object>
    {
        ["issuer"] = PlatformTokens.Issuer,
        ["jwks_uri"] = $"{request.Scheme}://{request.Host}{request.PathBase}{PlatformTokens.KeysPath}",
        ["id_token_signing_alg_values_supported"] = new[] { PlatformTokens.Algorithm },
    });

    private static Ok<object> Keys(TokenSigner signer) => TypedResults.Ok<object>(new
    {
        keys = new[]
        {
            new { kty = signer.PublicKey.Kty, crv = signer.PublicKey.Crv, x = signer.PublicKey.X, y = signer.PublicKey.Y,
                  kid = signer.KeyId, use = signer.PublicKey.Use, alg = signer.PublicKey.Alg },
        },
    });

    /// <summary>
    /// A JupyterHub user's server sends its own JUPYTERHUB_API_TOKEN as the bearer token; the hub says whose it is and
    /// which groups they are in, and the answer is a platform token with the roles those groups grant (<see cref="HubGroupRoles"/>).
    /// </summary>
    private static async Task<Results<Ok<IssuedToken>, ProblemHttpResult>> ExchangeJupyterHubTokenAsync(HttpContext context,
        TokenSigner signer, JupyterHubUsers hub, IOptions<TokenOptions> options, ILogger<TokenSigner> logger, CancellationToken cancellationToken)
    {
        if (BearerToken(context.Request) is not { } hubToken)
        {
            return Unauthorized(context, "Send your JupyterHub server's token as `Authorization: Bearer $JUPYTERHUB_API_TOKEN`.");
        }

        if (options.Value.JupyterHubUrl is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No JupyterHub configured",
                detail: "This token service is not connected to a JupyterHub (Tokens:JupyterHubUrl), so it cannot check hub tokens.");
        }

        HubUser user;
        try
        {
            user = await hub.WhoOwnsAsync(hubToken, cancellationToken);
        }
        catch (HubRefusedException e) when (e.Status == System.Net.HttpStatusCode.Unauthorized)
        {
            return Unauthorized(context, e.Message);
        }
        catch (HubRefusedException e)
        {
            logger.LogWarning("Hub token exchange failed: {Reason}", e.Message);
            return TypedResults.Problem(statusCode: (int)e.Status, title: "JupyterHub could not vouch for the token", detail: e.Message);
        }

        if (user.Kind != "user")
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not a user's token",
                detail: $"The token belongs to a JupyterHub {user.Kind ?? "client"} ('{user.Name}'); only a user's server token is exchanged.");
        }

        if (user.Groups is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "JupyterHub did not say which groups the user is in",
                detail: "GET /hub/api/user answered without the user's groups (JupyterHub 2.0 and later always include them).");
        }

        var issued = signer.Issue(user.Name!, HubGroupRoles.For(user.Groups), options.Value.Lifetime, issuedFor: "jupyterhub");
        logger.LogInformation("Issued a token to hub user {User} with roles [{Roles}]", issued.Subject, string.Join(", ", issued.Roles));
        return TypedResults.Ok(issued);
    }

    private static Results<Ok<IssuedToken>, ProblemHttpResult> IssueDeveloperToken(HttpContext context, DeveloperTokenRequest? request,
        TokenSigner signer, IOptions<TokenOptions> options, ILogger<TokenSigner> logger)
    {
        if (BearerToken(context.Request) is not { } key || !SameSecret(key, options.Value.DeveloperKey!))
        {
            return Unauthorized(context, "This endpoint serves the AppHost's dashboard command only (its developer key).");
        }

        var roles = request?.Roles ?? [];
        var unknown = roles.Where(role => !PlatformRoles.All.Contains(role, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown role",
                detail: $"No such role: {string.Join(", ", unknown)}. A token can carry {string.Join(", ", PlatformRoles.All)} (or none: a reader).");
        }

        var subject = string.IsNullOrWhiteSpace(request?.Subject) ? DefaultDeveloperSubject : request.Subject.Trim();
        var issued = signer.Issue(subject, roles, options.Value.Lifetime, issuedFor: "developer");
        logger.LogInformation("Issued a developer token to {Subject} with roles [{Roles}]", issued.Subject, string.Join(", ", issued.Roles));
        return TypedResults.Ok(issued);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Prefix = "Bearer ";
        return header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && header.Length > Prefix.Length ? header[Prefix.Length..].Trim() : null;
    }

    private static bool SameSecret(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected.Trim())));

    private static ProblemHttpResult Unauthorized(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A token is needed", detail: detail);
    }
}
