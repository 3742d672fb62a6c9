using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

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
                errors.ThrowIfAny(TBody.InvalidTitle);
            }

            return await next(context);
        });
}
