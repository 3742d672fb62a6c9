using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DataMeesh.AppHost.Tests.Infrastructure;

/// <summary>HS256 tokens the APIs accept: issuer datameesh, audience datameesh-api, signed with the jwt-signing-key parameter.</summary>
public static class Tokens
{
    public static string Create(string subject, params string[] roles)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new { alg = "HS256", typ = "JWT" };
        var payload = new Dictionary<string, object>
        {
            ["iss"] = PlatformContract.ApiEnv.Issuer,
            ["aud"] = PlatformContract.ApiEnv.Audience,
            ["sub"] = subject,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 600,
            ["role"] = roles,
        };
        var unsigned = $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload))}";
        var key = Convert.FromBase64String(TestSecrets.Values[PlatformContract.Parameters.JwtSigningKey]);
        return $"{unsigned}.{Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(unsigned)))}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
