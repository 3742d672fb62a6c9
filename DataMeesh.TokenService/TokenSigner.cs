using System.Numerics;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DataMeesh.TokenService;

/// <summary>A token as the service hands it out (the fields of an OAuth 2.0 token response, RFC 6749 section 5.1, in the APIs' camelCase).</summary>
public sealed record IssuedToken(string AccessToken, string TokenType, int ExpiresIn, string Subject, string[] Roles);

/// <summary>
/// The one place platform tokens are minted: ES256, issuer <see cref="PlatformTokens.Issuer"/>, audience
/// <see cref="PlatformTokens.Audience"/>. The private key is derived from the configured secret (so every replica and
/// restart signs with the same key, and the secret is an ordinary generated password); the APIs only ever see the public
/// half, from <see cref="PlatformTokens.KeysPath"/>.
/// </summary>
public sealed class TokenSigner
{
    // The order of the P-256 group (SEC 2, section 2.4.2).
    private static readonly BigInteger CurveOrder =
        BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);

    private static readonly byte[] DerivationLabel = "DataMeesh platform token signing key, ES256, v1"u8.ToArray();

    private readonly SigningCredentials credentials;
    private readonly JsonWebTokenHandler handler = new();

    public TokenSigner(string secret)
    {
        var key = new ECDsaSecurityKey(DeriveKey(secret));
        var publicKey = new ECDsaSecurityKey(ECDsa.Create(key.ECDsa.ExportParameters(includePrivateParameters: false)));
        PublicKey = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(publicKey);
        KeyId = Base64UrlEncoder.Encode(PublicKey.ComputeJwkThumbprint());
        PublicKey.KeyId = key.KeyId = KeyId;
        PublicKey.Use = "sig";
        PublicKey.Alg = PlatformTokens.Algorithm;
        credentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256);
    }

    /// <summary>The RFC 7638 thumbprint of the public key: the <c>kid</c> of every token and of the published key.</summary>
    public string KeyId { get; }

    /// <summary>The public key only (x, y): what the JWKS document publishes.</summary>
    public JsonWebKey PublicKey { get; }

    public IssuedToken Issue(string subject, IReadOnlyCollection<string> roles, TimeSpan lifetime, string issuedFor, TimeProvider? clock = null)
    {
        var unknown = roles.Except(PlatformRoles.All, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown role {string.Join(", ", unknown)}; a token can carry {string.Join(", ", PlatformRoles.All)}.");
        }

        var now = (clock ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        string[] ordered = [.. roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = PlatformTokens.Issuer,
            Audience = PlatformTokens.Audience,
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, subject)]),
            // An array even for one role or none, so every consumer reads one shape.
            Claims = new Dictionary<string, object> { ["role"] = ordered, ["azp"] = issuedFor },
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = credentials,
        });
        return new IssuedToken(token, "Bearer", (int)lifetime.TotalSeconds, subject, ordered);
    }

    /// <summary>
    /// A P-256 private key from the secret: HKDF-SHA256 stretches it to 320 bits, reduced into [1, n-1] as FIPS 186-5
    /// (A.2.1, "extra random bits") does with 64 bits more than the order needs, which makes the bias negligible.
    /// </summary>
    private static ECDsa DeriveKey(string secret)
    {
        var material = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret.Trim()), outputLength: 40, salt: [], info: DerivationLabel);
        var scalar = new BigInteger(material, isUnsigned: true, isBigEndian: true) % (CurveOrder - 1) + 1;
        var d = new byte[32];
        var bytes = scalar.ToByteArray(isUnsigned: true, isBigEndian: true);
        bytes.CopyTo(d, d.Length - bytes.Length);
        // With only D given, the platform computes the public point Q.
        return ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
    }
}
