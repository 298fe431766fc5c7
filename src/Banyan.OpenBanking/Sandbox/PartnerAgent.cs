using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Banyan.OpenBanking.Security;
using Banyan.Platform.Http;
using Banyan.Platform.Security;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Banyan.OpenBanking.Sandbox;

/// <summary>
/// A partner's side of the protocol, as a partner would write it: <c>private_key_jwt</c> client assertions,
/// DPoP proofs, PAR, the code exchange, and signed resource calls. Used by <c>banyan demo</c> and by the
/// tests; it talks to the host only over HTTP.
/// </summary>
internal sealed class PartnerAgent : IDisposable
{
    public const string RedirectUri = "http://127.0.0.1:9/callback";
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly string _kid = "k-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    public PartnerAgent(Uri baseAddress, TimeProvider time)
    {
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseAddress };
        _time = time;
    }

    public ECDsa SigningKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public ECDsa DPoPKey { get; set; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string ClientId { get; set; } = "";

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>The JWKS to register: the public half of <see cref="SigningKey"/>.</summary>
    public JsonElement Jwks() => JsonSerializer.SerializeToElement(new { keys = new[] { Jose.PublicJwk(SigningKey, _kid) } });

    /// <summary>An RFC 7523 client assertion for the host's token and PAR endpoints.</summary>
    public string ClientAssertion()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            // The explicit type of draft-ietf-oauth-rfc7523bis, which OpenIddict 7 requires.
            TokenType = "client-authentication+jwt",
            Issuer = ClientId,
            Audience = new Uri(BaseAddress, "/").AbsoluteUri,
            Claims = new Dictionary<string, object> { ["sub"] = ClientId, ["jti"] = Guid.NewGuid().ToString("N") },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddSeconds(60),
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(SigningKey) { KeyId = _kid }, SecurityAlgorithms.EcdsaSha256),
        });
    }

    /// <summary>The partner app's signed statement about a person it has identified (embedded onboarding).</summary>
    public string IdentityAssertion(string name, string nationalId, string phone, string? jti = null)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = Api.Onboarding.AssertionType,
            Issuer = ClientId,
            Audience = new Uri(BaseAddress, "/").AbsoluteUri,
            Claims = new Dictionary<string, object>
            {
                ["jti"] = jti ?? Guid.NewGuid().ToString("N"),
                ["name"] = name,
                ["phone"] = phone,
                ["national_id_hash"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(nationalId))),
            },
            IssuedAt = now,
            Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(SigningKey) { KeyId = _kid }, SecurityAlgorithms.EcdsaSha256),
        });
    }

    /// <summary>An RFC 9449 proof for one request (with <c>ath</c> when an access token goes along).</summary>
    public string Proof(HttpMethod method, Uri url, string? accessToken, ECDsa? key = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["htm"] = method.Method,
            ["htu"] = url.GetLeftPart(UriPartial.Path),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = _time.GetUtcNow().ToUnixTimeSeconds(),
        };
        if (accessToken is not null)
        {
            claims["ath"] = Jose.HashOf(accessToken);
        }

        var signer = key ?? DPoPKey;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "dpop+jwt",
            Claims = claims,
            AdditionalHeaderClaims = new Dictionary<string, object> { ["jwk"] = Jose.PublicJwk(signer, null) },
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(signer), SecurityAlgorithms.EcdsaSha256),
        });
    }

    /// <summary>A detached JWS (b64=false) over <paramref name="body"/>.</summary>
    public string DetachedSignature(byte[] body)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["alg"] = "ES256", ["kid"] = _kid, ["b64"] = false, ["crit"] = new[] { "b64" }, ["iat"] = _time.GetUtcNow().ToUnixTimeSeconds(),
        });
        var encoded = Base64UrlEncoder.Encode(header);
        var input = Encoding.ASCII.GetBytes(encoded + ".").Concat(body).ToArray();
        return encoded + ".." + Base64UrlEncoder.Encode(SigningKey.SignData(input, HashAlgorithmName.SHA256));
    }

    /// <summary>POSTs a form to a token-style endpoint with client authentication and a DPoP proof.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> PostFormAsync(string path, Dictionary<string, string> fields, bool dpop = true)
    {
        fields["client_id"] = ClientId;
        fields["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
        fields["client_assertion"] = ClientAssertion();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        if (dpop)
        {
            request.Headers.Add("DPoP", Proof(HttpMethod.Post, new Uri(BaseAddress, path), null));
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    public async Task<string> ClientCredentialsAsync(string scope)
    {
        var (status, body) = await PostFormAsync("/connect/token", new() { ["grant_type"] = "client_credentials", ["scope"] = scope });
        return status == HttpStatusCode.OK ? body.GetProperty("access_token").GetString()! : throw new InvalidOperationException("client_credentials failed: " + body);
    }

    /// <summary>PAR: pushes the authorization request; returns the request_uri.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> PushAsync(string scope, string consentId, string state, string codeChallenge, string method = "S256") =>
        await PostFormAsync("/connect/par", new()
        {
            ["response_type"] = "code", ["redirect_uri"] = RedirectUri, ["scope"] = scope, ["state"] = state,
            ["code_challenge"] = codeChallenge, ["code_challenge_method"] = method, ["consent_id"] = consentId,
        }, dpop: false);

    public Task<(HttpStatusCode Status, JsonElement Body)> ExchangeCodeAsync(string code, string verifier) =>
        PostFormAsync("/connect/token", new() { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier });

    /// <summary>A resource call with a DPoP-bound token (and a detached JWS on bodies).</summary>
    public async Task<HttpResponseMessage> CallAsync(HttpMethod method, string path, string token, object? body = null, Action<HttpRequestMessage>? tweak = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("DPoP", token);
        request.Headers.Add("DPoP", Proof(method, new Uri(BaseAddress, path), token));
        if (body is not null)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(body, BanyanJson.Options);
            request.Content = new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
            request.Headers.Add(DetachedJws.Header, DetachedSignature(bytes));
        }

        tweak?.Invoke(request);
        return await _http.SendAsync(request);
    }

    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public void Dispose()
    {
        _http.Dispose();
        SigningKey.Dispose();
        DPoPKey.Dispose();
    }
}

/// <summary>The customer's browser: cookies, forms, no scripts; stops at redirects so the caller sees them.</summary>
internal sealed partial class CustomerBrowser(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = baseAddress };

    public async Task<(HttpResponseMessage Response, string Html)> GetAsync(string url)
    {
        var response = await _http.GetAsync(new Uri(url, UriKind.RelativeOrAbsolute));
        return (response, await response.Content.ReadAsStringAsync());
    }

    public async Task<(HttpResponseMessage Response, string Html)> PostAsync(string url, IEnumerable<KeyValuePair<string, string>> fields)
    {
        using var content = new FormUrlEncodedContent(fields);
        var response = await _http.PostAsync(new Uri(url, UriKind.RelativeOrAbsolute), content);
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The form's inputs: hidden fields and checked checkboxes/radios (what a browser would submit).</summary>
    public static List<KeyValuePair<string, string>> FormFields(string html) =>
        InputPattern().Matches(html).Where(m => m.Groups["type"].Value is "hidden" or "checkbox" or "radio")
            .Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value))).ToList();

    [GeneratedRegex("<input type=\"(?<type>[a-z]+)\" name=\"(?<name>[^\"]*)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex InputPattern();

    public void Dispose() => _http.Dispose();
}

/// <summary>A sandbox customer's credentials (with the recovery codes shown at creation) and a way to produce their current TOTP code.</summary>
internal sealed record SandboxCredentials(string UserName, string Password, string TotpSecretBase32, string AccountId, IReadOnlyList<string> RecoveryCodes)
{
    public string Code(DateTimeOffset at) => Totp.Compute(FromBase32(TotpSecretBase32), Totp.StepAt(at));

    private static byte[] FromBase32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var output = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text)
        {
            buffer = ((buffer << 5) | alphabet.IndexOf(c, StringComparison.Ordinal)) & 0xFFFF;
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)((buffer >> (bits - 8)) & 0xFF));
                bits -= 8;
            }
        }

        return [.. output];
    }
}
