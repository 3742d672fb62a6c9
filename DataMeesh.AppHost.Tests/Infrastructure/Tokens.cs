using Microsoft.Extensions.DependencyInjection;

namespace DataMeesh.AppHost.Tests.Infrastructure;

/// <summary>Tokens as a developer gets them: the API resources' dashboard command "Get a token", run on the running AppHost.</summary>
public static class Tokens
{
    public static async Task<string> FromDashboardCommandAsync(DistributedApplication app, string subject, params string[] roles)
    {
        var arguments = new InteractionInputCollection(
        [
            new InteractionInput { Name = TokenServiceExtensions.SubjectArgument, InputType = InputType.Text, Value = subject },
            .. PlatformRoles.All.Select(role => new InteractionInput { Name = role, InputType = InputType.Boolean, Value = roles.Contains(role) ? "true" : "false" }),
        ]);
        var result = await app.Services.GetRequiredService<ResourceCommandService>()
            .ExecuteCommandAsync(ResourceNames.SalesApi, TokenServiceExtensions.TokenCommandName, arguments);
        Assert.True(result.Success, $"'Get a token' failed: {result.Message} {result.Data?.Value}");
        return result.Data!.Value;
    }
}
