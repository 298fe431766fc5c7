using System.Globalization;
using Banyan.OpenBanking.Storage;
using Banyan.Payments.Contracts;
using Banyan.Platform;
using Banyan.Platform.Http;
using Banyan.Platform.Money;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Banyan.OpenBanking.Api;

/// <summary>Partner endpoints for consents (client-credentials or customer token of the same partner, DPoP-bound).</summary>
internal static class ConsentEndpoints
{
    public static void Map(IEndpointRouteBuilder openBanking)
    {
        var access = openBanking.MapGroup("/account-access-consents").RequireAuthorization(ScopePolicy.For(OpenBankingScopes.Accounts)).WithTags("open-banking");
        access.MapPost("", CreateAccessAsync).WithName("open_banking_create_account_access_consent").WithSummary("Ask for access to a customer's account information");
        access.MapGet("/{consentId}", GetAccessAsync).WithName("open_banking_get_account_access_consent").WithSummary("An account-access consent of this partner");
        access.MapDelete("/{consentId}", RevokeAccessAsync).WithName("open_banking_delete_account_access_consent").WithSummary("Revoke an account-access consent of this partner");

        var payment = openBanking.MapGroup("/domestic-payment-consents").RequireAuthorization(ScopePolicy.For(OpenBankingScopes.Payments)).WithTags("open-banking");
        payment.MapPost("", CreatePaymentAsync).WithName("open_banking_create_domestic_payment_consent").WithSummary("Ask a customer to authorise a domestic payment");
        payment.MapGet("/{consentId}", GetPaymentAsync).WithName("open_banking_get_domestic_payment_consent").WithSummary("A domestic-payment consent of this partner");
    }

    private static async Task<Results<Created<ConsentView>, ProblemHttpResult>> CreateAccessAsync(CreateAccountAccessConsent body, HttpContext http, Guard guard, Consents consents, TimeProvider time)
    {
        var (caller, problem) = await guard.PartnerAsync(http);
        if (caller is null)
        {
            return problem!;
        }

        var now = time.GetUtcNow();
        var expires = body.ExpiresAt ?? now + Consents.MaxAccessLifetime;
        var errors = new Dictionary<string, string[]>();
        if (body.Permissions.Count == 0 || body.Permissions.Any(p => !Consents.AccessPermissions.Contains(p)))
        {
            errors["permissions"] = ["one or more of " + string.Join(", ", Consents.AccessPermissions)];
        }

        if (expires <= now || expires > now + Consents.MaxAccessLifetime)
        {
            errors["expires_at"] = ["in the future, at most 90 days ahead"];
        }

        if (body.MaxUnattendedCallsPerDay is < 0 or > Consents.MaxUnattendedPerDay)
        {
            errors["max_unattended_calls_per_day"] = [$"0 to {Consents.MaxUnattendedPerDay}"];
        }

        if (errors.Count > 0)
        {
            return BanyanProblems.Validation("The consent request is invalid.", errors);
        }

        var row = await consents.CreateAsync(new ConsentRow
        {
            Kind = Consents.AccountAccess,
            ClientId = caller.ClientId,
            Permissions = string.Join(' ', body.Permissions.Distinct(StringComparer.Ordinal)),
            ExpiresAtUnixMs = expires.ToUnixTimeMilliseconds(),
            MaxUnattendedCallsPerDay = body.MaxUnattendedCallsPerDay,
        }, http.RequestAborted);
        return TypedResults.Created($"/v1/open-banking/account-access-consents/{row.Id}", Consents.View(row));
    }

    private static async Task<Results<Created<ConsentView>, ProblemHttpResult>> CreatePaymentAsync(
        CreateDomesticPaymentConsent body, HttpContext http, Guard guard, Consents consents, ICustomerAccounts accounts, TimeProvider time)
    {
        var (caller, problem) = await guard.PartnerAsync(http);
        if (caller is null)
        {
            return problem!;
        }

        var errors = new Dictionary<string, string[]>();
        if (!Currencies.TryGet(body.Currency, out var currency))
        {
            errors["currency"] = ["an ISO 4217 code"];
        }

        if (body.AmountMinor is <= 0 or > 1_000_000_000_000)
        {
            errors["amount_minor"] = ["1 to 10^12 minor units"];
        }

        if (body.Reference is { Length: > 140 })
        {
            errors["reference"] = ["at most 140 characters"];
        }

        var creditor = UInt128.TryParse(body.CreditorAccountId, NumberStyles.None, CultureInfo.InvariantCulture, out var creditorId)
            ? await accounts.FindAsync(creditorId, http.RequestAborted) : null;
        if (creditor is null || (errors.Count == 0 && creditor.Currency != currency))
        {
            errors["creditor_account_id"] = ["a customer account of this bank in the payment's currency"];
        }

        if (errors.Count > 0)
        {
            return BanyanProblems.Validation("The payment consent request is invalid.", errors);
        }

        var row = await consents.CreateAsync(new ConsentRow
        {
            Kind = Consents.DomesticPayment,
            ClientId = caller.ClientId,
            CreditorAccountId = body.CreditorAccountId,
            AmountMinor = body.AmountMinor,
            Currency = currency.Code,
            Reference = body.Reference,
            ExpiresAtUnixMs = (time.GetUtcNow() + Consents.PaymentLifetime).ToUnixTimeMilliseconds(),
        }, http.RequestAborted);
        return TypedResults.Created($"/v1/open-banking/domestic-payment-consents/{row.Id}", Consents.View(row));
    }

    private static Task<Results<Ok<ConsentView>, ProblemHttpResult>> GetAccessAsync(string consentId, HttpContext http, Guard guard, Consents consents) =>
        GetAsync(consentId, Consents.AccountAccess, http, guard, consents);

    private static Task<Results<Ok<ConsentView>, ProblemHttpResult>> GetPaymentAsync(string consentId, HttpContext http, Guard guard, Consents consents) =>
        GetAsync(consentId, Consents.DomesticPayment, http, guard, consents);

    private static async Task<Results<Ok<ConsentView>, ProblemHttpResult>> GetAsync(string consentId, string kind, HttpContext http, Guard guard, Consents consents)
    {
        var (consent, problem) = await OwnConsentAsync(consentId, kind, http, guard, consents);
        return consent is null ? problem! : TypedResults.Ok(Consents.View(consent));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAccessAsync(string consentId, HttpContext http, Guard guard, Consents consents)
    {
        var (consent, problem) = await OwnConsentAsync(consentId, Consents.AccountAccess, http, guard, consents);
        if (consent is null)
        {
            return problem!;
        }

        return await consents.RevokeAsync(consent, consent.ClientId, http.RequestAborted) || consent.Status == ConsentStatus.Revoked
            ? TypedResults.NoContent()
            : BanyanProblems.Conflict($"Consent {consent.Id} is {consent.Status}; it cannot be revoked.");
    }

    // Another partner's consent is "not found": its existence is not the caller's business.
    private static async Task<(ConsentRow? Consent, ProblemHttpResult? Problem)> OwnConsentAsync(string consentId, string kind, HttpContext http, Guard guard, Consents consents)
    {
        var (caller, problem) = await guard.PartnerAsync(http);
        if (caller is null)
        {
            return (null, problem);
        }

        var consent = await consents.FindAsync(consentId, http.RequestAborted);
        return consent is null || consent.ClientId != caller.ClientId || consent.Kind != kind
            ? (null, BanyanProblems.NotFound($"No consent {consentId}."))
            : (consent, null);
    }
}
