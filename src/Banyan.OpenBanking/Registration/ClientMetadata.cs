using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Security;

namespace Banyan.OpenBanking.Registration;

/// <summary>An RFC 7591 error: the code (<c>invalid_client_metadata</c>, <c>invalid_redirect_uri</c>, <c>invalid_software_statement</c>) and why.</summary>
internal readonly record struct RegistrationError(string Code, string Description);

/// <summary>Validated client metadata inside the FAPI profile: <c>private_key_jwt</c>, keys by value, code flow and/or client credentials.</summary>
internal sealed record ClientMetadata(string ClientName, IReadOnlyList<string> RedirectUris, IReadOnlyList<string> GrantTypes, IReadOnlyList<string> Scopes, JsonElement Jwks, string? SoftwareId)
{
    public const string InvalidClientMetadata = "invalid_client_metadata";
    public const string InvalidRedirectUri = "invalid_redirect_uri";
    public const string InvalidSoftwareStatement = "invalid_software_statement";
    public const string AuthMethod = "private_key_jwt";
    public static readonly string[] AllowedGrantTypes = ["authorization_code", "client_credentials"];

    /// <summary>The metadata members read; a software statement's values for them override the request's (RFC 7591 §2.3).</summary>
    public static readonly string[] Members =
        ["client_name", "software_client_name", "redirect_uris", "grant_types", "response_types", "token_endpoint_auth_method", "scope", "jwks", "jwks_uri", "software_id"];

    public static (ClientMetadata? Metadata, RegistrationError? Error) Parse(IReadOnlyDictionary<string, JsonElement> m)
    {
        // RFC 7591 §2: an omitted token_endpoint_auth_method means client_secret_basic, which FAPI 2.0 does not allow.
        var method = Text(m, "token_endpoint_auth_method") ?? "client_secret_basic";
        if (method != AuthMethod)
        {
            return Fail(InvalidClientMetadata, $"token_endpoint_auth_method must be {AuthMethod} (was {method}).");
        }

        var grants = Strings(m, "grant_types") ?? ["authorization_code"];
        if (grants.Count == 0 || grants.Any(g => !AllowedGrantTypes.Contains(g)))
        {
            return Fail(InvalidClientMetadata, "grant_types must be authorization_code and/or client_credentials.");
        }

        var responses = Strings(m, "response_types") ?? (grants.Contains("authorization_code") ? ["code"] : []);
        if (responses.Any(r => r != "code"))
        {
            return Fail(InvalidClientMetadata, "response_types may only be code.");
        }

        var redirects = Strings(m, "redirect_uris") ?? [];
        if (redirects.Count is 0 or > 10 || redirects.Any(u => !Partners.IsRedirectUri(u)))
        {
            return Fail(InvalidRedirectUri, "redirect_uris: 1-10 absolute https URIs (http only for loopback), no fragment.");
        }

        return ParseRest(m, redirects, grants);
    }

    private static (ClientMetadata?, RegistrationError?) ParseRest(IReadOnlyDictionary<string, JsonElement> m, IReadOnlyList<string> redirects, IReadOnlyList<string> grants)
    {
        if (m.ContainsKey("jwks_uri") || !m.TryGetValue("jwks", out var jwks) || jwks.ValueKind != JsonValueKind.Object)
        {
            return Fail(InvalidClientMetadata, "jwks (by value) is required; jwks_uri is not supported.");
        }

        Jose.ParseKeySet(jwks.GetRawText(), out var jwksError);
        if (jwksError is not null)
        {
            return Fail(InvalidClientMetadata, jwksError);
        }

        var scopes = (Text(m, "scope") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (scopes.Count == 0 || scopes.Any(s => !Partners.PartnerScopes.Contains(s)))
        {
            return Fail(InvalidClientMetadata, "scope must name one or more of " + string.Join(" ", Partners.PartnerScopes) + ".");
        }

        var name = Text(m, "client_name") ?? Text(m, "software_client_name");
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            return Fail(InvalidClientMetadata, "client_name is required (1-200 characters).");
        }

        var softwareId = Text(m, "software_id");
        return softwareId is { Length: > 128 }
            ? Fail(InvalidClientMetadata, "software_id is at most 128 characters.")
            : (new ClientMetadata(name.Trim(), redirects, grants, scopes, jwks.Clone(), softwareId), null);
    }

    private static (ClientMetadata?, RegistrationError?) Fail(string code, string description) => (null, new RegistrationError(code, description));

    private static string? Text(IReadOnlyDictionary<string, JsonElement> m, string key) =>
        m.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    // A member of the wrong type counts as invalid rather than absent: [] fails the checks above.
    private static List<string>? Strings(IReadOnlyDictionary<string, JsonElement> m, string key) =>
        !m.TryGetValue(key, out var v) ? null
        : v.ValueKind == JsonValueKind.Array && v.GetArrayLength() <= 20 && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String)
            ? v.EnumerateArray().Select(x => x.GetString()!).ToList()
            : [];
}
