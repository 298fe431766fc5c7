using System.Security.Claims;
using System.Text.Json;
using Banyan.OpenBanking.Identity;
using Banyan.OpenBanking.Security;
using Banyan.OpenBanking.Storage;
using Banyan.Platform.Http;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.OpenBanking.Api;

/// <summary>Module problem types (stable codes, docs/open-banking.md).</summary>
internal static class OpenBankingProblems
{
    public static readonly ProblemType InvalidDPoP = ProblemType.Define("open-banking/invalid-dpop-proof", 401, "The DPoP proof is missing or invalid.");
    public static readonly ProblemType PartnerNotApproved = ProblemType.Define("open-banking/partner-not-approved", 403, "The client is not an approved open-banking partner.");
    public static readonly ProblemType ConsentNotActive = ProblemType.Define("open-banking/consent-not-active", 403, "The consent behind this token is not active.");
    public static readonly ProblemType PermissionMissing = ProblemType.Define("open-banking/permission-missing", 403, "The consent does not grant this permission.");
    public static readonly ProblemType UnattendedLimit = ProblemType.Define("open-banking/unattended-limit", 429, "The consent's daily allowance of calls without the customer present is used up.");
    public static readonly ProblemType InvalidSignature = ProblemType.Define("open-banking/invalid-signature", 400, "The detached JWS (x-jws-signature) is missing or does not verify.");
    public static readonly ProblemType InvalidAssertion = ProblemType.Define("open-banking/invalid-assertion", 400, "The signed identity assertion is invalid, expired or already used.");
    public static readonly ProblemType PaymentRejected = ProblemType.Define("open-banking/payment-rejected", 422, "The payment was refused; nothing moved.");
}

/// <summary>Who is calling and under which consent, once the guard has checked everything.</summary>
internal sealed record Caller(string ClientId, PartnerRow Partner, string? CustomerId, ConsentRow? Consent);

/// <summary>
/// Checks every open-banking call beyond the scope policy: the token is sender-constrained (DPoP proof for
/// its <c>cnf.jkt</c>, with <c>ath</c>), the client is an approved partner, and — for customer data — the
/// consent named in the token is this partner's, this customer's, active, and grants the permission.
/// A zero-trust risk engine, when registered, is consulted per customer call.
/// </summary>
internal sealed class Guard(Partners partners, Consents consents, TimeProvider time, GuardCache? guardCache = null)
{
    // Optional so hand-built guards (tests) work; the module registers one shared with Consents (decision 0620).
    private readonly GuardCache _cache = guardCache ?? new GuardCache(time);

    public const string CustomerPresentHeader = "x-fapi-customer-ip-address";

    /// <summary>A partner-level call (client credentials or customer token).</summary>
    public async Task<(Caller? Caller, ProblemHttpResult? Problem)> PartnerAsync(HttpContext http)
    {
        var user = http.User;
        var clientId = user.GetClaim(Claims.ClientId) ?? user.GetClaim(Claims.Subject);
        var problem = CheckBinding(http, user);
        if (problem is not null)
        {
            return (null, problem);
        }

        var partner = clientId is null ? null : await PartnerAsync(clientId, http.RequestAborted);
        if (partner is null || partner.Status != "approved")
        {
            return (null, BanyanProblems.Problem(OpenBankingProblems.PartnerNotApproved, "Only approved partners' clients may call open-banking resources."));
        }

        return (new Caller(clientId!, partner, null, null), null);
    }

    /// <summary>A call on a customer's behalf: the token must carry an active consent of <paramref name="kind"/> granting <paramref name="permission"/>.</summary>
    public async Task<(Caller? Caller, ProblemHttpResult? Problem)> CustomerAsync(HttpContext http, string kind, string? permission, bool allowConsumed = false)
    {
        var (caller, problem) = await PartnerAsync(http);
        if (caller is null)
        {
            return (null, problem);
        }

        var customerId = http.User.GetClaim(Claims.Subject);
        var consentId = http.User.GetClaim(OAuthHandlers.ConsentClaim);
        var consent = consentId is null ? null : await ConsentAsync(consentId, http.RequestAborted);
        if (consent is null || customerId is null || consent.Kind != kind || consent.ClientId != caller.ClientId || consent.CustomerId != customerId)
        {
            return (null, BanyanProblems.Problem(OpenBankingProblems.ConsentNotActive, "This token carries no consent of this partner and customer for this resource."));
        }

        var usable = consents.IsActive(consent) || (allowConsumed && consent.Status == ConsentStatus.Consumed);
        if (!usable)
        {
            return (null, BanyanProblems.Problem(OpenBankingProblems.ConsentNotActive, $"Consent {consent.Id} is {consent.Status} or expired."));
        }

        if (permission is not null && !consent.Permissions.Split(' ').Contains(permission))
        {
            return (null, BanyanProblems.Problem(OpenBankingProblems.PermissionMissing, $"Consent {consent.Id} does not grant {permission}."));
        }

        var limit = await UnattendedAsync(http, consent);
        return limit is not null ? (null, limit) : (caller with { CustomerId = customerId, Consent = consent }, null);
    }

    private async Task<PartnerRow?> PartnerAsync(string clientId, CancellationToken cancellationToken)
    {
        if (_cache.FindApprovedPartner(clientId) is { } cached)
        {
            return cached;
        }

        var partner = await partners.FindByClientAsync(clientId, cancellationToken);
        if (partner is not null)
        {
            _cache.StoreApprovedPartner(partner);
        }

        return partner;
    }

    /// <summary>The consent row, from the cache when a recent read is there (copies either way; invalidated by every transition).</summary>
    private async Task<ConsentRow?> ConsentAsync(string consentId, CancellationToken cancellationToken)
    {
        if (_cache.FindConsent(consentId) is { } cached)
        {
            return cached;
        }

        var generation = _cache.Generation;
        var consent = await consents.FindAsync(consentId, cancellationToken);
        if (consent is not null)
        {
            _cache.StoreConsent(consent, generation);
        }

        return consent;
    }

    private async Task<ProblemHttpResult?> UnattendedAsync(HttpContext http, ConsentRow consent)
    {
        if (consent.Kind != Consents.AccountAccess || http.Request.Headers.ContainsKey(CustomerPresentHeader))
        {
            return null;
        }

        if (await consents.TryCountUnattendedAsync(consent, http.RequestAborted))
        {
            return null;
        }

        var secondsToMidnight = 86_400 - (time.GetUtcNow().ToUnixTimeSeconds() % 86_400);
        http.Response.Headers.RetryAfter = secondsToMidnight.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return BanyanProblems.Problem(OpenBankingProblems.UnattendedLimit, $"Consent {consent.Id} allows {consent.MaxUnattendedCallsPerDay} calls a day without the customer present.");
    }

    // The proof itself was verified during authentication (OAuthHandlers.ValidateDPoPBinding); here: bound at all.
    private static ProblemHttpResult? CheckBinding(HttpContext http, ClaimsPrincipal user)
    {
        if (BoundKey(user) is not null && http.Request.Headers.Authorization.ToString().StartsWith("DPoP ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        http.Response.Headers.WWWAuthenticate = $"DPoP algs=\"{string.Join(' ', Jose.Algorithms)}\"";
        return BanyanProblems.Problem(OpenBankingProblems.InvalidDPoP, "Open-banking access tokens must be DPoP-bound (cnf.jkt) and sent with the DPoP scheme.");
    }

    /// <summary>The <c>cnf.jkt</c> of the token, if it is DPoP-bound.</summary>
    public static string? BoundKey(ClaimsPrincipal user)
    {
        var cnf = user.GetClaim(OAuthHandlers.ConfirmationClaim);
        if (string.IsNullOrEmpty(cnf))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(cnf);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("jkt", out var jkt) && jkt.ValueKind == JsonValueKind.String ? jkt.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
