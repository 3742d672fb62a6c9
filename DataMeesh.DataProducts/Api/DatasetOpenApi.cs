using System.Text.Json.Nodes;
using DataMeesh.DataProducts.Catalog;
using DataMeesh.DataProducts.Rows;
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
    private const string GenericPageSchemaName = "RowsPage";
    private const string PiiForbidden = "Filtering or sorting on a personal-data column needs the pii-reader role in the token.";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        // Any dataset's page: items are objects whose properties are the dataset's columns (GET /datasets/{name} lists them).
        document.Components.Schemas[GenericPageSchemaName] = PageSchema(new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "One row: the dataset's columns (GET /datasets/{name} lists them), those named by fields= when given.",
            AdditionalPropertiesAllowed = true,
        });
        var genericOperation = document.Paths?.GetValueOrDefault(RowsTemplate)?.Operations?.GetValueOrDefault(HttpMethod.Get);
        if (genericOperation is not null)
        {
            genericOperation.Responses!["200"] = RowsResponse(new OpenApiSchemaReference(GenericPageSchemaName, document));
            if (!catalog.IsLoaded || catalog.Datasets.Any(d => PiiFilterable(d).Any()))
            {
                genericOperation.Responses["403"] = AccessOpenApiTransformer.Problem(document, PiiForbidden);
            }
        }

        if (!catalog.IsLoaded)
        {
            return Task.CompletedTask;
        }

        foreach (var dataset in catalog.Datasets)
        {
            document.Components.Schemas[RowSchemaName(dataset.Name)] = RowSchema(dataset);
            document.Components.Schemas[PageSchemaName(dataset.Name)] = PageSchema(new OpenApiSchemaReference(RowSchemaName(dataset.Name), document));
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
        if (response is null || context.Document is not { } document || (!response.Paged && (!catalog.IsLoaded || catalog.Find(response.Dataset) is null)))
        {
            return Task.CompletedTask;
        }

        IOpenApiSchema schema;
        if (response.Paged)
        {
            // Until the catalog is loaded, any dataset's page (the document transformer always defines it).
            schema = new OpenApiSchemaReference(catalog.IsLoaded && catalog.Find(response.Dataset) is not null ? PageSchemaName(response.Dataset) : GenericPageSchemaName, document);
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
        };
        // No column is required: fields= answers only the columns it names. Without it every column is there (null when empty).
        foreach (var column in dataset.Columns)
        {
            schema.Properties[column.Name] = ValueSchema(dataset, column);
        }

        return schema;
    }

    private static OpenApiSchema ValueSchema(Dataset dataset, Column column)
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

        // Accepted values are CHECK constraints too, so a row never holds another value.
        var accepted = column.Pii ? null : dataset.Definition.Quality.OfType<AcceptedValuesRule>().FirstOrDefault(r => r.Column == column.Name)?.Values;
        return new OpenApiSchema
        {
            Type = column.Nullable ? type | JsonSchemaType.Null : type,
            Format = format,
            Description = description,
            Enum = accepted is null ? null : [.. accepted.Select(v => (JsonNode)JsonValue.Create(v)), .. column.Nullable ? [null!] : Array.Empty<JsonNode>()],
        };
    }

    private static OpenApiSchema PageSchema(IOpenApiSchema row) => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "dataset", "limit", "items", "nextCursor", "links" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["dataset"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["limit"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["items"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = row },
            ["nextCursor"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "Pass as cursor= for the next page; null on the last page." },
            ["links"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "self", "next" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["self"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["next"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                },
            },
        },
    };

    /// <summary>The rows 200: a JSON page, or the whole filtered result as CSV or an Excel workbook.</summary>
    private static OpenApiResponse RowsResponse(IOpenApiSchema page) => new()
    {
        Description = "A page of rows (JSON), or every matching row as CSV (Accept: text/csv or format=csv) or Excel (format=xlsx).",
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new() { Schema = page },
            [RowService.CsvMediaType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "RFC 4180 CSV with a header row." } },
            [RowService.XlsxMediaType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
        },
    };

    /// <summary>Personal-data columns a caller with pii-reader may filter or sort on (403 without it).</summary>
    private static IEnumerable<Column> PiiFilterable(Dataset dataset) =>
        dataset.Columns.Where(c => c.Pii && (c.Definition.Filter || c.Definition.Sort || dataset.Key.Contains(c)));

    /// <summary>The generic rows operation narrowed to one dataset: its own parameters and typed JSON response.</summary>
    private static OpenApiOperation RowsOperation(Dataset dataset, OpenApiOperation generic, OpenApiDocument document)
    {
        var sortable = dataset.Columns.Where(c => c.Definition.Sort || dataset.Key.Contains(c)).Select(c => c.Pii ? c.Name + " (with pii-reader)" : c.Name).ToList();
        var parameters = new List<IOpenApiParameter>
        {
            Query("limit", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "1000", Default = JsonValue.Create(100) },
                "Rows per page (JSON only: CSV and Excel export every matching row and refuse limit and cursor)."),
            Query("cursor", new OpenApiSchema { Type = JsonSchemaType.String }, "nextCursor of the previous page."),
            Query("sort", new OpenApiSchema { Type = JsonSchemaType.String },
                $"Comma-separated, '-' for descending. Sortable: {string.Join(", ", sortable)}."),
            Query("fields", new OpenApiSchema { Type = JsonSchemaType.String },
                $"Comma-separated projection of: {string.Join(", ", dataset.Columns.Select(c => c.Name))}."),
            Query("format", new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("json"), JsonValue.Create("csv"), JsonValue.Create("xlsx")] },
                "Alternative to the Accept header (any letter case); wins over Accept."),
        };
        foreach (var column in dataset.Columns.Where(c => c.Definition.Filter || dataset.Key.Contains(c)))
        {
            var value = ValueSchema(dataset, column);
            value.Type &= ~JsonSchemaType.Null;
            value.Enum = value.Enum?.Where(v => v is not null).ToList();
            var note = column.Pii ? " Personal data: filtering on it needs the pii-reader role (403 without it)." : "";
            if (column.Type.Kind == ValueKind.Timestamp && !column.Pii)
            {
                // A day (2026-11-11) is accepted as well as an instant, so the parameter is text rather than date-time.
                value.Format = null;
                note += " A timestamp (2026-11-11T09:30:00Z) or a date (2026-11-11), which means that whole day in UTC.";
            }

            parameters.Add(Query(column.Name, value, $"Equals (repeat the parameter for any of several values). {column.Definition.Description}{note}"));
            foreach (var op in new[] { "ne", "gt", "gte", "lt", "lte" })
            {
                parameters.Add(Query($"{column.Name}.{op}", value, note.Length > 0 ? note.Trim() : null));
            }
        }

        var responses = new OpenApiResponses();
        foreach (var (status, response) in generic.Responses ?? [])
        {
            responses[status] = response;
        }

        responses["200"] = RowsResponse(new OpenApiSchemaReference(PageSchemaName(dataset.Name), document));
        responses.Remove("403");
        if (PiiFilterable(dataset).Any())
        {
            responses["403"] = AccessOpenApiTransformer.Problem(document, PiiForbidden);
        }

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
