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
            context.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemWriter>(); // after the default: problems under any Accept
        services.AddExceptionHandler<ProblemExceptionHandler>();
        // Binding failures (wrong types, malformed JSON) reach the exception handler, which names the field at fault.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }
}
