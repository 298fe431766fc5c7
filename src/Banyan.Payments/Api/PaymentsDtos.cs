using System.Globalization;
using Banyan.Payments.Contracts;
using Banyan.Payments.Retail;
using Banyan.Payments.Wallets;

namespace Banyan.Payments.Api;

// Request and response bodies of /v1/payments (snake_case on the wire). Ledger ids travel as decimal strings:
// JSON numbers cannot carry 128 bits exactly.

internal sealed record OpenAccountBody(string CustomerId, string Currency);

internal sealed record AccountBody(string AccountId, string CustomerId, string Currency, long Available, long Posted, DateTimeOffset OpenedAt)
{
    public static AccountBody Of(CustomerAccount a) => new(a.AccountId.ToString(CultureInfo.InvariantCulture), a.CustomerId, a.Currency.Code, a.Available, a.Posted, a.OpenedAt);
}

internal sealed record DepositBody(string DepositId, long Amount);

internal sealed record TransferBody(string TransferId, string DebitAccountId, string CreditAccountId, long Amount, string? Reference = null);

internal sealed record MovementBody(string Status, string TransferId);

internal sealed record MerchantBody(string MerchantId, string Name, string Mcc, string Currency, int FeeBps = 0, long? PointsProgrammeId = null);

internal sealed record MerchantView(string MerchantId, string Name, string Mcc, string Currency, int FeeBps, long? PointsProgrammeId, string AccountId, long Balance);

internal sealed record CouponBody(
    string Code, string Currency, string Kind, long Value, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, long Budget,
    long Cap = 0, long MinSpend = 0, int PerCustomerLimit = 1);

internal sealed record CouponView(
    string Code, string Currency, string Kind, long Value, long Cap, long MinSpend, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil,
    int PerCustomerLimit, long Budget, long BudgetRemaining, int Redemptions, string FundingAccountId, string Status = "active", long? Returned = null);

internal sealed record ProgrammeBody(string Name, string Currency, int DefaultRateBps, int ExpiryDays, Dictionary<string, int>? Rates = null, bool Care = false);

internal sealed record ProgrammeView(long Id, string Name, string Currency, int DefaultRateBps, IReadOnlyDictionary<string, int> Rates, int ExpiryDays, bool Care);

internal sealed record PointsView(long ProgrammeId, string Programme, string AccountId, long LedgerBalance, long Usable, DateTimeOffset? NextExpiry)
{
    public static PointsView Of(PointsBalance b) => new(b.ProgrammeId, b.Programme, b.AccountId.ToString(CultureInfo.InvariantCulture), b.LedgerBalance, b.Usable, b.NextExpiry);
}

internal sealed record AmountView(long Amount);

internal sealed record TapBody(string PaymentId, string MerchantId, long Amount, string Currency, string AccountId, string? Coupon = null, long RedeemPoints = 0);

internal sealed record LegView(string Role, string TransferId, string DebitAccountId, string CreditAccountId, long Amount, int Code);

internal sealed record TapView(
    string PaymentId, string Status, string MerchantId, string Currency, long Amount, long CouponSubsidy, long Discount, long PointsRedeemed,
    long ConditionalFundsUsed, long PaidByCustomer, long PointsEarned, long CarePointsEarned, long Fee, long MerchantNet, IReadOnlyList<LegView> Legs)
{
    public static TapView Of(TapReceipt r) => new(
        r.PaymentId, "completed", r.MerchantId, r.Currency.Code, r.Amount, r.CouponSubsidy, r.Discount, r.PointsRedeemed, r.EarmarkUsed, r.Paid,
        r.PointsEarned, r.CarePointsEarned, r.Fee, r.MerchantNet,
        r.Legs.Select(l => new LegView(l.Role, Id(l.TransferId), Id(l.DebitAccountId), Id(l.CreditAccountId), l.Amount, l.Code)).ToList());

    private static string Id(UInt128 id) => id.ToString(CultureInfo.InvariantCulture);
}

internal sealed record OpenWalletBody(string HolderId, string Tier, bool Elderly = false, string Currency = "CNY");

/// <summary>A wallet; limits are minor units of its currency.</summary>
internal sealed record WalletBodyView(
    string AccountId, string HolderId, string Currency, string Tier, bool Elderly, long Balance, long Headroom, long BalanceLimit, long PerPaymentLimit, long DailyLimit,
    IReadOnlyList<ConditionalFundsView> ConditionalFunds)
{
    public static WalletBodyView Of(WalletView w) => new(
        w.AccountId.ToString(CultureInfo.InvariantCulture), w.HolderId, w.Currency, w.Tier, w.Elderly, w.Balance, w.Headroom, w.BalanceLimit, w.PerPaymentLimit, w.DailyLimit,
        w.ConditionalFunds.Select(ConditionalFundsView.Of).ToList());
}

/// <summary>One page of a holder's wallets; pass <c>next_after</c> as <c>after</c> for the next page (absent on the last).</summary>
internal sealed record WalletPageView(IReadOnlyList<WalletBodyView> Items, string? NextAfter);

/// <summary>Upgrade: <c>verification_reference</c> of the identity check (also the idempotency key of the change); <c>tier</c> defaults to verified.</summary>
internal sealed record UpgradeWalletBody(string VerificationReference, string Tier = "verified");

/// <summary>Downgrade: a <c>reference</c> for the request (idempotency key); <c>tier</c> defaults to phone.</summary>
internal sealed record DowngradeWalletBody(string Reference, string Tier = "phone");

/// <summary>A completed tier change and the wallet with its new limits.</summary>
internal sealed record TierChangeView(string Status, string FromTier, string ToTier, string? TransferId, WalletBodyView Wallet)
{
    public static TierChangeView Of(TierChangeResult r) => new("completed", r.FromTier, r.ToTier,
        r.TransferId == UInt128.Zero ? null : r.TransferId.ToString(CultureInfo.InvariantCulture), WalletBodyView.Of(r.Wallet));
}

/// <summary>A closed coupon: <c>returned</c> minor units went back to marketing in transfer <c>transfer_id</c>.</summary>
internal sealed record CouponClosureView(string Code, string Currency, string Status, string Reason, long Returned, string TransferId, DateTimeOffset ClosedAt)
{
    public static CouponClosureView Of(CouponClosure c) =>
        new(c.Code, c.Currency.Code, "closed", c.Reason, c.Returned, c.TransferId.ToString(CultureInfo.InvariantCulture), c.ClosedAt);
}

internal sealed record ConditionalFundsView(string GrantId, string AccountId, long Granted, long Balance, IReadOnlyList<string> Mccs, DateTimeOffset ExpiresAt, string Status)
{
    public static ConditionalFundsView Of(EarmarkView e) => new(e.GrantId, e.AccountId.ToString(CultureInfo.InvariantCulture), e.Granted, e.Balance, e.Mccs, e.ExpiresAt, e.Status);
}

internal sealed record TopUpBody(string TopUpId, long Amount);

internal sealed record GrantBody(string GrantId, long Amount, DateTimeOffset ExpiresAt, List<string>? Mccs = null);

internal sealed record PensionPaymentBody(string WalletAccountId, long Amount);

internal sealed record PensionRunBody(string RunId, List<PensionPaymentBody> Payments);

internal sealed record PensionRefusalView(int Index, string WalletAccountId, string Reason);

internal sealed record PensionRunView(string RunId, int Payees, int Paid, int Refused, long TotalPaid, IReadOnlyList<PensionRefusalView> Refusals)
{
    public static PensionRunView Of(PensionRunResult r) => new(r.RunId, r.Payees, r.Paid, r.Refused, r.TotalPaid,
        r.Refusals.Select(x => new PensionRefusalView(x.Index, x.WalletId.ToString(CultureInfo.InvariantCulture), x.Reason)).ToList());
}
