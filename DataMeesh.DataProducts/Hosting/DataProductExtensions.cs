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
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
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
        builder.Services
            .AddDataProductOptions()
            .AddDataProductServices(product)
            .AddDataProductProblemDetails()
            .AddDataProductAuthentication(product)
            .AddDataProductOpenApi(product);
        return builder;
    }

    /// <summary>The catalog, rows, quality, idempotency and contracts, and what runs in the background.</summary>
    private static IServiceCollection AddDataProductServices(this IServiceCollection services, DataProductDefinition product)
    {
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
        return services;
    }

    /// <summary>Settings <c>DataProducts:*</c>, bound once and checked when the host starts.</summary>
    private static IServiceCollection AddDataProductOptions(this IServiceCollection services)
    {
        services.AddOptions<DataProductOptions>().BindConfiguration(DataProductOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DataProductOptions>, DataProductOptionsValidator>();
        return services;
    }

    /// <summary>Maps the data-product endpoints, health, OpenAPI (<c>/openapi/v1.json</c>) and the API reference (<c>/scalar</c>).</summary>
    public static WebApplication MapDataProduct(this WebApplication app)
    {
        app.Use(HeadAsGet);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(LimitRequestBody);
        app.UseRouting(); // after HeadAsGet, so that a HEAD is routed as its GET
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        app.MapDataProductEndpoints();
        return app;
    }

    /// <summary>
    /// HEAD wherever GET is (RFC 9110: the same headers, no body): the request is routed as the GET, and the method is
    /// HEAD again before the response starts, so the server sends the headers and drops the body.
    /// </summary>
    private static Task HeadAsGet(HttpContext context, RequestDelegate next) =>
        HttpMethods.IsHead(context.Request.Method) ? HeadAsync(context, next) : next(context); // no async frame for the rest

    private static async Task HeadAsync(HttpContext context, RequestDelegate next)
    {
        context.Request.Method = HttpMethods.Get;
        context.Response.OnStarting(() =>
        {
            context.Request.Method = HttpMethods.Head;
            return Task.CompletedTask;
        });
        var body = context.Response.Body;
        context.Response.Body = Stream.Null; // what a GET would write is not sent (a test server would send it)
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }
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
