using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Banyan.OpenBanking.Security;

/// <summary>
/// The JOSE pieces open banking needs beyond what OpenIddict does: partner key sets, RFC 7638 thumbprints
/// and signature checks with public keys only. Algorithms are FAPI 2.0's: ES256 and PS256 (no RS256, no
/// HMAC, never <c>none</c>).
/// </summary>
internal static class Jose
{
    public static readonly string[] Algorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSsaPssSha256];
    private const int MaxKeys = 10;

    /// <summary>Parses a partner's JWKS: 1–10 public EC P-256 or RSA (≥ 2048 bits) keys, each with a unique <c>kid</c>.</summary>
    public static IReadOnlyList<JsonWebKey> ParseKeySet(string json, out string? error)
    {
        error = null;
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json);
        }
        catch (ArgumentException ex)
        {
            error = "jwks is not a JSON Web Key Set: " + ex.Message;
            return [];
        }

        var keys = set.Keys.ToList();
        if (keys.Count is 0 or > MaxKeys)
        {
            error = $"jwks must hold 1-{MaxKeys} keys.";
            return [];
        }

        foreach (var key in keys)
        {
            error ??= CheckPublicKey(key, requireKid: true);
        }

        if (error is null && keys.Select(k => k.Kid).Distinct(StringComparer.Ordinal).Count() != keys.Count)
        {
            error = "every key needs a distinct kid.";
        }

        return error is null ? keys : [];
    }

    /// <summary>Null when <paramref name="key"/> is an acceptable public signing key; otherwise why not.</summary>
    public static string? CheckPublicKey(JsonWebKey key, bool requireKid)
    {
        if (requireKid && string.IsNullOrEmpty(key.Kid))
        {
            return "every key needs a kid.";
        }

        if (key.HasPrivateKey || key.D is not null || key.P is not null)
        {
            return "keys must be public: private key material was sent.";
        }

        return key.Kty switch
        {
            "EC" when key.Crv == "P-256" && key.X is not null && key.Y is not null => null,
            "RSA" when key.N is not null && key.E is not null && Base64UrlEncoder.DecodeBytes(key.N).Length >= 256 => null,
            _ => "keys must be EC P-256 or RSA with at least 2048 bits.",
        };
    }

    /// <summary>RFC 7638 SHA-256 thumbprint, base64url (the DPoP <c>jkt</c>).</summary>
    public static string Thumbprint(JsonWebKey key) => Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());

    /// <summary>base64url(SHA-256(ASCII(value))) — the DPoP <c>ath</c> of an access token.</summary>
    public static string HashOf(string value) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(value)));

    /// <summary>The protected header of a compact JWS as JSON, or null when it is not one.</summary>
    public static JsonDocument? Header(string compact)
    {
        var dot = compact.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || compact.Length > 16_384)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(compact[..dot]));
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Verifies a compact JWT's signature and <c>typ</c> with one public key; lifetime and audience are the caller's business.</summary>
    public static async Task<JsonWebToken?> VerifyAsync(string jwt, JsonWebKey key, string type)
    {
        var parameters = new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            ValidTypes = [type],
            ValidAlgorithms = Algorithms,
        };
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, parameters);
        return result.IsValid ? result.SecurityToken as JsonWebToken : null;
    }

    /// <summary>Verifies a raw signature (JWS signing input) with a public JWK: ES256 (IEEE P1363 r‖s) or PS256.</summary>
    public static bool VerifyRaw(JsonWebKey key, string alg, ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature)
    {
        if (alg == SecurityAlgorithms.EcdsaSha256 && key.Kty == "EC")
        {
            using var ec = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(key.X), Y = Base64UrlEncoder.DecodeBytes(key.Y) },
            });
            return ec.VerifyData(input, signature, HashAlgorithmName.SHA256);
        }

        if (alg == SecurityAlgorithms.RsaSsaPssSha256 && key.Kty == "RSA")
        {
            using var rsa = RSA.Create(new RSAParameters { Modulus = Base64UrlEncoder.DecodeBytes(key.N), Exponent = Base64UrlEncoder.DecodeBytes(key.E) });
            return rsa.VerifyData(input, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        }

        return false;
    }

    /// <summary>The public JWK of an EC P-256 key (for partners and DPoP clients we generate: sandbox, demo, tests).</summary>
    public static Dictionary<string, object> PublicJwk(ECDsa key, string? kid)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        var jwk = new Dictionary<string, object>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X!),
            ["y"] = Base64UrlEncoder.Encode(p.Q.Y!),
        };
        if (kid is not null)
        {
            jwk["kid"] = kid;
            jwk["use"] = "sig";
            jwk["alg"] = SecurityAlgorithms.EcdsaSha256;
        }

        return jwk;
    }
}
