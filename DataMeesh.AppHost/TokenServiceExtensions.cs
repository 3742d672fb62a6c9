using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ApiEnv = DataMeesh.PlatformContract.ApiEnv;
using TokenEnv = DataMeesh.PlatformContract.TokenEnv;

// WithHttpProbe is marked experimental; it is the only health signal the Kubernetes publisher turns into probes.
#pragma warning disable ASPIREPROBES001

namespace DataMeesh.AppHost;

/// <summary>The key of one AppHost run with which the dashboard's "Get a token" command asks the token service for tokens.</summary>
internal sealed record DeveloperKeyAnnotation(string Key) : IResourceAnnotation;

internal static class TokenServiceExtensions
{
    public const string TokenCommandName = "datameesh-get-token";
    public const string SubjectArgument = "subject";

    /// <summary>
    /// The token service: the only holder of the signing key (derived from <paramref name="signingKey"/>), publishing the
    /// public key the APIs check tokens with. In run mode it also serves the dashboard command, with a key made for this run.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddTokenService<TProject>(this IDistributedApplicationBuilder builder,
        IResourceBuilder<ParameterResource> signingKey) where TProject : IProjectMetadata, new()
    {
        var tokens = builder.AddProject<TProject>(ResourceNames.TokenService)
            .WithEnvironment(TokenEnv.SigningKey, signingKey)
            .WithHttpProbe(ProbeType.Readiness, "/health", endpointName: "http")
            .WithHttpProbe(ProbeType.Liveness, "/alive", endpointName: "http")
            .WithMemoryLimit(PlatformContract.MemoryMiB.TokenService);
        if (builder.ExecutionContext.IsRunMode)
        {
            var developerKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
            tokens.WithAnnotation(new DeveloperKeyAnnotation(developerKey))
                .WithEnvironment(TokenEnv.DeveloperKey, developerKey);
        }

        return tokens;
    }

    /// <summary>The hub whose users may exchange their server's token for a platform token (Tokens:JupyterHubUrl).</summary>
    public static IResourceBuilder<ProjectResource> WithJupyterHub(this IResourceBuilder<ProjectResource> tokens, IResourceBuilder<JupyterHubResource> hub) =>
        tokens.WithEnvironment(TokenEnv.JupyterHubUrl, hub.GetEndpoint(JupyterHubResource.HttpEndpointName));

    /// <summary>
    /// The platform's tokens: the issuer and audience every API trusts, and where the token service publishes its public key
    /// (the API has no key that could sign). In run mode the API also gets the dashboard command "Get a token".
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPlatformTokens(this IResourceBuilder<ProjectResource> api, IResourceBuilder<ProjectResource> tokens)
    {
        api.WithEnvironment(ApiEnv.JwtIssuer, ApiEnv.Issuer)
            .WithEnvironment(ApiEnv.JwtAudience, ApiEnv.Audience)
            .WithEnvironment(ApiEnv.JwtMetadataAddress, ReferenceExpression.Create($"{tokens.GetEndpoint("http")}{PlatformTokens.DiscoveryPath}"))
            .WithEnvironment(ApiEnv.JwtRequireHttpsMetadata, "false");
        return tokens.Resource.TryGetLastAnnotation<DeveloperKeyAnnotation>(out var developerKey)
            ? api.WithTokenCommand(tokens, developerKey.Key)
            : api;
    }

    /// <summary>
    /// The dashboard command "Get a token": asks which roles, then shows a token both APIs accept (minted by the token
    /// service, like every other token). Also runs from the aspire CLI and MCP clients, which pass the same arguments.
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithTokenCommand(this IResourceBuilder<ProjectResource> api,
        IResourceBuilder<ProjectResource> tokens, string developerKey) =>
        api.WithHttpCommand(PlatformTokens.DeveloperPath, "Get a token", () => tokens.GetEndpoint("http"), TokenCommandName, new HttpCommandOptions
        {
            Method = HttpMethod.Post,
            Description = "A bearer token for both data-product APIs, with the roles you choose (none: a reader, personal data masked).",
            IconName = "Key",
            Arguments =
            [
                new InteractionInput { Name = SubjectArgument, Label = "Who (the token's sub)", InputType = InputType.Text, Value = "developer", Required = true },
                .. PlatformRoles.All.Select(role => new InteractionInput { Name = role, Label = role, InputType = InputType.Boolean }),
            ],
            PrepareRequest = context =>
            {
                context.Request.Headers.Authorization = new("Bearer", developerKey);
                context.Request.Content = JsonContent.Create(new
                {
                    subject = context.Arguments.GetString(SubjectArgument),
                    roles = PlatformRoles.All.Where(role => context.Arguments.GetBoolean(role) == true).ToArray(),
                });
                return Task.CompletedTask;
            },
            GetCommandResult = async context =>
            {
                var body = await context.Response.Content.ReadAsStringAsync(context.CancellationToken);
                if (!context.Response.IsSuccessStatusCode)
                {
                    return CommandResults.Failure($"The token service answered {(int)context.Response.StatusCode}", body, CommandResultFormat.Json);
                }

                using var issued = JsonDocument.Parse(body);
                var token = issued.RootElement.GetProperty("accessToken").GetString()!;
                var roles = string.Join(", ", issued.RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
                var minutes = issued.RootElement.GetProperty("expiresIn").GetInt32() / 60;
                return CommandResults.Success($"Token for {(roles.Length > 0 ? roles : "a reader")}, valid {minutes} minutes: send it as `Authorization: Bearer <token>`",
                    token, CommandResultFormat.Text, displayImmediately: true);
            },
        });
}
