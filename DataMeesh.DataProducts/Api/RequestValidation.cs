using System.Reflection;
using System.Text.Json;
using DataMeesh.DataProducts.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DataMeesh.DataProducts.Api;

/// <summary>
/// A request body that states its own rules. Every write endpoint checks its body the same way: <see
/// cref="RequestValidation.Validates{TBody}"/> runs the rules before the handler and answers 400 with every field at fault.
/// </summary>
public interface IValidatedRequest
{
    /// <summary>The problem's title when the body breaks a rule, e.g. "The order is not valid.".</summary>
    static abstract string InvalidTitle { get; }

    void Validate(ValidationErrors errors);
}

/// <summary>The fields at fault in one request body, each with the message the caller reads.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, string[]> errors = [];

    public bool IsEmpty => errors.Count == 0;

    /// <summary>Records <paramref name="message"/> as the error of <paramref name="field"/> (replacing an earlier one).</summary>
    public void Add(string field, string message) => errors[field] = [message];

    /// <summary>A required text of at most <paramref name="maxLength"/> characters.</summary>
    public void RequireText(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > maxLength)
        {
            Add(field, $"{field} is required (at most {maxLength} characters).");
        }
    }

    public void ThrowIfAny(string title)
    {
        if (errors.Count > 0)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, title, "See errors for the fields at fault.", errors);
        }
    }
}

/// <summary>
/// The dataset a request body (or a part of one, such as an order's item) writes. Its properties are that dataset's
/// columns in camelCase (<c>orderStatus</c> is <c>order_status</c>): a column's accepted values (the product's
/// <see cref="AcceptedValuesRule"/>) are checked before the handler runs and published as the property's <c>enum</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class WritesDatasetAttribute(string dataset) : Attribute
{
    public string Dataset { get; } = dataset;

    /// <summary>The accepted values of the column behind <paramref name="property"/> (a JSON property name), or null when any value goes.</summary>
    public static IReadOnlyList<string>? AcceptedValues(DataProductDefinition product, string dataset, string property)
    {
        var column = JsonNamingPolicy.SnakeCaseLower.ConvertName(property);
        return product.Datasets.FirstOrDefault(d => d.Name == dataset)?.Quality.OfType<AcceptedValuesRule>()
            .FirstOrDefault(r => r.Column == column)?.Values;
    }
}

/// <summary>Endpoint metadata: the body of this endpoint is checked by <see cref="RequestValidation.Validates{TBody}"/>.</summary>
public sealed record ValidatedBody(Type BodyType);

public static class RequestValidation
{
    /// <summary>Checks the endpoint's <typeparamref name="TBody"/> before the handler runs (a 400 problem naming every field at fault).</summary>
    public static RouteHandlerBuilder Validates<TBody>(this RouteHandlerBuilder endpoint) where TBody : IValidatedRequest =>
        endpoint.WithMetadata(new ValidatedBody(typeof(TBody))).AddEndpointFilter(async (context, next) =>
        {
            if (context.Arguments.OfType<TBody>().FirstOrDefault() is { } body)
            {
                var errors = new ValidationErrors();
                body.Validate(errors);
                CheckAcceptedValues(body, context.HttpContext.RequestServices.GetRequiredService<ProductCatalog>().Definition, errors);
                errors.ThrowIfAny(TBody.InvalidTitle);
            }

            return await next(context);
        });

    /// <summary>Every text property of a <see cref="WritesDatasetAttribute"/> body with accepted values holds one of them (null: the default applies).</summary>
    private static void CheckAcceptedValues(object body, DataProductDefinition product, ValidationErrors errors)
    {
        if (body.GetType().GetCustomAttribute<WritesDatasetAttribute>() is not { } writes)
        {
            return;
        }

        foreach (var property in body.GetType().GetProperties().Where(p => p.PropertyType == typeof(string)))
        {
            var field = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            if (property.GetValue(body) is string value && WritesDatasetAttribute.AcceptedValues(product, writes.Dataset, field) is { } accepted
                && !accepted.Contains(value, StringComparer.Ordinal))
            {
                errors.Add(field, $"{field} must be one of: {string.Join(", ", accepted)} (exactly as written).");
            }
        }
    }
}
