using System.Text.Json.Nodes;
using DataMeesh.DataProducts.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DataMeesh.DataProducts.Api;

/// <summary>Endpoint metadata: the endpoint answers with one row of a dataset (with nested child rows) or with a page of rows.</summary>
public sealed record DatasetResponse(string Dataset, bool Paged, IReadOnlyList<(string Property, string Dataset)> Children);

public static class DatasetResponseExtensions
{
    /// <summary>Documents the 200 response as one row of <paramref name="dataset"/>, typed from the live schema.</summary>
    public static RouteHandlerBuilder ProducesDatasetRow(this RouteHandlerBuilder builder, string dataset, params (string Property, string Dataset)[] children) =>
        builder.WithMetadata(new DatasetResponse(dataset, Paged: false, children));

    /// <summary>Documents the 200 response as a keyset page of <paramref name="dataset"/> rows, typed from the live schema.</summary>
    public static RouteHandlerBuilder ProducesDatasetPage(this RouteHandlerBuilder builder, string dataset) =>
        builder.WithMetadata(new DatasetResponse(dataset, Paged: true, []));
}

/// <summary>
/// Types every dataset's rows in the OpenAPI document, from the same catalog the rows engine serves (so the document cannot
/// drift from the data): a <c>{Dataset}Row</c> and <c>{Dataset}Page</c> schema per dataset, a concrete
/// <c>/datasets/{dataset}/rows</c> path per dataset with its filter, sort and projection parameters, and typed responses for
/// the domain endpoints marked with <see cref="DatasetResponse"/>. A client generated from the document gets real types
/// instead of dictionaries. Until the catalog is loaded (database not reachable yet) the generic description stands.
/// </summary>
internal sealed class DatasetSchemaTransformer(ProductCatalog catalog) : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    private const string RowsTemplate = "/datasets/{name}/rows";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (!catalog.IsLoaded)
        {
            return Task.CompletedTask;
        }

        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var dataset in catalog.Datasets)
        {
            document.Components.Schemas[RowSchemaName(dataset.Name)] = RowSchema(dataset);
            document.Components.Schemas[PageSchemaName(dataset.Name)] = PageSchema(dataset.Name, document);
        }

        // Concrete paths take precedence over the templated one (OpenAPI 3.x "Path Templating Matching").
        if (document.Paths?.TryGetValue(RowsTemplate, out var template) is true && template.Operations?.GetValueOrDefault(HttpMethod.Get) is { } generic)
        {
            foreach (var dataset in catalog.Datasets)
            {
                document.Paths[$"/datasets/{dataset.Name}/rows"] = new OpenApiPathItem
                {
                    Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = RowsOperation(dataset, generic, document) },
                };
            }
        }

        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var response = context.Description.ActionDescriptor.EndpointMetadata.OfType<DatasetResponse>().FirstOrDefault();
        if (response is null || !catalog.IsLoaded || catalog.Find(response.Dataset) is null || context.Document is not { } document)
        {
            return Task.CompletedTask;
        }

        IOpenApiSchema schema;
        if (response.Paged)
        {
            schema = new OpenApiSchemaReference(PageSchemaName(response.Dataset), document);
        }
        else if (response.Children.Count == 0)
        {
            schema = new OpenApiSchemaReference(RowSchemaName(response.Dataset), document);
        }
        else
        {
            // The row's own properties plus one array per nested collection (e.g. an order with its items).
            var nested = new OpenApiSchema { Type = JsonSchemaType.Object, Properties = new Dictionary<string, IOpenApiSchema>(), Required = new HashSet<string>() };
            foreach (var (property, child) in response.Children)
            {
                nested.Properties[property] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(RowSchemaName(child), document) };
                nested.Required.Add(property);
            }

            schema = new OpenApiSchema { AllOf = [new OpenApiSchemaReference(RowSchemaName(response.Dataset), document), nested] };
        }

        operation.Responses ??= new OpenApiResponses();
        operation.Responses["200"] = new OpenApiResponse
        {
            Description = "OK",
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
        return Task.CompletedTask;
    }

    public static string RowSchemaName(string dataset) => Pascal(dataset) + "Row";

    public static string PageSchemaName(string dataset) => Pascal(dataset) + "Page";

    private static string Pascal(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    private static OpenApiSchema RowSchema(Dataset dataset)
    {
        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = dataset.Definition.Description,
            Properties = new Dictionary<string, IOpenApiSchema>(),
            Required = new HashSet<string>(),
        };
        foreach (var column in dataset.Columns)
        {
            schema.Properties[column.Name] = ValueSchema(column);
            // Every column is always present (null when empty); fields= narrows the set, so "required" describes the full row.
            schema.Required.Add(column.Name);
        }

        return schema;
    }

    private static OpenApiSchema ValueSchema(Column column)
    {
        var (type, format) = column.Pii ? (JsonSchemaType.String, null) : column.Type.Kind switch
        {
            ValueKind.Integer => (JsonSchemaType.Integer, "int64"),
            ValueKind.Decimal => (JsonSchemaType.Number, "decimal"),
            ValueKind.Double => (JsonSchemaType.Number, "double"),
            ValueKind.Boolean => (JsonSchemaType.Boolean, null),
            ValueKind.Date => (JsonSchemaType.String, "date"),
            ValueKind.Timestamp => (JsonSchemaType.String, "date-time"),
            _ => (JsonSchemaType.String, (string?)null),
        };
        var description = column.Definition.Description;
        if (column.Pii)
        {
            description += " Personal data: \"***\" unless the caller has the pii-reader role.";
        }

        return new OpenApiSchema
        {
            Type = column.Nullable ? type | JsonSchemaType.Null : type,
            Format = format,
            Description = description,
        };
    }

    private static OpenApiSchema PageSchema(string dataset, OpenApiDocument document) => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "dataset", "limit", "items", "nextCursor", "links" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["dataset"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["limit"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["items"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(RowSchemaName(dataset), document) },
            ["nextCursor"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "Pass as cursor= for the next page; null on the last page." },
            ["links"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["self"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["next"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                },
            },
        },
    };

    /// <summary>The generic rows operation narrowed to one dataset: its own parameters and typed JSON response.</summary>
    private static OpenApiOperation RowsOperation(Dataset dataset, OpenApiOperation generic, OpenApiDocument document)
    {
        var sortable = dataset.Columns.Where(c => !c.Pii && (c.Definition.Sort || dataset.Key.Contains(c))).Select(c => c.Name).ToList();
        var parameters = new List<IOpenApiParameter>
        {
            Query("limit", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "1000", Default = JsonValue.Create(100) },
                "Rows per page (JSON only)."),
            Query("cursor", new OpenApiSchema { Type = JsonSchemaType.String }, "nextCursor of the previous page."),
            Query("sort", new OpenApiSchema { Type = JsonSchemaType.String },
                $"Comma-separated, '-' for descending. Sortable: {string.Join(", ", sortable)}."),
            Query("fields", new OpenApiSchema { Type = JsonSchemaType.String },
                $"Comma-separated projection of: {string.Join(", ", dataset.Columns.Select(c => c.Name))}."),
            Query("format", new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("json"), JsonValue.Create("csv"), JsonValue.Create("xlsx")] },
                "Alternative to the Accept header."),
        };
        foreach (var column in dataset.Columns.Where(c => !c.Pii && (c.Definition.Filter || dataset.Key.Contains(c))))
        {
            var value = ValueSchema(column);
            value.Type &= ~JsonSchemaType.Null;
            parameters.Add(Query(column.Name, value, $"Equals (repeat the parameter for any of several values). {column.Definition.Description}"));
            foreach (var op in new[] { "ne", "gt", "gte", "lt", "lte" })
            {
                parameters.Add(Query($"{column.Name}.{op}", value, null));
            }
        }

        var responses = new OpenApiResponses();
        foreach (var (status, response) in generic.Responses ?? [])
        {
            responses[status] = response;
        }

        var json = new OpenApiMediaType { Schema = new OpenApiSchemaReference(PageSchemaName(dataset.Name), document) };
        responses["200"] = new OpenApiResponse
        {
            Description = "OK",
            Content = (generic.Responses?.GetValueOrDefault("200")?.Content ?? new Dictionary<string, OpenApiMediaType>())
                .Where(content => content.Key != "application/json")
                .Append(new KeyValuePair<string, OpenApiMediaType>("application/json", json))
                .ToDictionary(),
        };

        return new OpenApiOperation
        {
            OperationId = "Get" + Pascal(dataset.Name) + "Rows",
            Summary = $"{dataset.Name}: {dataset.Definition.Description}",
            Description = generic.Description,
            Tags = generic.Tags,
            Security = generic.Security,
            Parameters = parameters,
            Responses = responses,
        };
    }

    private static OpenApiParameter Query(string name, IOpenApiSchema schema, string? description) =>
        new() { Name = name, In = ParameterLocation.Query, Schema = schema, Description = description };
}
