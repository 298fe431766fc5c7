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
internal sealed class DPoPValidator(ReplayCache replay, TimeProvider time)
{
    /// <summary>How far <c>iat</c> may be from now (either way).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    public async Task<(string? Jkt, string? Error)> ValidateAsync(HttpRequest request, string? accessToken, CancellationToken cancellationToken)
    {
        var headers = request.Headers["DPoP"];
        if (headers.Count != 1 || string.IsNullOrEmpty(headers[0]))
        {
            return (null, "exactly one DPoP header is required");
        }

        var proof = headers[0]!;
        using var header = Jose.Header(proof);
        if (header is null || !header.RootElement.TryGetProperty("jwk", out var jwkElement) || jwkElement.ValueKind != JsonValueKind.Object)
        {
            return (null, "the DPoP proof has no jwk header");
        }

        var jwk = new JsonWebKey(jwkElement.GetRawText());
        if (Jose.CheckPublicKey(jwk, requireKid: false) is { } keyError)
        {
            return (null, "DPoP jwk: " + keyError);
        }

        var token = await Jose.VerifyAsync(proof, jwk, "dpop+jwt");
        if (token is null)
        {
            return (null, "the DPoP proof signature, type or algorithm is invalid");
        }

        var claimError = CheckClaims(token, request, accessToken);
        if (claimError is not null)
        {
            return (null, claimError);
        }

        var jti = token.Id;
        if (!await replay.TryUseAsync("dpop", jti, time.GetUtcNow() + Window + Window, cancellationToken))
        {
            return (null, "the DPoP proof was already used (jti replay)");
        }

        return (Jose.Thumbprint(jwk), null);
    }

    private string? CheckClaims(Microsoft.IdentityModel.JsonWebTokens.JsonWebToken token, HttpRequest request, string? accessToken)
    {
        if (string.IsNullOrEmpty(token.Id) || token.Id.Length > 128)
        {
            return "the DPoP proof needs a jti (at most 128 characters)";
        }

        if (!token.TryGetPayloadValue<string>("htm", out var htm) || !string.Equals(htm, request.Method, StringComparison.Ordinal))
        {
            return "DPoP htm does not match the request method";
        }

        if (!token.TryGetPayloadValue<string>("htu", out var htu) || !SameTarget(htu, request))
        {
            return "DPoP htu does not match the request URI";
        }

        if (!token.TryGetPayloadValue<long>("iat", out var iat) || Math.Abs(time.GetUtcNow().ToUnixTimeSeconds() - iat) > Window.TotalSeconds)
        {
            return "DPoP iat is missing or outside the accepted window";
        }

        if (accessToken is not null)
        {
            if (!token.TryGetPayloadValue<string>("ath", out var ath) || !string.Equals(ath, Jose.HashOf(accessToken), StringComparison.Ordinal))
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
