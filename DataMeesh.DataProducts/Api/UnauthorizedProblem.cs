using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace DataMeesh.DataProducts.Api;

/// <summary>
/// A request without a usable token gets a 401 problem saying what to send and where to get it, instead of an empty
/// body. Whether a token was sent at all is said; why it was refused is not (expired, forged, wrong issuer: that would
/// teach an attacker what to forge next; the reason is in the API's log), and <c>WWW-Authenticate</c> stays a plain
/// <c>Bearer</c>.
/// </summary>
internal static class UnauthorizedProblem
{
    public const string Title = "A token is needed.";

    public static async Task WriteAsync(JwtBearerChallengeContext challenge)
    {
        challenge.HandleResponse();
        var context = challenge.HttpContext;
        var sent = context.Request.Headers.Authorization.Count > 0;
        var detail = (sent
                         ? "The bearer token was refused: it is expired, altered, or not issued by the platform for this API. Get a new one."
                         : "This needs a bearer token (Authorization: Bearer <token>). Any token of the platform reads; writes and quality runs need the domain's role.")
                     + " " + AccessOpenApiTransformer.TokensHelp;
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = Title, Detail = detail },
        });
    }
}
