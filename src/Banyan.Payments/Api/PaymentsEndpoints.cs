using System.Globalization;
using System.Security.Claims;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Payments.Contracts;
using Banyan.Payments.Retail;
using Banyan.Payments.Wallets;
using Banyan.Platform;
using Banyan.Platform.Http;
using Banyan.Platform.Money;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Banyan.Payments.Api;

/// <summary>
/// The payments HTTP contract under <c>/v1/payments</c> (scope <c>payments</c>). Handlers validate before
/// anything moves; malformed input is a 400 problem, unknown resources 404, clashes 409, business declines
/// (insufficient funds, coupon rules, wallet limits) a 422 problem with a machine-readable <c>reason</c>.
/// </summary>
internal static class PaymentsEndpoints
{
    public static void Map(IEndpointRouteBuilder v1)
    {
        var g = v1.MapGroup("/payments").RequireAuthorization(ScopePolicy.For("payments")).WithTags("Payments");
        g.MapPost("/accounts", OpenAccount).WithName("OpenPaymentsAccount").WithSummary("Open (or return) a customer's current account in a currency.")
            .Produces<AccountBody>().ProducesProblem(StatusCodes.Status400BadRequest);
        g.MapGet("/accounts", ListAccounts).WithName("ListPaymentsAccounts").WithSummary("A customer's accounts with ledger balances: ?customer_id=.")
            .Produces<AccountBody[]>().ProducesProblem(StatusCodes.Status400BadRequest);
        g.MapGet("/accounts/{accountId}", GetAccount).WithName("GetPaymentsAccount").WithSummary("A customer account with its ledger balance.")
            .Produces<AccountBody>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/accounts/{accountId}/deposits", Deposit).WithName("DepositPaymentsAccount").WithSummary("Credit the account from the bank's settlement account (idempotent by deposit_id).")
            .Produces<MovementBody>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        g.MapPost("/transfers", Transfer).WithName("CreateDomesticTransfer").WithSummary("Domestic transfer between two customer accounts (idempotent by transfer_id; limits apply).")
            .Produces<MovementBody>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        RetailEndpoints.Map(g);
        WalletEndpoints.Map(g);
    }

    private static Task<IResult> OpenAccount(OpenAccountBody body, ICustomerAccounts accounts, CancellationToken ct) => Guard(async () =>
        TypedResults.Ok(AccountBody.Of(await accounts.OpenAsync(body.CustomerId, CurrencyOf(body.Currency), ct))));

    private static Task<IResult> ListAccounts([Microsoft.AspNetCore.Mvc.FromQuery(Name = "customer_id")] string? customerId, ICustomerAccounts accounts, CancellationToken ct) => Guard(async () =>
        TypedResults.Ok((await accounts.ListAsync(customerId ?? throw new PaymentsInputException("customer_id", "is required"), ct)).Select(AccountBody.Of).ToArray()));

    private static Task<IResult> GetAccount(string accountId, ICustomerAccounts accounts, CancellationToken ct) => Guard(async () =>
        await accounts.FindAsync(IdOf("account_id", accountId), ct) is { } a ? TypedResults.Ok(AccountBody.Of(a)) : BanyanProblems.NotFound($"No customer account {accountId}."));

    private static Task<IResult> Deposit(string accountId, DepositBody body, ICustomerAccounts accounts, CancellationToken ct) => Guard(async () =>
    {
        var id = IdOf("account_id", accountId);
        if (await accounts.FindAsync(id, ct) is null) return BanyanProblems.NotFound($"No customer account {accountId}.");
        return Movement(await accounts.DepositAsync(id, body.Amount, body.DepositId, ct));
    });

    private static Task<IResult> Transfer(HttpContext http, TransferBody body, IDomesticTransfers transfers, CancellationToken ct) => Guard(async () =>
        Movement(await transfers.TransferAsync(new DomesticTransferRequest(
            Initiator(http.User), body.TransferId, IdOf("debit_account_id", body.DebitAccountId), IdOf("credit_account_id", body.CreditAccountId), body.Amount, body.Reference), ct)));

    private static IResult Movement(PaymentOutcome o) => o.Succeeded
        ? TypedResults.Ok(new MovementBody("completed", o.LedgerTransferId.ToString(CultureInfo.InvariantCulture)))
        : Decline(o.Reason ?? "rejected", o.Detail ?? "The movement was refused; nothing moved.");

    /// <summary>A business decline: 422 with the machine-readable reason; nothing changed.</summary>
    internal static IResult Decline(string reason, string detail, string? paymentId = null) =>
        BanyanProblems.Unprocessable(detail, paymentId is null ? [new("reason", reason)] : [new("reason", reason), new("payment_id", paymentId)]);

    /// <summary>Maps the services' refusals to problem documents; anything else is a 500 the host reports.</summary>
    internal static async Task<IResult> Guard(Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (ArgumentException e)
        {
            var field = e.ParamName is null or "request" or "id" ? "body" : e.ParamName;
            var message = e is PaymentsInputException ? e.Message : e.Message.Split(" (Parameter", 2)[0];
            return BanyanProblems.Validation("One or more fields are invalid.", new Dictionary<string, string[]> { [Snake(field)] = [message] });
        }
        catch (PaymentsNotFoundException e)
        {
            return BanyanProblems.NotFound(e.Message);
        }
        catch (PaymentsConflictException e)
        {
            return BanyanProblems.Conflict(e.Message);
        }
    }

    internal static Currency CurrencyOf(string? code, string field = "currency") =>
        Currencies.TryGet(code, out var c) ? c : throw new PaymentsInputException(field, $"must be one of {string.Join(", ", Currencies.All.Select(x => x.Code))}");

    internal static UInt128 IdOf(string field, string? text) =>
        UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id != UInt128.Zero ? id : throw new PaymentsInputException(field, "must be a ledger id (decimal digits)");

    internal static string Initiator(ClaimsPrincipal user) =>
        user.FindFirst("client_id")?.Value ?? user.FindFirst("sub")?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? "anonymous";

    private static string Snake(string field) => string.Concat(field.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}

/// <summary>Merchants, coupons, points programmes and tap to pay.</summary>
internal static class RetailEndpoints
{
    public static void Map(RouteGroupBuilder g)
    {
        g.MapPost("/merchants", Register).WithName("RegisterMerchant").WithSummary("Register (or return) a merchant with its category code (MCC), fee and points programme.")
            .Produces<MerchantView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        g.MapGet("/merchants/{merchantId}", GetMerchant).WithName("GetMerchant").WithSummary("A merchant with its ledger balance.")
            .Produces<MerchantView>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/coupons", CreateCoupon).WithName("CreateCoupon").WithSummary("Create a coupon campaign; its budget moves from marketing into the coupon's own ledger account.")
            .Produces<CouponView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        g.MapPost("/coupons/{code}/close", CloseCoupon).WithName("CloseCoupon").WithSummary("Close a coupon campaign: what is left of its budget returns to marketing in one ledger transfer; later taps are declined (idempotent).")
            .Produces<CouponClosureView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        g.MapGet("/coupons/{code}", GetCoupon).WithName("GetCoupon").WithSummary("A coupon with its remaining budget (the ledger's) and redemptions.")
            .Produces<CouponView>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/points-programmes", CreateProgramme).WithName("CreatePointsProgramme").WithSummary("Create a points programme: earn rates per merchant category, expiry.")
            .Produces<ProgrammeView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        g.MapGet("/points/{holderId}", GetPoints).WithName("GetPoints").WithSummary("A holder's points per programme: ledger balance and usable (unexpired) points.")
            .Produces<PointsView[]>().ProducesProblem(StatusCodes.Status400BadRequest);
        g.MapPost("/points/{holderId}/expire", ExpirePoints).WithName("ExpirePoints").WithSummary("Return a holder's expired points to marketing (breakage).")
            .Produces<AmountView>().ProducesProblem(StatusCodes.Status400BadRequest);
        g.MapPost("/tap", Tap).WithName("TapToPay").WithSummary("Pay a merchant with an optional coupon and points: one linked ledger batch, all or nothing (declines: 422 with reason).")
            .Produces<TapView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static Task<IResult> Register(MerchantBody body, Catalog catalog, LedgerEngine ledger, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
    {
        var c = PaymentsEndpoints.CurrencyOf(body.Currency);
        var row = await catalog.RegisterMerchantAsync(new MerchantRequest(body.MerchantId, body.Name, body.Mcc, c, body.FeeBps, body.PointsProgrammeId), ct);
        return TypedResults.Ok(await ViewAsync(row, ledger, ct));
    });

    private static Task<IResult> GetMerchant(string merchantId, DbContext db, LedgerEngine ledger, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
        await db.Set<MerchantRow>().AsNoTracking().FirstOrDefaultAsync(m => m.MerchantId == merchantId, ct) is { } row
            ? TypedResults.Ok(await ViewAsync(row, ledger, ct)) : BanyanProblems.NotFound($"No merchant '{merchantId}'."));

    private static Task<IResult> CreateCoupon(CouponBody body, Catalog catalog, DbContext db, LedgerEngine ledger, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
    {
        var c = PaymentsEndpoints.CurrencyOf(body.Currency);
        var row = await catalog.CreateCouponAsync(new CouponRequest(body.Code, c, body.Kind, body.Value, body.Cap, body.MinSpend, body.ValidFrom, body.ValidUntil, body.PerCustomerLimit, body.Budget), ct);
        return TypedResults.Ok(await ViewAsync(row, db, ledger, ct));
    });

    private static Task<IResult> GetCoupon(string code, DbContext db, LedgerEngine ledger, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
        await db.Set<CouponRow>().AsNoTracking().FirstOrDefaultAsync(c => c.Code == code, ct) is { } row
            ? TypedResults.Ok(await ViewAsync(row, db, ledger, ct)) : BanyanProblems.NotFound($"No coupon '{code}'."));

    private static Task<IResult> CloseCoupon(string code, CouponBudgetReturn coupons, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
        TypedResults.Ok(CouponClosureView.Of(await coupons.CloseAsync(code, ct))));

    private static Task<IResult> CreateProgramme(ProgrammeBody body, Catalog catalog, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
    {
        var c = PaymentsEndpoints.CurrencyOf(body.Currency);
        var row = await catalog.CreateProgrammeAsync(new ProgrammeRequest(body.Name, c, body.DefaultRateBps, body.Rates ?? [], body.ExpiryDays, body.Care), ct);
        var rates = row.Rates.Split(',', StringSplitOptions.RemoveEmptyEntries).ToDictionary(p => p[..4], p => int.Parse(p.AsSpan(5), CultureInfo.InvariantCulture));
        return TypedResults.Ok(new ProgrammeView(row.Id, row.Name, c.Code, row.DefaultRateBps, rates, row.ExpiryDays, row.Care));
    });

    private static Task<IResult> GetPoints(string holderId, PointsBook points, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
        TypedResults.Ok((await points.BalancesAsync(holderId, ct)).Select(PointsView.Of).ToArray()));

    private static Task<IResult> ExpirePoints(string holderId, PointsBook points, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
        TypedResults.Ok(new AmountView(await points.ExpireAsync(holderId, ct))));

    private static Task<IResult> Tap(HttpContext http, TapBody body, TapToPay taps, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
    {
        var request = new TapRequest(PaymentsEndpoints.Initiator(http.User), body.PaymentId, body.MerchantId, body.Amount, PaymentsEndpoints.CurrencyOf(body.Currency),
            PaymentsEndpoints.IdOf("account_id", body.AccountId), body.Coupon, body.RedeemPoints);
        var result = await taps.PayAsync(request, ct);
        return result.Receipt is { } receipt ? TypedResults.Ok(TapView.Of(receipt)) : PaymentsEndpoints.Decline(result.Reason!, result.Detail!, body.PaymentId);
    });

    private static async Task<MerchantView> ViewAsync(MerchantRow row, LedgerEngine ledger, CancellationToken ct)
    {
        var id = PaymentsChart.Party(PaymentAccountKind.Merchant, row.Id);
        var account = (await ledger.LookupAccountsAsync(new[] { id }, ct)).FirstOrDefault();
        Currencies.TryGetByLedger((uint)row.Ledger, out var c);
        return new MerchantView(row.MerchantId, row.Name, row.Mcc, c.Code, row.FeeBps, row.ProgrammeId, row.AccountId, account.Id == id ? LedgerSetup.Posted(account) : 0);
    }

    private static async Task<CouponView> ViewAsync(CouponRow row, DbContext db, LedgerEngine ledger, CancellationToken ct)
    {
        var id = PaymentsChart.Party(PaymentAccountKind.CouponFunding, row.Id);
        var account = (await ledger.LookupAccountsAsync(new[] { id }, ct)).FirstOrDefault();
        var used = await db.Set<CouponRedemptionRow>().CountAsync(r => r.CouponId == row.Id && r.Status == "completed", ct);
        var closure = await db.Set<CouponClosureRow>().AsNoTracking().FirstOrDefaultAsync(x => x.CouponId == row.Id && x.Status == "closed", ct);
        Currencies.TryGetByLedger((uint)row.Ledger, out var c);
        return new CouponView(row.Code, c.Code, row.Kind, row.Value, row.Cap, row.MinSpend, DateTimeOffset.FromUnixTimeMilliseconds(row.ValidFromUnixMs),
            DateTimeOffset.FromUnixTimeMilliseconds(row.ValidUntilUnixMs), row.PerCustomerLimit, row.Budget, account.Id == id ? LedgerSetup.Available(account) : 0, used,
            id.ToString(CultureInfo.InvariantCulture), closure is null ? "active" : "closed", closure?.Returned);
    }
}

/// <summary>Programmable wallets, conditional funds and pension runs.</summary>
internal static class WalletEndpoints
{
    public static void Map(RouteGroupBuilder g)
    {
        g.MapPost("/wallets", Open).WithName("OpenWallet").WithSummary("Open (or return) a holder's wallet of a tier (phone or verified) in a currency with configured tiers (default CNY).")
            .Produces<WalletBodyView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        g.MapGet("/wallets", ListByHolder).WithName("ListWallets").WithSummary("A holder's wallets, paged: ?holder_id=&limit=(1..100, default 20)&after=.")
            .Produces<WalletPageView>().ProducesProblem(StatusCodes.Status400BadRequest);
        g.MapPost("/wallets/{accountId}/upgrade", Upgrade).WithName("UpgradeWallet").WithSummary("Move a wallet to the verified tier after identity verification; the ledger's headroom grows by the difference of the balance limits (audited).")
            .Produces<TierChangeView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        g.MapPost("/wallets/{accountId}/downgrade", Downgrade).WithName("DowngradeWallet").WithSummary("Move a wallet to a lower tier; refused (422 wallet_balance_above_tier_limit) while its balance is above the lower balance limit (audited).")
            .Produces<TierChangeView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        g.MapGet("/wallets/{accountId}", Get).WithName("GetWallet").WithSummary("A wallet: balance, headroom, tier limits and conditional funds.")
            .Produces<WalletBodyView>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/wallets/{accountId}/top-ups", TopUp).WithName("TopUpWallet").WithSummary("Cash in to a wallet; over the balance limit the ledger refuses (422 wallet_balance_limit).")
            .Produces<MovementBody>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        g.MapPost("/wallets/{accountId}/conditional-funds", Grant).WithName("GrantConditionalFunds").WithSummary("Grant funds usable only at some merchant categories and until a date.")
            .Produces<ConditionalFundsView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/wallets/{accountId}/conditional-funds/expire", Expire).WithName("ExpireConditionalFunds").WithSummary("Return what is left of expired conditional funds to the programme.")
            .Produces<AmountView>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/pension-runs", Pensions).WithName("RunPensions").WithSummary("Pay pensions into wallets in bulk (linked pairs per payee, chunks of 4,000).")
            .WithRequestBodyLimit(16L * 1024 * 1024).Produces<PensionRunView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static Task<IResult> Open(OpenWalletBody body, WalletBook wallets, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
        TypedResults.Ok(WalletBodyView.Of(await wallets.OpenAsync(body.HolderId, body.Tier, body.Elderly, PaymentsEndpoints.CurrencyOf(body.Currency), ct))));

    private static Task<IResult> ListByHolder([FromQuery(Name = "holder_id")] string? holderId, [FromQuery] int? limit, [FromQuery] string? after, WalletBook wallets, CancellationToken ct) =>
        PaymentsEndpoints.Guard(async () =>
        {
            UInt128? cursor = after is null ? null : PaymentsEndpoints.IdOf("after", after);
            var page = await wallets.ListByHolderAsync(holderId ?? "", cursor, limit ?? 20, ct);
            return TypedResults.Ok(new WalletPageView(page.Items.Select(WalletBodyView.Of).ToList(), page.NextAfter?.ToString(CultureInfo.InvariantCulture)));
        });

    private static Task<IResult> Upgrade(HttpContext http, string accountId, UpgradeWalletBody body, WalletTierChanges changes, CancellationToken ct) =>
        ChangeTier(http, accountId, body.Tier, body.VerificationReference, upgrade: true, changes, ct);

    private static Task<IResult> Downgrade(HttpContext http, string accountId, DowngradeWalletBody body, WalletTierChanges changes, CancellationToken ct) =>
        ChangeTier(http, accountId, body.Tier, body.Reference, upgrade: false, changes, ct);

    private static Task<IResult> ChangeTier(HttpContext http, string accountId, string tier, string reference, bool upgrade, WalletTierChanges changes, CancellationToken ct) =>
        PaymentsEndpoints.Guard(async () =>
        {
            var id = PaymentsEndpoints.IdOf("account_id", accountId);
            if (!WalletTier.IsKnown(tier)) throw new PaymentsInputException("tier", "must be phone or verified");
            // The two routes say which way they go, so a mistyped tier cannot turn an upgrade into a downgrade.
            if (upgrade ? tier == WalletTier.Ordered[0] : tier == WalletTier.Ordered[^1]) throw new PaymentsInputException("tier", upgrade ? "an upgrade goes to a higher tier" : "a downgrade goes to a lower tier");
            var r = await changes.ChangeAsync(PaymentsEndpoints.Initiator(http.User), id, tier, reference, ct);
            return r.Completed ? TypedResults.Ok(TierChangeView.Of(r)) : PaymentsEndpoints.Decline(r.Reason!, r.Detail!);
        });

    private static Task<IResult> Get(string accountId, WalletBook wallets, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
        await wallets.FindAsync(PaymentsEndpoints.IdOf("account_id", accountId), ct) is { } w ? TypedResults.Ok(WalletBodyView.Of(w)) : BanyanProblems.NotFound($"No wallet {accountId}."));

    private static Task<IResult> TopUp(HttpContext http, string accountId, TopUpBody body, WalletBook wallets, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
    {
        var r = await wallets.TopUpAsync(PaymentsEndpoints.Initiator(http.User), PaymentsEndpoints.IdOf("account_id", accountId), body.TopUpId, body.Amount, ct);
        return r.Completed ? TypedResults.Ok(new MovementBody("completed", r.TransferId.ToString(CultureInfo.InvariantCulture))) : PaymentsEndpoints.Decline(r.Reason!, r.Detail!);
    });

    private static Task<IResult> Grant(string accountId, GrantBody body, WalletProgrammes programmes, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
        TypedResults.Ok(ConditionalFundsView.Of(await programmes.GrantAsync(PaymentsEndpoints.IdOf("account_id", accountId), body.GrantId, body.Amount, body.Mccs ?? [], body.ExpiresAt, ct))));

    private static Task<IResult> Expire(string accountId, WalletProgrammes programmes, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
        TypedResults.Ok(new AmountView(await programmes.ExpireAsync(PaymentsEndpoints.IdOf("account_id", accountId), ct))));

    private static Task<IResult> Pensions(PensionRunBody body, WalletProgrammes programmes, CancellationToken ct) => PaymentsEndpoints.Guard(async () =>
    {
        var payees = body.Payments.Select((p, i) => new PensionPayee(PaymentsEndpoints.IdOf($"payments[{i}].wallet_account_id", p.WalletAccountId), p.Amount)).ToList();
        return TypedResults.Ok(PensionRunView.Of(await programmes.PayPensionsAsync(body.RunId, payees, ct)));
    });
}
