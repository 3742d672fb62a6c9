using System.Reflection;
using DataMeesh.DataProducts.Api;
using DataMeesh.DataProducts.Catalog;
using DataMeesh.DataProducts.Contracts;
using DataMeesh.DataProducts.Database;
using DataMeesh.DataProducts.Quality;
using DataMeesh.DataProducts.Rows;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Npgsql;
using Scalar.AspNetCore;

namespace DataMeesh.DataProducts.Hosting;

public static class DataProductExtensions
{
    /// <summary>Largest request body the APIs accept: an order with 100 lines is a few kilobytes.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <summary>
    /// Everything a domain API needs to publish its data as a product: its database (migrations, least-privilege data
    /// plane), the catalog, rows, contracts, quality checks (at start, on a schedule and after announced loads), JWT
    /// authentication and roles, problem details and OpenAPI.
    /// </summary>
    public static IHostApplicationBuilder AddDataProduct(this IHostApplicationBuilder builder, DataProductDefinition product, Assembly migrationsAssembly)
    {
        builder.AddDomainDatabase(product.Domain, migrationsAssembly);
        var services = builder.Services;
        services.AddOptions<DataProductOptions>().BindConfiguration(DataProductOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DataProductOptions>, DataProductOptionsValidator>();
        services.AddSingleton(new ProductCatalog(product));
        services.AddSingleton<RowService>();
        services.AddSingleton<QualityMonitor>();
        services.AddSingleton<AnnouncedLoads>();
        services.AddSingleton<IdempotentWrites>();
        services.AddSingleton<DataProductResults>();
        services.AddSingleton(provider => ContractServersFrom(provider.GetRequiredService<IOptions<DataProductOptions>>().Value.Servers, provider.GetRequiredService<DomainDatabase>(), product));
        services.AddHostedService<DataProductStartup>();
        services.AddHostedService<DataLoadListener>();
        services.AddHealthChecks()
            .AddCheck<CatalogHealthCheck>("catalog")
            .AddCheck<QualityHealthCheck>("quality");

        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemWriter>(); // after the default: problems under any Accept
        services.AddExceptionHandler<ProblemExceptionHandler>();
        // Binding failures (wrong types, malformed JSON) reach the exception handler, which names the field at fault.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        // Tokens are validated from configuration section Authentication:Schemes:Bearer (what `dotnet user-jwts` writes).
        // No error details in WWW-Authenticate: "The signature key was not found" or "The issuer 'evil' is invalid" teach
        // an attacker what to forge next; the reason is in the API's log.
        services.AddAuthentication().AddJwtBearer(options => options.IncludeErrorDetails = false);
        services.AddAuthorizationBuilder()
            .AddPolicy(DataProductRoles.Writer, policy => policy.RequireRole(DataProductRoles.WriterOf(product.Domain)))
            .AddPolicy(DataProductRoles.Steward, policy => policy.RequireRole(DataProductRoles.StewardOf(product.Domain)));
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ForbiddenProblemHandler>();

        services.AddOpenApi(options => options
            .AddDocumentTransformer<DatasetSchemaTransformer>()
            .AddOperationTransformer<DatasetSchemaTransformer>()
            .AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = $"{product.Title} data product";
            document.Info.Version = product.Version;
            document.Info.Description = product.Description;
            // The generator lists the request's own scheme and Host header as the server, which echoes whatever Host a
            // caller sends (and names internal hosts behind a proxy); without servers, clients use the document's own URL.
            document.Servers = [];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                Description = $"Roles: any valid token reads (PII masked); pii-reader sees PII; {DataProductRoles.WriterOf(product.Domain)} writes; " +
                              $"{DataProductRoles.StewardOf(product.Domain)} runs quality checks. Other domains' roles grant nothing here.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] });
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>Maps the data-product endpoints, health, OpenAPI (<c>/openapi/v1.json</c>) and the API reference (<c>/scalar</c>).</summary>
    public static WebApplication MapDataProduct(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(LimitRequestBody);
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        app.MapDataProductEndpoints();
        return app;
    }

    private static Task LimitRequestBody(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxRequestBodyBytes; // enforced by Kestrel, also for chunked bodies
        }

        if (context.Request.ContentLength > MaxRequestBodyBytes)
        {
            throw new BadHttpRequestException($"The request body may be at most {MaxRequestBodyBytes / 1024} KB.", StatusCodes.Status413PayloadTooLarge);
        }

        return next(context);
    }

    private static ContractServers ContractServersFrom(ContractServerOptions servers, DomainDatabase database, DataProductDefinition product)
    {
        var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        return new ContractServers(
            servers.PostgresHost ?? connection.Host ?? product.Domain + "-postgres",
            servers.PostgresPort ?? connection.Port,
            connection.Database ?? product.Domain,
            servers.TrinoHost,
            servers.TrinoPort);
    }
}
