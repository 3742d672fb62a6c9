using DataMeesh.DataProducts.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DataMeesh.DataProducts.Hosting;

internal static class DataProductProblemDetails
{
    /// <summary>Every error as an RFC 9457 problem with a trace id, whatever the request's Accept header.</summary>
    public static IServiceCollection AddDataProductProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
            if (context.ProblemDetails.Detail is null)
            {
                DescribeBareStatus(context);
            }
        });
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemWriter>(); // after the default: problems under any Accept
        services.AddExceptionHandler<ProblemExceptionHandler>();
        // Binding failures (wrong types, malformed JSON) reach the exception handler, which names the field at fault.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>What the framework answers with a bare status (status code pages), in our words.</summary>
    private static void DescribeBareStatus(ProblemDetailsContext context)
    {
        var request = context.HttpContext.Request;
        var path = request.Path.Value is { Length: > 100 } longPath ? longPath[..100] + "…" : request.Path.Value;
        var (field, detail) = context.ProblemDetails.Status switch
        {
            StatusCodes.Status415UnsupportedMediaType => ("Content-Type", "Send the body as JSON, with the header Content-Type: application/json."),
            StatusCodes.Status405MethodNotAllowed => ("method", $"{path} does not take {request.Method}: its operations are listed in /openapi/v1.json."),
            StatusCodes.Status404NotFound => ((string?)null, $"There is nothing at {path}: the operations are listed in /openapi/v1.json."),
            _ => (null, null),
        };
        if (detail is null)
        {
            return;
        }

        context.ProblemDetails.Detail = detail;
        if (field is not null)
        {
            context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [detail] };
        }
    }
}
