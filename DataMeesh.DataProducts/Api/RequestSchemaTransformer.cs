using System.Reflection;
using System.Text.Json.Nodes;
using DataMeesh.DataProducts.Catalog;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DataMeesh.DataProducts.Api;

/// <summary>
/// Request bodies (<see cref="WritesDatasetAttribute"/> types) as the API checks them. Their properties are nullable in C#
/// so that a missing field reaches <see cref="IValidatedRequest.Validate"/> and gets our message rather than the
/// serializer's; the generator would publish every one as <c>["null", ...]</c>. A required property (one without a
/// default) is refused when null, so its schema says it cannot be; an optional one keeps null (= the default). A column
/// with accepted values gets them as <c>enum</c>, and each property the column's description.
/// </summary>
internal sealed class RequestSchemaTransformer(ProductCatalog catalog) : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type.GetCustomAttribute<WritesDatasetAttribute>() is not { } writes || schema.Properties is null)
        {
            return Task.CompletedTask;
        }

        var dataset = catalog.Definition.Datasets.FirstOrDefault(d => d.Name == writes.Dataset);
        foreach (var (name, property) in schema.Properties)
        {
            if (property is not OpenApiSchema value)
            {
                continue;
            }

            var required = schema.Required?.Contains(name) == true;
            if (required && value.Type is { } declared && declared != JsonSchemaType.Null)
            {
                value.Type = declared & ~JsonSchemaType.Null;
            }

            if (WritesDatasetAttribute.AcceptedValues(catalog.Definition, writes.Dataset, name) is { } accepted)
            {
                value.Enum = [.. accepted.Select(v => (JsonNode)JsonValue.Create(v)), .. required ? Array.Empty<JsonNode>() : [null!]];
            }

            var column = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
            if (value.Description is null && dataset?.Columns.FirstOrDefault(c => c.Name == column) is { } definition)
            {
                value.Description = definition.Description;
            }
        }

        return Task.CompletedTask;
    }
}
