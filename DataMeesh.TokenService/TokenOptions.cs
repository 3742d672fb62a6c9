using Microsoft.Extensions.Options;

namespace DataMeesh.TokenService;

/// <summary>
/// Configuration section <c>Tokens</c> (environment <c>Tokens__*</c>), bound once and checked at start: a bad value stops
/// the service with a message naming the key.
/// </summary>
public sealed class TokenOptions
{
    public const string SectionName = "Tokens";
    public const int MinSigningKeyLength = 32;
    internal static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(12);

    /// <summary>The secret the ES256 signing key is derived from (at least 32 characters; the AppHost generates 64).</summary>
    public string? SigningKey { get; set; }

    /// <summary>The hub that vouches for its users (<c>GET /hub/api/user</c>); without it the hub exchange answers 503.</summary>
    public Uri? JupyterHubUrl { get; set; }

    /// <summary>Enables <c>POST /tokens</c> for whoever presents it (the AppHost's dashboard command, in run mode only).</summary>
    public string? DeveloperKey { get; set; }

    /// <summary>How long an issued token is valid.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(30);
}

internal sealed class TokenOptionsValidator : IValidateOptions<TokenOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenOptions options)
    {
        List<string> failures = [];
        if (string.IsNullOrWhiteSpace(options.SigningKey) || options.SigningKey.Trim().Length < TokenOptions.MinSigningKeyLength)
        {
            failures.Add($"Tokens:SigningKey must be a secret of at least {TokenOptions.MinSigningKeyLength} characters " +
                "(environment Tokens__SigningKey; e.g. the output of `openssl rand -hex 32`)");
        }

        if (options.JupyterHubUrl is { } hub && (!hub.IsAbsoluteUri || hub.Scheme is not ("http" or "https")))
        {
            failures.Add($"Tokens:JupyterHubUrl must be the hub's http(s) address, such as http://jupyterhub:8000, not '{hub}'");
        }

        if (options.DeveloperKey is { } developerKey && developerKey.Trim().Length < TokenOptions.MinSigningKeyLength)
        {
            failures.Add($"Tokens:DeveloperKey must be at least {TokenOptions.MinSigningKeyLength} characters, or not set");
        }

        if (options.Lifetime < TimeSpan.FromMinutes(1) || options.Lifetime > TokenOptions.MaxLifetime)
        {
            failures.Add($"Tokens:Lifetime must be from 00:01:00 to 12:00:00, not {options.Lifetime}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
