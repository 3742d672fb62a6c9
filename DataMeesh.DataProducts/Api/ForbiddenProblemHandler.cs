using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace DataMeesh.DataProducts.Api;

/// <summary>
/// A signed-in caller without the role an endpoint needs gets a 403 problem that names the role (<c>sales-writer</c>):
/// roles are per domain, and a token with another domain's role, or the bare <c>writer</c> of older tokens, should learn
/// what to ask for. Everything else (401 challenges, successes) is the framework's.
/// </summary>
internal sealed class ForbiddenProblemHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler framework = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        // Each requirement is needed (and), any role of one requirement satisfies it (or).
        var needed = policy.Requirements.OfType<RolesAuthorizationRequirement>().Select(r => string.Join(" or ", r.AllowedRoles)).ToList();
        if (!authorizeResult.Forbidden || needed.Count == 0)
        {
            await framework.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        var detail = $"This needs a token with the role {string.Join(" and the role ", needed)}; yours has {RolesOf(context)}. {AccessOpenApiTransformer.TokensHelp}";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = "Not allowed for your role.", Detail = detail },
        });
    }

    private static string RolesOf(HttpContext context)
    {
        var roles = context.User.Claims.Where(c => c.Type == context.User.Identities.First().RoleClaimType).Select(c => c.Value).ToList();
        return roles.Count == 0 ? "no role" : $"{(roles.Count == 1 ? "the role" : "the roles")} {string.Join(", ", roles)}";
    }
}
