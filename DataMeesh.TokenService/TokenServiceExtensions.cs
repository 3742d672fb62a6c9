using Microsoft.Extensions.Options;

namespace DataMeesh.TokenService;

public static class TokenServiceExtensions
{
    /// <summary>Options (checked at start), the signer, and the client that asks JupyterHub about its tokens.</summary>
    public static IHostApplicationBuilder AddTokenService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TokenOptions>, TokenOptionsValidator>();
        builder.Services.AddSingleton(services => new TokenSigner(services.GetRequiredService<IOptions<TokenOptions>>().Value.SigningKey!));
        builder.Services.AddHttpClient<JupyterHubUsers>((services, http) =>
        {
            if (services.GetRequiredService<IOptions<TokenOptions>>().Value.JupyterHubUrl is { } hub)
            {
                http.BaseAddress = new Uri(hub.ToString().TrimEnd('/') + "/");
            }
        });
        builder.Services.AddProblemDetails();
        return builder;
    }
}
