using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace Banyan.OpenBanking.Security;

/// <summary>
/// RFC 9449 proof checks (§4.3), done by this module because OpenIddict 7.8 has no DPoP support: one
/// <c>DPoP</c> header holding a <c>dpop+jwt</c> signed by the public <c>jwk</c> in its header (ES256/PS256),
/// <c>htm</c>/<c>htu</c> matching this request, <c>iat</c> within the window, a <c>jti</c> never seen before and,
/// on resource calls, <c>ath</c> = hash of the access token. Returns the key's thumbprint (<c>jkt</c>).
/// </summary>
internal sealed class DPoPValidator(ReplayCache replay, TimeProvider time, ProofKeys? proofKeys = null)
{
    // One per validator (a host singleton); optional so the module's registration stays as it was.
    private readonly ProofKeys _keys = proofKeys ?? new ProofKeys();

    /// <summary>How far <c>iat</c> may be from now (either way).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    /// <summary>Longest proof accepted (header with an RSA jwk, claims, signature).</summary>
    public const int MaxProofLength = 16_384;

    private const string InvalidSignature = "the DPoP proof signature, type or algorithm is invalid";

    public async Task<(string? Jkt, string? Error)> ValidateAsync(HttpRequest request, string? accessToken, CancellationToken cancellationToken)
    {
        var headers = request.Headers["DPoP"];
        if (headers.Count != 1 || string.IsNullOrEmpty(headers[0]))
        {
            return (null, "exactly one DPoP header is required");
        }

        var (proof, error) = Parse(headers[0]!);
        if (proof is null)
        {
            return (null, error);
        }

        var claimError = CheckClaims(proof, request, accessToken);
        if (claimError is not null)
        {
            return (null, claimError);
        }

        if (!await replay.TryUseAsync("dpop", proof.Jti!, time.GetUtcNow() + Window + Window, cancellationToken))
        {
            return (null, "the DPoP proof was already used (jti replay)");
        }

        return (proof.Thumbprint, null);
    }

    /// <summary>
    /// A compact JWS whose header has <c>typ</c> <c>dpop+jwt</c>, an allowed <c>alg</c> fitting the key, a public <c>jwk</c>
    /// and no <c>crit</c>, signed by that jwk; then its claims. The key's checks and import are cached (<see cref="ProofKeys"/>).
    /// </summary>
    internal (Proof? Proof, string? Error) Parse(string compact)
    {
        var first = compact.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : compact.IndexOf('.', first + 1);
        if (compact.Length > MaxProofLength || first <= 0 || second <= first + 1 || second == compact.Length - 1 || compact.IndexOf('.', second + 1) >= 0)
        {
            return (null, "the DPoP proof has no jwk header");
        }

        string alg;
        ProofKeys.Entry? key;
        try
        {
            using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(compact[..first]));
            var root = header.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("jwk", out var jwk) || jwk.ValueKind != JsonValueKind.Object)
            {
                return (null, "the DPoP proof has no jwk header");
            }

            if (Text(root, "typ") != "dpop+jwt" || Text(root, "alg") is not { } a || !Jose.Algorithms.Contains(a) || root.TryGetProperty("crit", out _))
            {
                return (null, InvalidSignature);
            }

            alg = a;
            (key, var keyError) = _keys.Resolve(jwk.GetRawText());
            if (key is null)
            {
                return (null, keyError);
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            return (null, "the DPoP proof has no jwk header");
        }

        return Verify(compact, first, second, alg, key);
    }

    private static (Proof? Proof, string? Error) Verify(string compact, int first, int second, string alg, ProofKeys.Entry key)
    {
        try
        {
            var signature = Base64UrlEncoder.DecodeBytes(compact[(second + 1)..]);
            if (!key.Verify(alg, Encoding.ASCII.GetBytes(compact, 0, second), signature))
            {
                return (null, InvalidSignature);
            }

            using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(compact[(first + 1)..second]));
            var claims = payload.RootElement;
            if (claims.ValueKind != JsonValueKind.Object)
            {
                return (null, InvalidSignature);
            }

            long? iat = claims.TryGetProperty("iat", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt64(out var n) ? n : null;
            return (new Proof(key.Thumbprint, Text(claims, "jti"), Text(claims, "htm"), Text(claims, "htu"), iat, Text(claims, "ath")), null);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            return (null, InvalidSignature);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private string? CheckClaims(Proof token, HttpRequest request, string? accessToken)
    {
        if (string.IsNullOrEmpty(token.Jti) || token.Jti.Length > 128)
        {
            return "the DPoP proof needs a jti (at most 128 characters)";
        }

        if (!string.Equals(token.Htm, request.Method, StringComparison.Ordinal))
        {
            return "DPoP htm does not match the request method";
        }

        if (token.Htu is not { } htu || !SameTarget(htu, request))
        {
            return "DPoP htu does not match the request URI";
        }

        // Compared as bounds, not |now − iat|: a hostile iat near long.MinValue must not overflow (checked arithmetic).
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var window = (long)Window.TotalSeconds;
        if (token.Iat is not { } iat || iat < now - window || iat > now + window)
        {
            return "DPoP iat is missing or outside the accepted window";
        }

        if (accessToken is not null)
        {
            if (token.Ath is null || !string.Equals(token.Ath, Jose.HashOf(accessToken), StringComparison.Ordinal))
            {
                return "DPoP ath does not match the access token";
            }
        }

        return null;
    }

    // RFC 9449 §4.3: compare without query and fragment; scheme and host are case-insensitive.
    private static bool SameTarget(string htu, HttpRequest request)
    {
        if (!Uri.TryCreate(htu, UriKind.Absolute, out var claimed))
        {
            return false;
        }

        var actual = new Uri(request.Scheme + "://" + request.Host.Value + request.PathBase.Value + request.Path.Value);
        return Uri.Compare(claimed, actual, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0
            && string.Equals(claimed.AbsolutePath, actual.AbsolutePath, StringComparison.Ordinal);
    }
}

/// <summary>A DPoP proof whose signature verified, with the thumbprint of its key and the claims the checks need.</summary>
internal sealed record Proof(string Thumbprint, string? Jti, string? Htm, string? Htu, long? Iat, string? Ath);
