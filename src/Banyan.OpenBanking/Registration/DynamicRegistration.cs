using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Security;
using Banyan.OpenBanking.Storage;
using Banyan.Platform;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;

namespace Banyan.OpenBanking.Registration;

/// <summary>The registered client (RFC 7591 §3.2.1 response; RFC 7592 read without the token), plus the partner's onboarding state.</summary>
internal sealed record RegistrationView(
    string ClientId, long ClientIdIssuedAt, string ClientName, IReadOnlyList<string> RedirectUris, IReadOnlyList<string> GrantTypes, IReadOnlyList<string> ResponseTypes,
    string TokenEndpointAuthMethod, string Scope, JsonElement Jwks, string? SoftwareId, string? RegistrationAccessToken, string RegistrationClientUri,
    string PartnerId, string Status, bool Sandbox);

/// <summary>
/// RFC 7591 dynamic client registration at <c>POST /connect/register</c> (decision 0602) and the RFC 7592 read
/// <c>GET /connect/register/{client_id}</c>. A registration is authorised by a software statement signed by a
/// trusted issuer, or (sandbox only) by an operator's <c>admin</c> token used as the initial access token. The
/// result is a <c>pending</c> partner that goes through the same checklist and approval as the admin API.
/// </summary>
internal static class DynamicRegistration
{
    public const string Path = "/connect/register";
    public const string InitialAccessToken = "initial-access-token";
    private const int MaxBodyBytes = 64 * 1024;

    public static readonly ProblemType InvalidClientMetadata = ProblemType.Define("open-banking/invalid-client-metadata", 400, "The client metadata is invalid or outside the FAPI profile.");
    public static readonly ProblemType InvalidRedirectUri = ProblemType.Define("open-banking/invalid-redirect-uri", 400, "A redirect URI is invalid.");
    public static readonly ProblemType InvalidSoftwareStatement = ProblemType.Define("open-banking/invalid-software-statement", 400, "The software statement is invalid or not from a trusted issuer.");
    public static readonly ProblemType RegistrationUnauthorized = ProblemType.Define("open-banking/registration-unauthorized", 401, "A software statement or an initial access token is required.");

    public static void Map(IEndpointRouteBuilder app)
    {
        // The body is read by hand (size-capped, order of precedence with the statement), so its shape is declared here.
        app.MapPost(Path, RegisterAsync).AllowAnonymous().WithTags("open-banking").Accepts<JsonElement>("application/json")
            .WithName("open_banking_dynamic_client_registration").WithSummary("RFC 7591 dynamic client registration (creates a pending partner)");
        app.MapGet(Path + "/{clientId}", ReadAsync).AllowAnonymous().WithTags("open-banking")
            .WithName("open_banking_read_client_registration").WithSummary("RFC 7592 read of a registration with its registration access token");
        app.MapPut(Path + "/{clientId}", RegistrationManagement.UpdateAsync).AllowAnonymous().WithTags("open-banking").Accepts<JsonElement>("application/json")
            .WithName("open_banking_update_client_registration").WithSummary("RFC 7592 update of a registration (re-validated against the FAPI profile)");
        app.MapDelete(Path + "/{clientId}", RegistrationManagement.DeleteAsync).AllowAnonymous().WithTags("open-banking")
            .WithName("open_banking_delete_client_registration").WithSummary("RFC 7592 delete of a registration: the partner is disabled (audited)");
    }

    private static async Task<Results<Created<RegistrationView>, ProblemHttpResult>> RegisterAsync(HttpContext http, RegistrationOptions options, Partners partners, TimeProvider time)
    {
        var (request, problem) = await ReadBodyAsync(http.Request);
        if (request is null)
        {
            return problem!;
        }

        string registeredBy;
        bool sandbox;
        if (request.TryGetValue("software_statement", out var statement))
        {
            var (claims, issuer, error) = await SoftwareStatements.VerifyAsync(statement.ValueKind == JsonValueKind.String ? statement.GetString()! : "", options, time);
            if (claims is null)
            {
                return Error(ClientMetadata.InvalidSoftwareStatement, error!);
            }

            // RFC 7591 §2.3: the statement's values take precedence over the same members sent in the clear.
            foreach (var member in ClientMetadata.Members.Where(claims.ContainsKey))
            {
                request[member] = claims[member];
            }

            (registeredBy, sandbox) = (issuer!, claims.TryGetValue("environment", out var env) && env.ValueKind == JsonValueKind.String && env.GetString() == "sandbox");
        }
        else if (http.User.HasScope(ScopePolicy.Admin))
        {
            (registeredBy, sandbox) = (InitialAccessToken, true);
        }
        else
        {
            return BanyanProblems.Problem(RegistrationUnauthorized, "Send a software_statement signed by a trusted issuer, or (sandbox) an operator's initial access token.",
                [new("error", "invalid_token"), new("error_description", "no software statement and no initial access token")]);
        }

        var (metadata, invalid) = ClientMetadata.Parse(request);
        if (metadata is null)
        {
            return Error(invalid!.Value.Code, invalid.Value.Description);
        }

        return await CreateAsync(http, metadata, registeredBy, sandbox, partners, time);
    }

    private static async Task<Results<Created<RegistrationView>, ProblemHttpResult>> CreateAsync(
        HttpContext http, ClientMetadata metadata, string registeredBy, bool sandbox, Partners partners, TimeProvider time)
    {
        var partner = await partners.RegisterAsync(new RegisterPartner(metadata.ClientName, metadata.RedirectUris, metadata.Scopes, metadata.Jwks, sandbox),
            "dcr:" + registeredBy, http.RequestAborted);
        var token = "rat_" + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var row = new RegistrationRow
        {
            ClientId = partner.ClientId,
            PartnerId = partner.Id,
            TokenHash = Jose.HashOf(token),
            RegisteredBy = registeredBy,
            SoftwareId = metadata.SoftwareId,
            GrantTypes = string.Join(' ', metadata.GrantTypes),
            CreatedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await using (var scope = http.RequestServices.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            db.Add(row);
            await db.SaveChangesAsync(http.RequestAborted);
        }

        var view = View(http, partner, row) with { RegistrationAccessToken = token };
        return TypedResults.Created(view.RegistrationClientUri, view);
    }

    private static async Task<Results<Ok<RegistrationView>, ProblemHttpResult>> ReadAsync(string clientId, HttpContext http, Partners partners)
    {
        var (row, partner, problem) = await AuthenticateAsync(clientId, http, partners);
        return row is null ? problem! : TypedResults.Ok(View(http, partner!, row));
    }

    /// <summary>
    /// The registration row and partner the bearer registration access token is for, or the 401 problem. RFC 7592
    /// §2.1: a wrong token and an unknown (or deleted) client look the same, so client ids cannot be probed.
    /// </summary>
    internal static async Task<(RegistrationRow? Row, PartnerRow? Partner, ProblemHttpResult? Problem)> AuthenticateAsync(string clientId, HttpContext http, Partners partners)
    {
        var auth = http.Request.Headers.Authorization.ToString();
        var token = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..].Trim() : "";
        RegistrationRow? row = null;
        if (token.Length is > 0 and <= 128 && clientId.Length <= 64)
        {
            await using var scope = http.RequestServices.CreateAsyncScope();
            row = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<RegistrationRow>().AsNoTracking().FirstOrDefaultAsync(r => r.ClientId == clientId, http.RequestAborted);
        }

        var partner = row is null ? null : await partners.FindAsync(row.PartnerId, http.RequestAborted);
        if (row is null || partner is null || partner.Status == RegistrationManagement.Disabled
            || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(row.TokenHash), System.Text.Encoding.ASCII.GetBytes(Jose.HashOf(token))))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return (null, null, BanyanProblems.Problem(RegistrationUnauthorized, "The registration access token is missing or not this client's.",
                [new("error", "invalid_token"), new("error_description", "registration access token missing or invalid")]));
        }

        return (row, partner, null);
    }

    internal static RegistrationView View(HttpContext http, PartnerRow partner, RegistrationRow row)
    {
        var grants = row.GrantTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        using var jwks = JsonDocument.Parse(partner.Jwks);
        var uri = $"{http.Request.Scheme}://{http.Request.Host}{Path}/{Uri.EscapeDataString(partner.ClientId)}";
        return new RegistrationView(partner.ClientId, partner.CreatedAtUnixMs / 1000, partner.Name, partner.RedirectUris.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            grants, grants.Contains("authorization_code") ? ["code"] : [], ClientMetadata.AuthMethod, partner.Scopes, jwks.RootElement.Clone(), row.SoftwareId,
            null, uri, partner.Id, partner.Status, partner.Sandbox);
    }

    internal static async Task<(Dictionary<string, JsonElement>? Request, ProblemHttpResult? Problem)> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength is > MaxBodyBytes || !(request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Error(ClientMetadata.InvalidClientMetadata, $"Send the metadata as application/json, at most {MaxBodyBytes} bytes."));
        }

        try
        {
            using var limited = new MemoryStream();
            await request.Body.CopyToAsync(limited, request.HttpContext.RequestAborted);
            if (limited.Length > MaxBodyBytes)
            {
                return (null, Error(ClientMetadata.InvalidClientMetadata, $"The metadata exceeds {MaxBodyBytes} bytes."));
            }

            using var doc = JsonDocument.Parse(limited.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            return doc.RootElement.ValueKind == JsonValueKind.Object
                ? (doc.RootElement.EnumerateObject().Take(64).ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal), null)
                : (null, Error(ClientMetadata.InvalidClientMetadata, "The metadata must be a JSON object."));
        }
        catch (JsonException)
        {
            return (null, Error(ClientMetadata.InvalidClientMetadata, "The metadata is not valid JSON."));
        }
    }

    /// <summary>An RFC 9457 problem that is also an RFC 7591 error response (<c>error</c>, <c>error_description</c> members; decision 0602).</summary>
    internal static ProblemHttpResult Error(string code, string description)
    {
        var type = code switch
        {
            ClientMetadata.InvalidRedirectUri => InvalidRedirectUri,
            ClientMetadata.InvalidSoftwareStatement => InvalidSoftwareStatement,
            _ => InvalidClientMetadata,
        };
        return BanyanProblems.Problem(type, description, [new("error", code), new("error_description", description)]);
    }
}

/// <summary>Software statement verification: a JWT from a configured issuer, signed by one of that issuer's keys, not expired.</summary>
internal static class SoftwareStatements
{
    private const int MaxLength = 16_384;
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);

    public static async Task<(Dictionary<string, JsonElement>? Claims, string? Issuer, string? Error)> VerifyAsync(string jwt, RegistrationOptions options, TimeProvider time)
    {
        JsonWebToken unverified;
        try
        {
            unverified = jwt.Length is > 0 and <= MaxLength ? new JsonWebToken(jwt) : throw new ArgumentException("length");
        }
        catch (ArgumentException)
        {
            return (null, null, "software_statement is not a JWT.");
        }

        // Only the keys of the issuer the statement names: one trusted issuer's key cannot vouch for another's statements.
        var issuer = options.TrustedIssuers.FirstOrDefault(i => i.Issuer == unverified.Issuer);
        var key = issuer?.Keys.FirstOrDefault(k => k.Kid == unverified.Kid);
        var token = key is null ? null : await Jose.VerifyAsync(jwt, key, unverified.Typ is { Length: > 0 } typ ? typ : "JWT");
        if (token is null || issuer is null)
        {
            return (null, null, "software_statement is not signed (ES256/PS256) by a key of a trusted issuer.");
        }

        var now = time.GetUtcNow();
        if (!token.TryGetPayloadValue<long>("exp", out var exp) || DateTimeOffset.FromUnixTimeSeconds(exp) <= now - Skew
            || (token.TryGetPayloadValue<long>("iat", out var iat) && DateTimeOffset.FromUnixTimeSeconds(iat) > now + Skew))
        {
            return (null, null, "software_statement is expired, has no exp, or was issued in the future.");
        }

        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload));
        var claims = payload.RootElement.EnumerateObject().Take(64).ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        return (claims, issuer.Issuer, null);
    }
}
