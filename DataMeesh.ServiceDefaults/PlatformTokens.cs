namespace DataMeesh;

/// <summary>
/// What every platform token says and every data-product API checks: issued by the token service (DataMeesh.TokenService,
/// the only holder of the signing key), for the APIs' shared audience, so one token reads every domain.
/// </summary>
public static class PlatformTokens
{
    public const string Issuer = "datameesh";
    public const string Audience = "datameesh-api";

    /// <summary>ES256 (ECDSA P-256, SHA-256): the APIs verify with the public key alone, so no API can mint a token.</summary>
    public const string Algorithm = "ES256";

    /// <summary>Where the token service publishes its OpenID discovery document, which names its public keys (JWKS).</summary>
    public const string DiscoveryPath = "/.well-known/openid-configuration";
    public const string KeysPath = "/.well-known/jwks.json";

    /// <summary>A JupyterHub user exchanges their server's JUPYTERHUB_API_TOKEN here for a platform token.</summary>
    public const string JupyterHubExchangePath = "/tokens/jupyterhub";

    /// <summary>A token for any roles, for the AppHost's dashboard command (run mode only, with the run's developer key).</summary>
    public const string DeveloperPath = "/tokens";
}
