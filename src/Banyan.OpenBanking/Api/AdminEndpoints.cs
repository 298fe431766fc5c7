using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Banyan.OpenBanking.Identity;
using Banyan.OpenBanking.Storage;
using Banyan.Payments.Contracts;
using Banyan.Platform;
using Banyan.Platform.Http;
using Banyan.Platform.Money;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.OpenBanking.Api;

/// <summary>Operator endpoints (scope <c>admin</c>): partner registration, onboarding checklist, approval, sandbox test customers.</summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder openBanking)
    {
        var admin = openBanking.MapGroup("/partners").RequireAuthorization(ScopePolicy.For(ScopePolicy.Admin)).WithTags("open-banking");
        admin.MapPost("", RegisterAsync).WithName("open_banking_register_partner").WithSummary("Register a partner (third-party provider)");
        admin.MapGet("/{partnerId}", GetAsync).WithName("open_banking_get_partner").WithSummary("A partner with its onboarding checklist");
        admin.MapPost("/{partnerId}/checklist/{item}", CompleteItemAsync).WithName("open_banking_complete_checklist_item").WithSummary("Tick an onboarding checklist item");
        admin.MapPost("/{partnerId}/approve", ApproveAsync).WithName("open_banking_approve_partner").WithSummary("Approve a partner whose checklist is complete (creates its OAuth client)");
        admin.MapPost("/{partnerId}/sandbox-customers", SandboxCustomerAsync).WithName("open_banking_create_sandbox_customer").WithSummary("Generate a sandbox test customer with a funded account");
    }

    private static async Task<Results<Created<PartnerView>, ProblemHttpResult>> RegisterAsync(RegisterPartner body, Partners partners, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = Partners.Validate(body);
        if (errors.Count > 0)
        {
            return BanyanProblems.Validation("The partner registration is invalid.", errors);
        }

        var row = await partners.RegisterAsync(body, Actor(user), cancellationToken);
        return TypedResults.Created($"/v1/open-banking/partners/{row.Id}", View(row));
    }

    private static async Task<Results<Ok<PartnerView>, ProblemHttpResult>> GetAsync(string partnerId, Partners partners, CancellationToken cancellationToken) =>
        await partners.FindAsync(partnerId, cancellationToken) is { } row ? TypedResults.Ok(View(row)) : BanyanProblems.NotFound($"No partner {partnerId}.");

    private static async Task<Results<Ok<PartnerView>, ProblemHttpResult>> CompleteItemAsync(string partnerId, string item, Partners partners, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!Partners.Checklist.Contains(item))
        {
            return BanyanProblems.Validation($"Unknown checklist item '{item}'.", new Dictionary<string, string[]> { ["item"] = ["one of " + string.Join(", ", Partners.Checklist)] });
        }

        var row = await partners.CompleteItemAsync(partnerId, item, Actor(user), cancellationToken);
        return row is null ? BanyanProblems.NotFound($"No partner {partnerId}.") : TypedResults.Ok(View(row));
    }

    private static async Task<Results<Ok<PartnerView>, ProblemHttpResult>> ApproveAsync(string partnerId, Partners partners, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var row = await partners.FindAsync(partnerId, cancellationToken);
        if (row is null)
        {
            return BanyanProblems.NotFound($"No partner {partnerId}.");
        }

        var error = await partners.ApproveAsync(row, Actor(user), cancellationToken);
        return error is null ? TypedResults.Ok(View(row)) : BanyanProblems.Unprocessable(error);
    }

    private static async Task<Results<Created<SandboxCustomerView>, ProblemHttpResult>> SandboxCustomerAsync(
        string partnerId, CreateSandboxCustomer body, Partners partners, Customers customers, ICustomerAccounts accounts, IAuditLog audit, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var partner = await partners.FindAsync(partnerId, cancellationToken);
        if (partner is null)
        {
            return BanyanProblems.NotFound($"No partner {partnerId}.");
        }

        if (!partner.Sandbox)
        {
            return BanyanProblems.Unprocessable("Test customers exist only for sandbox partners.");
        }

        if (!Currencies.TryGet(body.Currency, out var currency) || body.DepositMinor is < 0 or > 1_000_000_000_000)
        {
            return BanyanProblems.Validation("Invalid sandbox customer.", new Dictionary<string, string[]> { ["currency"] = ["an ISO 4217 code"], ["deposit_minor"] = ["0 to 10^12"] });
        }

        var userName = "sandbox-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)) + "aA1!";
        var (customer, secret, recoveryCodes, error) = await customers.EnrolAsync(userName, password, partner.Id, cancellationToken);
        if (customer is null)
        {
            throw new InvalidOperationException("Generating a sandbox customer failed: " + error);
        }

        var account = await accounts.OpenAsync(customer.Id, currency, cancellationToken);
        if (body.DepositMinor > 0)
        {
            var deposit = await accounts.DepositAsync(account.AccountId, body.DepositMinor, "ob-sandbox-" + customer.Id, cancellationToken);
            if (!deposit.Succeeded)
            {
                throw new InvalidOperationException($"Funding the sandbox account failed: {deposit.Reason}.");
            }
        }

        await audit.AppendAsync(new AuditEntry("partner", "sandbox_customer_created", Actor(user), partner.Id, "succeeded",
            new Dictionary<string, string> { ["customer_id"] = customer.Id }), cancellationToken);
        var view = new SandboxCustomerView(customer.Id, userName, password, Totp.Base32(secret), account.AccountId.ToString(CultureInfo.InvariantCulture), currency.Code, body.DepositMinor, recoveryCodes);
        return TypedResults.Created($"/v1/open-banking/partners/{partner.Id}/sandbox-customers/{customer.Id}", view);
    }

    internal static PartnerView View(PartnerRow row)
    {
        var done = row.ChecklistDone.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new PartnerView(row.Id, row.Name, row.Status, row.Sandbox, row.ClientId, row.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            row.RedirectUris.Split(' ', StringSplitOptions.RemoveEmptyEntries), row.RequireJws, done, Partners.Checklist.Except(done).ToArray(),
            DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAtUnixMs), row.ApprovedAtUnixMs is { } a ? DateTimeOffset.FromUnixTimeMilliseconds(a) : null);
    }

    private static string Actor(ClaimsPrincipal user) => user.GetClaim(Claims.ClientId) ?? user.GetClaim(Claims.Subject) ?? "unknown";
}
