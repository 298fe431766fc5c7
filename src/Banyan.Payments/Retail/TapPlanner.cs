using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Payments.Wallets;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;

namespace Banyan.Payments.Retail;

/// <summary>Who pays: a customer account or a wallet, and the holder (customer id) it belongs to.</summary>
internal sealed record Payer(UInt128 AccountId, string HolderId, Currency Currency, WalletRow? Wallet);

/// <summary>
/// The module's decisions about a tap, made under the holder's (and coupon's) lock before anything is
/// written: coupon rules, elderly discount, points (unexpired lots, first in first out), conditional funds,
/// wallet per-payment and daily limits, points to earn, the fee. Balances and the coupon budget are NOT
/// checked here: the ledger judges them when the linked batch is posted.
/// </summary>
internal sealed class TapPlan
{
    public required MerchantRow Merchant { get; init; }
    public required Payer Payer { get; init; }
    public required long Amount { get; init; }
    public CouponRow? Coupon { get; init; }
    public long CouponSubsidy { get; set; }
    public long Discount { get; set; }
    public long PointsRedeemed { get; set; }
    public List<(PointsLotRow Lot, long Used)> LotsUsed { get; } = [];
    public PointsAccountRow? RedeemFrom { get; set; }
    public EarmarkRow? Earmark { get; set; }
    public long EarmarkUsed { get; set; }
    public long Paid { get; set; }
    public PointsAccountRow? EarnTo { get; set; }
    public ProgrammeRow? EarnProgramme { get; set; }
    public long PointsEarned { get; set; }
    public PointsAccountRow? CareTo { get; set; }
    public ProgrammeRow? CareProgramme { get; set; }
    public long CarePointsEarned { get; set; }
    public long Fee { get; set; }

    public string LotUsage => string.Join(',', LotsUsed.Select(u => $"{u.Lot.Id.ToString(CultureInfo.InvariantCulture)}:{u.Used.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>The legs in posting order; the merchant fee comes last so the merchant account holds the sale first.</summary>
    public List<PlannedLeg> Legs()
    {
        var c = Payer.Currency;
        var merchant = PaymentsChart.Party(PaymentAccountKind.Merchant, Merchant.Id);
        var marketing = PaymentsChart.Bank(PaymentAccountKind.Marketing, c);
        var legs = new List<PlannedLeg>(9);
        Add("payment", Payer.AccountId, merchant, Paid, PaymentCodes.TapPayment);
        if (Payer.Wallet is { } w)
        {
            // Money left the wallet: give the same amount of headroom back (keeps headroom = limit − balance).
            Add("wallet_headroom", PaymentsChart.Bank(PaymentAccountKind.WalletLimits, c), PaymentsChart.Party(PaymentAccountKind.WalletHeadroom, w.Id), Paid, PaymentCodes.HeadroomReleased);
        }

        if (Coupon is { } coupon) Add("coupon_subsidy", PaymentsChart.Party(PaymentAccountKind.CouponFunding, coupon.Id), merchant, CouponSubsidy, PaymentCodes.CouponSubsidy);
        Add("elderly_discount", marketing, merchant, Discount, PaymentCodes.ElderlyDiscount);
        if (RedeemFrom is { } from) Add("points_redeemed", PaymentsChart.Party(PaymentAccountKind.Points, from.Id), merchant, PointsRedeemed, PaymentCodes.PointsRedeemed);
        if (Earmark is { } e) Add("conditional_funds", PaymentsChart.Party(PaymentAccountKind.Earmark, e.Id), merchant, EarmarkUsed, PaymentCodes.EarmarkSpent);
        if (EarnTo is { } to) Add("points_earned", marketing, PaymentsChart.Party(PaymentAccountKind.Points, to.Id), PointsEarned, PaymentCodes.PointsEarned);
        if (CareTo is { } care) Add("care_points_earned", marketing, PaymentsChart.Party(PaymentAccountKind.Points, care.Id), CarePointsEarned, PaymentCodes.CarePointsEarned);
        Add("merchant_fee", merchant, PaymentsChart.Bank(PaymentAccountKind.FeeIncome, c), Fee, PaymentCodes.MerchantFee);
        return legs;

        void Add(string role, UInt128 debit, UInt128 credit, long amount, ushort code)
        {
            if (amount > 0) legs.Add(new PlannedLeg(role, debit, credit, amount, code));
        }
    }
}

internal static class TapPlanner
{
    /// <summary>Lots read first for a redemption: a few lots usually cover it.</summary>
    private const int FirstLots = 16;

    /// <summary>Most lots one redemption reads (and may draw on).</summary>
    private const int MaxLots = 1_000;

    /// <summary>Applies the coupon's rules; a decline reason, or null with the subsidy set.</summary>
    public static async Task<TapResult?> CouponAsync(DbContext db, TapPlan plan, DateTimeOffset now, CancellationToken ct)
    {
        if (plan.Coupon is not { } c) return null;
        var at = now.ToUnixTimeMilliseconds();
        if (c.Ledger != plan.Merchant.Ledger) return TapResult.Declined("coupon_invalid", $"Coupon {c.Code} is for another currency.");
        if (at < c.ValidFromUnixMs) return TapResult.Declined("coupon_not_yet_valid", $"Coupon {c.Code} is valid from {DateTimeOffset.FromUnixTimeMilliseconds(c.ValidFromUnixMs):u}.");
        if (at >= c.ValidUntilUnixMs) return TapResult.Declined("coupon_expired", $"Coupon {c.Code} expired at {DateTimeOffset.FromUnixTimeMilliseconds(c.ValidUntilUnixMs):u}.");
        if (plan.Amount < c.MinSpend) return TapResult.Declined("coupon_min_spend", $"Coupon {c.Code} needs a spend of at least {plan.Payer.Currency.Format(c.MinSpend)}.");
        var holder = plan.Payer.HolderId;
        var used = await TapQueries.For(db).CouponUses(db, c.Id, holder, ct);
        if (used >= c.PerCustomerLimit) return TapResult.Declined("coupon_limit_reached", $"Coupon {c.Code} can be used {c.PerCustomerLimit} time(s) per customer.");
        var subsidy = c.Kind == "amount_off" ? c.Value : checked(plan.Amount * c.Value) / 10_000;
        if (c.Kind == "percent_off" && c.Cap > 0) subsidy = Math.Min(subsidy, c.Cap);
        plan.CouponSubsidy = Math.Min(subsidy, plan.Amount);
        return null;
    }

    /// <summary>Reserves unexpired points first-in-first-out (lots are tracked; their rows change with the tap).</summary>
    public static async Task<TapResult?> RedeemAsync(DbContext db, TapPlan plan, long requested, long due, DateTimeOffset now, CancellationToken ct)
    {
        if (requested <= 0) return null;
        if (plan.Merchant.ProgrammeId is not { } programmeId) return TapResult.Declined("points_not_accepted", "This merchant takes part in no points programme.");
        var holder = plan.Payer.HolderId;
        var queries = TapQueries.For(db);
        var account = await queries.PointsAccount(db, holder, programmeId, ct);
        var at = now.ToUnixTimeMilliseconds();
        // The soonest-expiring lots first, only as many as the redemption needs: a regular customer holds hundreds
        // of lots, and reading them all on every redemption made its cost grow with the customer's history.
        var lots = account is null ? [] : await LotsAsync(queries.UsableLots(db, account.Id, at, FirstLots), ct);
        if (account is not null && lots.Count == FirstLots && lots.Sum(l => l.Remaining) < requested) lots = await LotsAsync(queries.UsableLots(db, account.Id, at, MaxLots), ct);
        var usable = lots.Sum(l => l.Remaining);
        if (usable < requested) return TapResult.Declined("points_insufficient", $"{usable} unexpired point(s) available, {requested} requested.");
        var take = Math.Min(requested, due);
        plan.PointsRedeemed = take;
        plan.RedeemFrom = account;
        foreach (var lot in lots)
        {
            if (take == 0) break;
            var use = Math.Min(lot.Remaining, take);
            plan.LotsUsed.Add((lot, use));
            take -= use;
        }

        return null;
    }

    private static async Task<List<PointsLotRow>> LotsAsync(IAsyncEnumerable<PointsLotRow> rows, CancellationToken ct)
    {
        var list = new List<PointsLotRow>();
        await foreach (var row in rows.WithCancellation(ct)) list.Add(row);
        return list;
    }

    /// <summary>Picks the wallet's conditional funds usable here (soonest to expire first) and how much of them to use.</summary>
    public static async Task EarmarkAsync(DbContext db, LedgerEngine ledger, TapPlan plan, long due, DateTimeOffset now, CancellationToken ct)
    {
        if (plan.Payer.Wallet is not { } w || due == 0) return;
        var at = now.ToUnixTimeMilliseconds();
        var candidates = await db.Set<EarmarkRow>().AsNoTracking().Where(e => e.WalletId == w.Id && e.Status == "active" && e.ExpiresAtUnixMs > at)
            .OrderBy(e => e.ExpiresAtUnixMs).Take(20).ToListAsync(ct);
        var mcc = plan.Merchant.Mcc;
        var usable = candidates.FirstOrDefault(e => e.Mccs.Length == 0 || e.Mccs.Split(',').Contains(mcc));
        if (usable is null) return;
        var account = (await ledger.LookupAccountsAsync(new[] { PaymentsChart.Party(PaymentAccountKind.Earmark, usable.Id) }, ct)).FirstOrDefault();
        var balance = account.Id == UInt128.Zero ? 0 : LedgerSetup.Available(account);
        if (balance <= 0) return;
        plan.Earmark = usable;
        plan.EarmarkUsed = Math.Min(balance, due);
    }

    /// <summary>Per-payment and daily wallet limits on the wallet's own money (checked under the holder's lock).</summary>
    public static async Task<TapResult?> WalletLimitsAsync(DbContext db, TapPlan plan, int day, CancellationToken ct)
    {
        if (plan.Payer.Wallet is not { } w || plan.Paid == 0) return null;
        var c = plan.Payer.Currency;
        var perPayment = w.PerPaymentLimit; // minor units of the wallet's currency, copied from its tier (decision 0636)
        if (plan.Paid > perPayment) return TapResult.Declined("wallet_per_payment_limit", $"A {w.Tier} wallet pays at most {c.Format(perPayment)} at a time.");
        var payer = w.AccountId;
        var used = await TapQueries.For(db).WalletPaidOnDay(db, payer, day, ct);
        var daily = w.DailyLimit;
        return checked(used + plan.Paid) > daily
            ? TapResult.Declined("wallet_daily_limit", $"A {w.Tier} wallet pays at most {c.Format(daily)} a day ({c.Format(used)} used).")
            : null;
    }
}
