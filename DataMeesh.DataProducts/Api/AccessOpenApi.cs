using DataMeesh.DataProducts.Catalog;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DataMeesh.DataProducts.Api;

/// <summary>Endpoint metadata: a tag with the description the OpenAPI document gives it.</summary>
public sealed record TagDescription(string Name, string Description);

/// <summary>Endpoint metadata: the endpoint is a write through <see cref="IdempotentWrites"/> and takes an <c>Idempotency-Key</c>.</summary>
public sealed record IdempotentWrite;

public static class AccessOpenApiExtensions
{
    /// <summary>Tags the group's endpoints with <paramref name="name"/> and describes the tag in the OpenAPI document.</summary>
    public static TBuilder WithTag<TBuilder>(this TBuilder builder, string name, string description) where TBuilder : IEndpointConventionBuilder =>
        builder.WithTags(name).WithMetadata(new TagDescription(name, description));

    /// <summary>Documents the <c>Idempotency-Key</c> request header, the <c>Idempotent-Replayed</c> response header and the 409/422 a key can cause.</summary>
    public static RouteHandlerBuilder AcceptsIdempotencyKey(this RouteHandlerBuilder endpoint) => endpoint.WithMetadata(new IdempotentWrite());
}

/// <summary>
/// Says in the OpenAPI document who may call each operation, from the same endpoint metadata the authorization middleware
/// reads (so the two cannot disagree): anonymous operations get <c>security: []</c>; protected ones the bearer scheme and
/// a 401; operations whose policy needs a role a 403 naming it; writes their <c>Idempotency-Key</c>. Each operation's
/// description ends with the access it needs.
/// </summary>
internal sealed class AccessOpenApiTransformer(IAuthorizationPolicyProvider policies, ProductCatalog catalog)
    : IOpenApiOperationTransformer, IOpenApiDocumentTransformer
{
    public const string TokensHelp = "See the README's \"Tokens\" section for how to get one.";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var document = context.Document!;
        operation.Responses ??= new OpenApiResponses();
        var anonymous = metadata.OfType<IAllowAnonymous>().Any() || !metadata.OfType<IAuthorizeData>().Any();
        string access;
        if (anonymous)
        {
            operation.Security = [];
            access = "Anyone may call this; no token needed.";
        }
        else
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] }];
            operation.Responses["401"] = Problem(document, "No bearer token, or a token this API refuses (expired, altered, or not issued by the platform). " + TokensHelp);
            var roles = await RolesAsync(metadata.OfType<IAuthorizeData>());
            if (roles.Count > 0)
            {
                var needed = string.Join(" or ", roles);
                operation.Responses["403"] = Problem(document, $"The token lacks the role {needed}.");
                access = $"Needs a bearer token with the role {needed}.";
            }
            else
            {
                access = "Needs a bearer token (any role of the platform reads; personal data stays masked without pii-reader).";
            }
        }

        if (metadata.OfType<IdempotentWrite>().Any())
        {
            AddIdempotency(operation, document);
        }

        operation.Description = string.IsNullOrEmpty(operation.Description) ? access : $"{operation.Description}\n\n{access}";
    }

    /// <summary>Tag descriptions, from the <see cref="TagDescription"/> metadata of the endpoints that use them.</summary>
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var descriptions = context.DescriptionGroups.SelectMany(g => g.Items).SelectMany(d => d.ActionDescriptor.EndpointMetadata.OfType<TagDescription>())
            .GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First().Description);
        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
        {
            if (tag.Name is { } name && descriptions.TryGetValue(name, out var description))
            {
                tag.Description = description;
            }
        }

        return Task.CompletedTask;
    }

    private async Task<List<string>> RolesAsync(IEnumerable<IAuthorizeData> authorizeData)
    {
        var policy = await AuthorizationPolicy.CombineAsync(policies, authorizeData);
        return policy?.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct().ToList() ?? [];
    }

    private void AddIdempotency(OpenApiOperation operation, OpenApiDocument document)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = IdempotentWrites.HeaderName,
            In = ParameterLocation.Header,
            Required = false,
            Description = "Makes retries safe: a request sent again with the same key gets the first response (with Idempotent-Replayed: true), " +
                          "never a second row. 1-255 visible ASCII characters; a UUID is a good choice. Keys belong to the token's subject.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255, Pattern = "^[!-~]+$" },
        });
        if (operation.Responses!.GetValueOrDefault("201") is OpenApiResponse created)
        {
            created.Headers ??= new Dictionary<string, IOpenApiHeader>();
            created.Headers[IdempotentWrites.ReplayedHeaderName] = new OpenApiHeader
            {
                Description = "true when this is the stored response of an earlier request with the same Idempotency-Key.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [System.Text.Json.Nodes.JsonValue.Create("true")] },
            };
            created.Headers["Location"] = new OpenApiHeader
            {
                Description = $"The created {catalog.Definition.Domain} resource.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }

        operation.Responses!.TryAdd("409", Problem(document, "Conflict: the row exists already, or a request with this Idempotency-Key did not complete (retry it)."));
        operation.Responses.TryAdd("422", Problem(document, "This Idempotency-Key was used for a different request: use a new key for a new request."));
    }

    internal static OpenApiResponse Problem(OpenApiDocument document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", document) },
        },
    };
}
