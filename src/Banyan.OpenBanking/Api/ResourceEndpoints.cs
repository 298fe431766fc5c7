using System.Globalization;
using System.Security.Cryptography;
using Banyan.Ledger.Http.Contracts;
using Banyan.OpenBanking.Identity;
using Banyan.OpenBanking.Storage;
using Banyan.Payments.Contracts;
using Banyan.Platform;
using Banyan.Platform.Http;
using Banyan.Platform.Money;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.OpenBanking.Api;

/// <summary>Customer data and payments, each call checked by <see cref="Guard"/> against the token's consent.</summary>
internal static class ResourceEndpoints
{
    public static void Map(IEndpointRouteBuilder openBanking)
    {
        var accounts = openBanking.MapGroup("/accounts").RequireAuthorization(ScopePolicy.For(OpenBankingScopes.Accounts)).WithTags("open-banking");
        accounts.MapGet("", ListAccountsAsync).WithName("open_banking_list_accounts").WithSummary("The accounts the customer shared under this consent");
        accounts.MapGet("/{accountId}", GetAccountAsync).WithName("open_banking_get_account").WithSummary("One shared account");
        accounts.MapGet("/{accountId}/balances", GetBalancesAsync).WithName("open_banking_get_balances").WithSummary("Balances of a shared account (from the ledger)");
        accounts.MapGet("/{accountId}/transactions", GetTransactionsAsync).WithName("open_banking_get_transactions").WithSummary("Transactions of a shared account (from the ledger read models)");

        var payments = openBanking.MapGroup("").RequireAuthorization(ScopePolicy.For(OpenBankingScopes.Payments)).WithTags("open-banking");
        payments.MapPost("/domestic-payments", ExecutePaymentAsync).WithName("open_banking_create_domestic_payment").WithSummary("Execute the payment an authorised consent describes");
        payments.MapGet("/domestic-payments/{paymentId}", GetPaymentAsync).WithName("open_banking_get_domestic_payment").WithSummary("Status of a domestic payment");
        payments.MapGet("/domestic-payment-consents/{consentId}/funds-confirmation", ConfirmFundsAsync)
            .WithName("open_banking_confirm_funds").WithSummary("Whether the debtor account can cover an authorised payment now");
    }

    private static async Task<Results<Ok<AccountList>, ProblemHttpResult>> ListAccountsAsync(HttpContext http, Guard guard, ICustomerAccounts accounts)
    {
        var (caller, problem) = await guard.CustomerAsync(http, Consents.AccountAccess, "read_accounts");
        if (caller is null)
        {
            return problem!;
        }

        var views = new List<AccountView>();
        foreach (var id in SharedAccounts(caller.Consent!))
        {
            if (await accounts.FindAsync(id, http.RequestAborted) is { } account && account.CustomerId == caller.CustomerId)
            {
                views.Add(View(account));
            }
        }

        return TypedResults.Ok(new AccountList(views));
    }

    private static async Task<Results<Ok<AccountView>, ProblemHttpResult>> GetAccountAsync(string accountId, HttpContext http, Guard guard, ICustomerAccounts accounts)
    {
        var (account, problem) = await SharedAccountAsync(accountId, "read_accounts", http, guard, accounts);
        return account is null ? problem! : TypedResults.Ok(View(account));
    }

    private static async Task<Results<Ok<BalanceView>, ProblemHttpResult>> GetBalancesAsync(string accountId, HttpContext http, Guard guard, ICustomerAccounts accounts)
    {
        var (account, problem) = await SharedAccountAsync(accountId, "read_balances", http, guard, accounts);
        return account is null ? problem! : TypedResults.Ok(new BalanceView(accountId, account.Currency.Code, account.Available, account.Posted));
    }

    private static async Task<Results<Ok<TransactionPage>, ProblemHttpResult>> GetTransactionsAsync(
        string accountId, int? limit, string? after, HttpContext http, Guard guard, ICustomerAccounts accounts, ILedgerHistory history)
    {
        ulong? cursor = null;
        if (after is not null && ulong.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            cursor = parsed;
        }

        if (limit is < 1 or > 1000 || (after is not null && cursor is null))
        {
            return BanyanProblems.Validation("Invalid paging.", new Dictionary<string, string[]> { ["limit"] = ["1-1000"], ["after"] = ["a next_after value"] });
        }

        var (account, problem) = await SharedAccountAsync(accountId, "read_transactions", http, guard, accounts);
        if (account is null)
        {
            return problem!;
        }

        var page = await history.AccountTransfersAsync(account.AccountId, new LedgerHistoryQuery(limit ?? 100, cursor, Reversed: true), http.RequestAborted);
        var items = page.Transfers.Select(t => new TransactionView(
            t.Id.ToString(CultureInfo.InvariantCulture),
            t.CreditAccountId == account.AccountId ? "credit" : "debit",
            (long)t.Amount,
            account.Currency.Code,
            t.Timestamp.ToString(CultureInfo.InvariantCulture),
            t.Code)).ToList();
        return TypedResults.Ok(new TransactionPage(accountId, items, page.NextAfter?.ToString(CultureInfo.InvariantCulture)));
    }

    private static async Task<Results<Created<PaymentView>, ProblemHttpResult>> ExecutePaymentAsync(
        CreateDomesticPayment body, HttpContext http, Guard guard, Consents consents, IDomesticTransfers transfers, IServiceScopeFactory scopes, TimeProvider time)
    {
        var (caller, problem) = await guard.CustomerAsync(http, Consents.DomesticPayment, permission: null);
        if (caller is null)
        {
            return problem!;
        }

        var consent = caller.Consent!;
        if (body.ConsentId != consent.Id)
        {
            return BanyanProblems.Problem(OpenBankingProblems.ConsentNotActive, "consent_id differs from the consent this token was issued for.");
        }

        var request = new DomesticTransferRequest("openbanking:" + caller.ClientId, consent.Id, UInt128.Parse(consent.Accounts, CultureInfo.InvariantCulture),
            UInt128.Parse(consent.CreditorAccountId!, CultureInfo.InvariantCulture), consent.AmountMinor, consent.Reference);
        var outcome = await transfers.TransferAsync(request, http.RequestAborted);
        if (!outcome.Succeeded)
        {
            await http.RequestServices.GetRequiredService<Events.EventOutbox>().RaiseAsync(Events.EventOutbox.PaymentRejected(consent, outcome.Reason), http.RequestAborted);
            return BanyanProblems.Problem(OpenBankingProblems.PaymentRejected, outcome.Detail ?? "The payment was refused.", [new("reason", outcome.Reason)]);
        }

        // The transfer id is the consent id, so a retry after a crash here finds the same outcome and records it.
        var row = new PaymentRow
        {
            Id = "dp_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            ConsentId = consent.Id,
            ClientId = caller.ClientId,
            CustomerId = caller.CustomerId!,
            Status = "completed",
            LedgerTransferId = outcome.LedgerTransferId.ToString(CultureInfo.InvariantCulture),
            CreatedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            var existing = await db.Set<PaymentRow>().AsNoTracking().FirstOrDefaultAsync(p => p.ConsentId == consent.Id, http.RequestAborted);
            if (existing is null)
            {
                db.Add(row);
                await http.RequestServices.GetRequiredService<Events.EventOutbox>().StageAsync(db, Events.EventOutbox.PaymentCompleted(row, consent), http.RequestAborted); // saves the payment with its event
            }
            else
            {
                row = existing;
            }
        }

        await consents.ConsumeAsync(consent, http.RequestAborted);
        return TypedResults.Created($"/v1/open-banking/domestic-payments/{row.Id}", View(row, consent));
    }

    private static async Task<Results<Ok<PaymentView>, ProblemHttpResult>> GetPaymentAsync(string paymentId, HttpContext http, Guard guard, Consents consents, IServiceScopeFactory scopes)
    {
        var (caller, problem) = await guard.PartnerAsync(http);
        if (caller is null)
        {
            return problem!;
        }

        PaymentRow? row;
        await using (var scope = scopes.CreateAsyncScope())
        {
            row = paymentId.Length > 40 ? null : await scope.ServiceProvider.GetRequiredService<DbContext>().Set<PaymentRow>().AsNoTracking()
                .FirstOrDefaultAsync(p => p.Id == paymentId, http.RequestAborted);
        }

        // A customer token sees only that customer's payments; a partner token only the partner's.
        var customer = http.User.GetClaim(OAuthHandlers.ConsentClaim) is null ? null : http.User.GetClaim(Claims.Subject);
        if (row is null || row.ClientId != caller.ClientId || (customer is not null && row.CustomerId != customer))
        {
            return BanyanProblems.NotFound($"No payment {paymentId}.");
        }

        var consent = await consents.FindAsync(row.ConsentId, http.RequestAborted);
        return TypedResults.Ok(View(row, consent!));
    }

    private static async Task<Results<Ok<FundsConfirmationView>, ProblemHttpResult>> ConfirmFundsAsync(string consentId, HttpContext http, Guard guard, ICustomerAccounts accounts, TimeProvider time)
    {
        var (caller, problem) = await guard.CustomerAsync(http, Consents.DomesticPayment, permission: null);
        if (caller is null)
        {
            return problem!;
        }

        if (caller.Consent!.Id != consentId)
        {
            return BanyanProblems.NotFound($"No consent {consentId} for this token.");
        }

        var debtor = await accounts.FindAsync(UInt128.Parse(caller.Consent.Accounts, CultureInfo.InvariantCulture), http.RequestAborted);
        return TypedResults.Ok(new FundsConfirmationView(consentId, debtor is not null && debtor.Available >= caller.Consent.AmountMinor, time.GetUtcNow()));
    }

    private static async Task<(CustomerAccount? Account, ProblemHttpResult? Problem)> SharedAccountAsync(string accountId, string permission, HttpContext http, Guard guard, ICustomerAccounts accounts)
    {
        var (caller, problem) = await guard.CustomerAsync(http, Consents.AccountAccess, permission);
        if (caller is null)
        {
            return (null, problem);
        }

        // Only accounts the customer shared under this consent exist for this token.
        var shared = UInt128.TryParse(accountId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && SharedAccounts(caller.Consent!).Contains(id);
        var account = shared ? await accounts.FindAsync(id, http.RequestAborted) : null;
        return account is null || account.CustomerId != caller.CustomerId ? (null, BanyanProblems.NotFound($"No account {accountId} under this consent.")) : (account, null);
    }

    private static UInt128[] SharedAccounts(ConsentRow consent) =>
        consent.Accounts.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => UInt128.Parse(a, CultureInfo.InvariantCulture)).ToArray();

    private static AccountView View(CustomerAccount account) =>
        new(account.AccountId.ToString(CultureInfo.InvariantCulture), account.Currency.Code, account.OpenedAt);

    private static PaymentView View(PaymentRow row, ConsentRow consent) =>
        new(row.Id, row.ConsentId, row.Status, row.LedgerTransferId, row.Reason, consent.AmountMinor, consent.Currency ?? Currencies.Home.Code, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAtUnixMs));
}
