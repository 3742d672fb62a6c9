using DataMeesh.DataProducts.Api;
using DataMeesh.DataProducts.Catalog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace DataMeesh.DataProducts.Hosting;

internal static class DataProductOpenApi
{
    /// <summary>The OpenAPI document: the datasets' schemas, the product's title and version, and the bearer scheme.</summary>
    public static IServiceCollection AddDataProductOpenApi(this IServiceCollection services, DataProductDefinition product)
    {
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
        return services;
    }
}
