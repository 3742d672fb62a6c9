using DataMeesh.DataProducts.Api;
using DataMeesh.DataProducts.Catalog;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DataMeesh.DataProducts.Hosting;

internal static class DataProductAuthentication
{
    /// <summary>JWT bearer tokens, and the domain's writer, PII writer and steward policies.</summary>
    public static IServiceCollection AddDataProductAuthentication(this IServiceCollection services, DataProductDefinition product)
    {
        // Tokens are validated from configuration section Authentication:Schemes:Bearer: the platform's issuer and audience,
        // and the public keys the token service publishes (MetadataAddress; the AppHost sets all three, README "Tokens").
        // No error details in WWW-Authenticate: "The signature key was not found" or "The issuer 'evil' is invalid" teach
        // an attacker what to forge next; the reason is in the API's log.
        services.AddAuthentication().AddJwtBearer(options =>
        {
            options.IncludeErrorDetails = false;
            options.Events = new JwtBearerEvents { OnChallenge = UnauthorizedProblem.WriteAsync };
        });
        // The framework reads Authentication:Schemes:Bearer:SigningKeys into a lazy sequence: every request enumerated it again,
        // re-reading configuration and decoding a new key object, which also defeated the token library's per-key cache of
        // signature providers (a new HMAC per request). Read once each time the options are built.
        // A token validated once is reused for its next requests (ValidatedTokens wraps the events set above).
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ValidatedTokens>();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).PostConfigure<ValidatedTokens>((options, tokens) =>
        {
            if (options.TokenValidationParameters.IssuerSigningKeys is { } keys)
            {
                options.TokenValidationParameters.IssuerSigningKeys = keys.ToList();
            }

            tokens.Attach(options);
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(DataProductRoles.Writer, policy => policy.RequireRole(DataProductRoles.WriterOf(product.Domain)))
            .AddPolicy(DataProductRoles.PiiWriter, policy => policy.RequireRole(DataProductRoles.WriterOf(product.Domain)).RequireRole(DataProductRoles.PiiReader))
            .AddPolicy(DataProductRoles.Steward, policy => policy.RequireRole(DataProductRoles.StewardOf(product.Domain)));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ForbiddenProblemHandler>();
        return services;
    }
}
