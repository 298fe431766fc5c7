using System.Text;
using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.OpenBanking.Security;

/// <summary>
/// Detached request signing (decision 0702): <c>x-jws-signature</c> is a compact JWS with an empty payload,
/// RFC 7515 appendix F + RFC 7797 <c>b64=false</c> — the signing input is the protected header, a dot and
/// the exact body bytes. Header: <c>alg</c> (ES256/PS256), <c>kid</c> of a key in the partner's JWKS,
/// <c>b64: false</c>, <c>crit: ["b64"]</c>, <c>iat</c> within five minutes. Checked on every open-banking POST
/// of a partner whose profile requires it, and whenever the header is present.
/// </summary>
internal sealed class DetachedJws(Partners partners, TimeProvider time)
{
    public const string Header = "x-jws-signature";
    private const int MaxBody = 1024 * 1024;
    private static readonly TimeSpan IatWindow = TimeSpan.FromMinutes(5);

    public async Task InvokeAsync(HttpContext http, Func<Task> next)
    {
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Path.StartsWithSegments("/v1/open-banking") || http.Request.Path.StartsWithSegments("/v1/open-banking/partners"))
        {
            await next();
            return;
        }

        var clientId = http.User.GetClaim(Claims.ClientId) ?? http.User.GetClaim(Claims.Subject);
        var partner = clientId is null ? null : await partners.FindByClientAsync(clientId, http.RequestAborted);
        var signature = http.Request.Headers[Header].ToString();
        if (partner is null || (!partner.RequireJws && signature.Length == 0))
        {
            await next();
            return;
        }

        http.Request.EnableBuffering(MaxBody);
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        http.Request.Body.Position = 0;
        var error = Verify(signature, buffer.ToArray(), partner.Jwks);
        if (error is not null)
        {
            await BanyanProblems.Problem(OpenBankingProblems.InvalidSignature, error).ExecuteAsync(http);
            return;
        }

        await next();
    }

    internal string? Verify(string jws, byte[] body, string jwks)
    {
        var parts = jws.Split('.');
        if (jws.Length is 0 or > 8192 || parts.Length != 3 || parts[1].Length != 0)
        {
            return $"{Header} must be a detached compact JWS (header..signature)";
        }

        using var header = Jose.Header(jws);
        if (header is null)
        {
            return "the JWS header is not base64url JSON";
        }

        var h = header.RootElement;
        var alg = h.TryGetProperty("alg", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "";
        var kid = h.TryGetProperty("kid", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "";
        var unencoded = h.TryGetProperty("b64", out var b) && b.ValueKind == JsonValueKind.False
            && h.TryGetProperty("crit", out var crit) && crit.ValueKind == JsonValueKind.Array && crit.EnumerateArray().Any(c => c.ValueKind == JsonValueKind.String && c.GetString() == "b64");
        if (!unencoded || !Jose.Algorithms.Contains(alg))
        {
            return "the JWS header needs b64=false, crit [\"b64\"] and alg ES256 or PS256";
        }

        if (!h.TryGetProperty("iat", out var iat) || iat.ValueKind != JsonValueKind.Number || !iat.TryGetInt64(out var issued)
            || Math.Abs(time.GetUtcNow().ToUnixTimeSeconds() - issued) > IatWindow.TotalSeconds)
        {
            return "the JWS header needs an iat within five minutes of now";
        }

        var key = Jose.ParseKeySet(jwks, out _).FirstOrDefault(x => x.Kid == kid);
        if (key is null)
        {
            return "kid names no key registered for this partner";
        }

        var prefix = Encoding.ASCII.GetBytes(parts[0] + ".");
        var input = new byte[prefix.Length + body.Length];
        prefix.CopyTo(input, 0);
        body.CopyTo(input, prefix.Length);
        byte[] signature;
        try
        {
            signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        }
        catch (FormatException)
        {
            return "the JWS signature is not base64url";
        }

        return Jose.VerifyRaw(key, alg, input, signature) ? null : "the JWS signature does not verify over this body";
    }
}
