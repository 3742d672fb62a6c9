using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace DataMeesh.DataProducts.Api;

/// <summary>
/// Writes a problem as <c>application/problem+json</c> whatever the request's <c>Accept</c> says. ASP.NET Core's own
/// writer declines a request that accepts only <c>text/csv</c>, Excel, XML or YAML (all of which callers of the rows and
/// contracts endpoints send); the problem was then not written at all, and a 404 became an anonymous 500 with an empty
/// body. An error in JSON is more use to such a caller than no error (RFC 9110 lets a server disregard Accept), so this
/// writer, registered after the default one, takes every problem the default declines.
/// </summary>
internal sealed class AnyAcceptProblemWriter(IOptions<ProblemDetailsOptions> problemOptions, IOptions<JsonOptions> jsonOptions)
    : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Status ??= context.HttpContext.Response.StatusCode;
        _ = TypedResults.Problem(problem); // fills in type and title for the status, as the default writer does
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(problem, problem.GetType(), jsonOptions.Value.SerializerOptions,
            "application/problem+json", context.HttpContext.RequestAborted));
    }
}
