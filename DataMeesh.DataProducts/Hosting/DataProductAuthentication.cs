using DataMeesh.DataProducts.Api;
using DataMeesh.DataProducts.Catalog;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace DataMeesh.DataProducts.Hosting;

internal static class DataProductAuthentication
{
    /// <summary>JWT bearer tokens, and the domain's writer, PII writer and steward policies.</summary>
    public static IServiceCollection AddDataProductAuthentication(this IServiceCollection services, DataProductDefinition product)
    {
        // Tokens are validated from configuration section Authentication:Schemes:Bearer (what `dotnet user-jwts` writes).
        // No error details in WWW-Authenticate: "The signature key was not found" or "The issuer 'evil' is invalid" teach
        // an attacker what to forge next; the reason is in the API's log.
        services.AddAuthentication().AddJwtBearer(options =>
        {
            options.IncludeErrorDetails = false;
            options.Events = new JwtBearerEvents { OnChallenge = UnauthorizedProblem.WriteAsync };
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(DataProductRoles.Writer, policy => policy.RequireRole(DataProductRoles.WriterOf(product.Domain)))
            .AddPolicy(DataProductRoles.PiiWriter, policy => policy.RequireRole(DataProductRoles.WriterOf(product.Domain)).RequireRole(DataProductRoles.PiiReader))
            .AddPolicy(DataProductRoles.Steward, policy => policy.RequireRole(DataProductRoles.StewardOf(product.Domain)));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ForbiddenProblemHandler>();
        return services;
    }
}
