using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using DataMeesh.DataProducts.Api;
using DataMeesh.DataProducts.Catalog;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace DataMeesh.DataProducts.Hosting;

internal static class DataProductOpenApi
{
    /// <summary>
    /// The OpenAPI document: the datasets' schemas, the product's title, version and owner, who may call each operation,
    /// request bodies as the API checks them, and the bearer scheme.
    /// </summary>
    public static IServiceCollection AddDataProductOpenApi(this IServiceCollection services, DataProductDefinition product)
    {
        // Numbers are JSON numbers: ASP.NET Core's web defaults also read "12" as 12, which made every number in the
        // document ["integer","string"] with a pattern, and a generated client type them as strings.
        services.Configure<JsonOptions>(options =>
        {
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            options.SerializerOptions.TypeInfoResolver = (options.SerializerOptions.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
                .WithAddedModifier(ColumnNamesAttribute.Apply);
        });
        services.AddOpenApi(options => options
            .AddDocumentTransformer<DatasetSchemaTransformer>()
            .AddOperationTransformer<DatasetSchemaTransformer>()
            .AddOperationTransformer<AccessOpenApiTransformer>()
            .AddDocumentTransformer<AccessOpenApiTransformer>()
            .AddSchemaTransformer<RequestSchemaTransformer>()
            .AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = $"{product.Title} data product";
            document.Info.Version = product.Version;
            document.Info.Description = product.Description;
            document.Info.Contact = new OpenApiContact { Name = product.Owner.Team, Email = product.Owner.Contact.Contains('@') ? product.Owner.Contact : null };
            // One relative server: the API is wherever its document was fetched from. The generator's default lists the
            // request's own scheme and Host header, which echoes whatever Host a caller sends (and names internal hosts
            // behind a proxy).
            document.Servers = [new OpenApiServer { Url = "/", Description = "This API: the origin this document was served from." }];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                Description = $"Roles: any valid token reads (PII masked); pii-reader sees PII; {DataProductRoles.WriterOf(product.Domain)} writes; " +
                              $"{DataProductRoles.StewardOf(product.Domain)} runs quality checks. Other domains' roles grant nothing here. " +
                              AccessOpenApiTransformer.TokensHelp,
            };
            return Task.CompletedTask;
        }));
        return services;
    }
}
