using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Payments.Wallets;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Banyan.Payments.Retail;

/// <summary>
/// Tap to pay: one request becomes ONE linked ledger batch (payment, coupon subsidy, elderly discount,
/// points redeemed and earned, conditional funds, merchant fee) — all or nothing. Coupon and points state
/// changes with it, crash-safely: under the holder's lock the module decides, hands the tap row
/// <c>pending</c> with the coupon redemption and the points lots to the <see cref="TapCommitter"/> (one
/// database transaction per group of concurrent taps), posts the batch (the ledger group-commits concurrent
/// batches), then answers; the <c>completed</c> mark follows in the next group, a refusal undoes the module's
/// rows before the answer. Start-up settles taps a crash left pending by looking up the first leg (a linked
/// batch is in the ledger entirely or not at all). docs/payments.md, decisions 0600 and 0630.
/// </summary>
internal sealed class TapToPay(LedgerEngine ledger, IServiceScopeFactory scopes, TimeProvider time, HolderLocks locks, PointsBook points, TapCommitter committer, TapReads reads, IOptions<PaymentsOptions> options)
{
    public async Task<TapResult> PayAsync(TapRequest r, CancellationToken ct)
    {
        Validate(r);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var merchant = await reads.MerchantAsync(db, r.MerchantId, ct)
            ?? throw new PaymentsNotFoundException($"No merchant '{r.MerchantId}'.");
        var payer = await PayerAsync(db, r.AccountId, ct) ?? throw new PaymentsNotFoundException($"Account {r.AccountId} is neither a customer account nor a wallet.");
        if (merchant.Ledger != (int)r.Currency.Ledger || payer.Currency != r.Currency)
            return TapResult.Declined("currency_mismatch", $"The merchant, the payer's account and the payment must share one currency ({r.Currency}).");
        CouponRow? coupon = null;
        if (r.CouponCode is { } code && (coupon = await reads.CouponAsync(db, code, ct)) is null)
            return TapResult.Declined("coupon_not_found", $"No coupon '{code}'.");

        // Only the holder is locked: the per-customer coupon limit is counted per holder, and the coupon's budget
        // is a ledger account the linked batch draws on, so the ledger refuses the tap that would overdraw it.
        // A coupon-wide lock would serialise every customer's tap with a popular coupon (each holding it across
        // durable writes): that was the multi-second p99 of `banyan bench payments`.
        var holderGate = locks.Holder(payer.HolderId);
        await holderGate.WaitAsync(ct);
        try
        {
            await committer.SettledAsync(payer.HolderId);
            return await PayLockedAsync(db, r, merchant, payer, coupon, ct);
        }
        finally
        {
            holderGate.Release();
        }
    }

    /// <summary>Settles taps a crash left pending (start-up, before requests).</summary>
    public async Task SettlePendingAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        foreach (var row in await db.Set<TapRow>().AsNoTracking().Where(t => t.Status == "pending").OrderBy(t => t.Id).Take(10_000).ToListAsync(ct))
        {
            await SettleAsync(row, ct);
        }
    }

    private async Task<TapResult> PayLockedAsync(DbContext db, TapRequest r, MerchantRow merchant, Payer payer, CouponRow? coupon, CancellationToken ct)
    {
        var payerText = payer.AccountId.ToString(CultureInfo.InvariantCulture);
        var existing = await TapQueries.For(db).Existing(db, r.Initiator, r.PaymentId, ct);
        if (existing is not null)
        {
            if (existing.MerchantRowId != merchant.Id || existing.Amount != r.Amount || existing.PayerAccountId != payerText || existing.CouponId != coupon?.Id)
                throw new PaymentsConflictException($"payment_id '{r.PaymentId}' was already used for a different payment.");
            if (existing.Status == "pending") existing = await SettleAsync(existing, ct);
            return await ResultAsync(existing, merchant.MerchantId, r.Currency, ct);
        }

        var now = time.GetUtcNow();
        var (plan, declined) = await PlanAsync(db, r, merchant, payer, coupon, now, ct);
        if (declined is not null) return declined;
        var legs = plan!.Legs();
        var row = NewRow(r, plan, legs.Count, now);
        await committer.WritePendingAsync(Pending(row, plan, now), ct);
        var transfers = legs.Select((l, i) => l.ToTransfer(PaymentsChart.TransferId(PaymentTransferKind.Tap, (byte)i, row.Id), r.Currency.Ledger, row.Id, linked: i < legs.Count - 1)).ToArray();
        // The ledger decides now; record its decision even if the caller has gone. Concurrent taps' batches
        // are coalesced by the ledger's writer into one durable record; each request keeps its own chain.
        var results = await ledger.CreateTransfersAsync(transfers, CancellationToken.None);
        var failed = Array.FindIndex(results, x => !LedgerSetup.Ok(x) && x != CreateTransferResult.LinkedEventFailed);
        if (failed >= 0)
        {
            var (reason, detail) = Reason(legs[failed].Role, results[failed], r.Currency);
            await committer.WriteOutcomeAsync(new TapOutcome(row.Id, reason, detail, row.LotUsage));
            return TapResult.Declined(reason, detail);
        }

        // Acknowledged once the ledger holds the batch durably; the completed mark follows in the next group
        // (not awaited). Safe: the pending rows already count for every later check of this holder, and if the
        // process dies before the mark, start-up settlement finds the batch and completes the tap (decision 0630).
        committer.CompleteLater(row.Id, row.HolderId);
        // Every leg was just created as planned: the receipt needs no second trip to the ledger.
        var receiptLegs = transfers.Select(t => new TapLeg(RoleOf(t.Code), t.Id, t.DebitAccountId, t.CreditAccountId, checked((long)t.Amount), t.Code)).ToList();
        return new TapResult(Receipt(row, merchant.MerchantId, r.Currency, receiptLegs), null, null);
    }

    private async Task<(TapPlan?, TapResult?)> PlanAsync(DbContext db, TapRequest r, MerchantRow merchant, Payer payer, CouponRow? coupon, DateTimeOffset now, CancellationToken ct)
    {
        var plan = new TapPlan { Merchant = merchant, Payer = payer, Amount = r.Amount, Coupon = coupon };
        if (await TapPlanner.CouponAsync(db, plan, now, ct) is { } noCoupon) return (null, noCoupon);
        var due = checked(r.Amount - plan.CouponSubsidy);
        if (payer.Wallet is { Elderly: true }) plan.Discount = ElderlyBenefits.Discount(merchant.Mcc, due);
        due = checked(due - plan.Discount);
        if (await TapPlanner.RedeemAsync(db, plan, r.RedeemPoints, due, now, ct) is { } noPoints) return (null, noPoints);
        due = checked(due - plan.PointsRedeemed);
        await TapPlanner.EarmarkAsync(db, ledger, plan, due, now, ct);
        plan.Paid = checked(due - plan.EarmarkUsed);
        if (await TapPlanner.WalletLimitsAsync(db, plan, BusinessDay(now), ct) is { } overLimit) return (null, overLimit);
        await EarnAsync(db, plan, ct);
        plan.Fee = checked(r.Amount * merchant.FeeBps) / 10_000;
        return (plan, null);
    }

    /// <summary>Points earned on the payer's own money at the merchant's programme, and care points for elderly wallet holders.</summary>
    private async Task EarnAsync(DbContext db, TapPlan plan, CancellationToken ct)
    {
        var merchant = plan.Merchant;
        if (plan.Paid == 0) return;
        if (merchant.ProgrammeId is { } pid && await reads.ProgrammeAsync(db, pid, ct) is { Ledger: var pl } programme && pl == merchant.Ledger)
        {
            plan.PointsEarned = checked(plan.Paid * Catalog.RateFor(programme, merchant.Mcc)) / 10_000;
            plan.EarnProgramme = programme;
            if (plan.PointsEarned > 0) plan.EarnTo = await points.EnsureAccountAsync(db, plan.Payer.HolderId, programme, ct);
        }

        if (plan.Payer.Wallet is { Elderly: true } && await db.Set<ProgrammeRow>().AsNoTracking().OrderBy(p => p.Id).FirstOrDefaultAsync(p => p.Care && p.Ledger == merchant.Ledger, ct) is { } care)
        {
            plan.CarePointsEarned = checked(plan.Paid * Catalog.RateFor(care, merchant.Mcc)) / 10_000;
            plan.CareProgramme = care;
            if (plan.CarePointsEarned > 0) plan.CareTo = await points.EnsureAccountAsync(db, plan.Payer.HolderId, care, ct);
        }
    }

    private TapRow NewRow(TapRequest r, TapPlan plan, int legs, DateTimeOffset now) => new()
    {
        Initiator = r.Initiator, PaymentId = r.PaymentId, MerchantRowId = plan.Merchant.Id, PayerAccountId = plan.Payer.AccountId.ToString(CultureInfo.InvariantCulture),
        HolderId = plan.Payer.HolderId, Ledger = plan.Merchant.Ledger, Amount = r.Amount, CouponId = plan.Coupon?.Id, CouponSubsidy = plan.CouponSubsidy,
        Discount = plan.Discount, PointsRedeemed = plan.PointsRedeemed, EarmarkUsed = plan.EarmarkUsed, EarmarkId = plan.Earmark?.Id, Paid = plan.Paid,
        PointsEarned = plan.PointsEarned, CarePointsEarned = plan.CarePointsEarned, Fee = plan.Fee, LotUsage = plan.LotUsage, Legs = legs,
        Status = "pending", CreatedAtUnixMs = now.ToUnixTimeMilliseconds(), BusinessDay = BusinessDay(now),
    };

    /// <summary>The tap row, the coupon redemption and the points lots taken or created: written together (one group transaction), before posting.</summary>
    private static PendingTap Pending(TapRow row, TapPlan plan, DateTimeOffset now)
    {
        var redemption = plan.Coupon is { } c ? new CouponRedemptionRow { CouponId = c.Id, HolderId = row.HolderId, Amount = plan.CouponSubsidy, Status = "pending" } : null;
        var lots = new List<PointsLotRow>(2);
        AddLot(plan.EarnTo, plan.EarnProgramme, plan.PointsEarned);
        AddLot(plan.CareTo, plan.CareProgramme, plan.CarePointsEarned);
        return new PendingTap(row, redemption, lots, plan.LotsUsed.Select(u => (u.Lot.Id, u.Used)).ToList());

        void AddLot(PointsAccountRow? to, ProgrammeRow? programme, long earned)
        {
            if (to is null || programme is null || earned == 0) return;
            lots.Add(new PointsLotRow
            {
                PointsAccountId = to.Id, Earned = earned, Remaining = earned, Status = "pending",
                ExpiresAtUnixMs = now.AddDays(programme.ExpiryDays).ToUnixTimeMilliseconds(),
            });
        }
    }

    /// <summary>Resolves a pending tap from the ledger: a linked batch is there entirely or not at all, so its first leg decides.</summary>
    private async Task<TapRow> SettleAsync(TapRow row, CancellationToken ct)
    {
        var first = PaymentsChart.TransferId(PaymentTransferKind.Tap, 0, row.Id);
        var found = await ledger.LookupTransfersAsync(new[] { first }, ct);
        var outcome = found.Length == 1
            ? new TapOutcome(row.Id, null, null, row.LotUsage)
            : new TapOutcome(row.Id, "interrupted", "The server stopped before the payment was posted; nothing moved.", row.LotUsage);
        await committer.WriteOutcomeAsync(outcome);
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<TapRow>().AsNoTracking().FirstAsync(t => t.Id == row.Id, ct);
    }

    private async Task<TapResult> ResultAsync(TapRow row, string merchantId, Currency currency, CancellationToken ct)
    {
        if (row.Status != "completed") return TapResult.Declined(row.Reason ?? "rejected", row.Detail ?? "The payment was declined.");
        var ids = Enumerable.Range(0, row.Legs).Select(i => PaymentsChart.TransferId(PaymentTransferKind.Tap, (byte)i, row.Id)).ToArray();
        var legs = (await ledger.LookupTransfersAsync(ids, ct))
            .Select(t => new TapLeg(RoleOf(t.Code), t.Id, t.DebitAccountId, t.CreditAccountId, checked((long)t.Amount), t.Code)).ToList();
        return new TapResult(Receipt(row, merchantId, currency, legs), null, null);
    }

    private static TapReceipt Receipt(TapRow row, string merchantId, Currency currency, IReadOnlyList<TapLeg> legs) =>
        new(row.PaymentId, merchantId, currency, row.Amount, row.CouponSubsidy, row.Discount, row.PointsRedeemed,
            row.EarmarkUsed, row.Paid, row.PointsEarned, row.CarePointsEarned, row.Fee, legs);

    internal static string RoleOf(ushort code) => code switch
    {
        PaymentCodes.TapPayment => "payment",
        PaymentCodes.HeadroomReleased => "wallet_headroom",
        PaymentCodes.CouponSubsidy => "coupon_subsidy",
        PaymentCodes.ElderlyDiscount => "elderly_discount",
        PaymentCodes.PointsRedeemed => "points_redeemed",
        PaymentCodes.EarmarkSpent => "conditional_funds",
        PaymentCodes.PointsEarned => "points_earned",
        PaymentCodes.CarePointsEarned => "care_points_earned",
        PaymentCodes.MerchantFee => "merchant_fee",
        _ => "other",
    };

    private static (string Reason, string Detail) Reason(string role, CreateTransferResult result, Currency currency) => (role, result) switch
    {
        ("payment", CreateTransferResult.ExceedsCredits) => ("insufficient_funds", "The payer's available balance is below the amount to pay."),
        ("coupon_subsidy", CreateTransferResult.ExceedsCredits) => ("coupon_budget_exhausted", "The coupon's budget is used up."),
        ("coupon_subsidy", CreateTransferResult.DebitAccountAlreadyClosed) => ("coupon_closed", "The coupon campaign is closed; its remaining budget went back to marketing."),
        ("points_redeemed", CreateTransferResult.ExceedsCredits) => ("points_insufficient", "The points account holds fewer points than redeemed."),
        ("conditional_funds", CreateTransferResult.ExceedsCredits) => ("insufficient_funds", "The conditional funds are used up."),
        (_, CreateTransferResult.DebitAccountAlreadyClosed or CreateTransferResult.CreditAccountAlreadyClosed) => ("account_closed", "An account of the payment is closed."),
        _ => (result.Name(), $"The ledger refused the {role} leg ({currency}): {result.Name()}."),
    };

    private async Task<Payer?> PayerAsync(DbContext db, UInt128 accountId, CancellationToken ct)
    {
        var text = accountId.ToString(CultureInfo.InvariantCulture);
        if (PaymentsChart.IsCustomerAccount(accountId))
        {
            var c = await reads.CustomerAccountAsync(db, text, ct);
            return c is not null && Currencies.TryGetByLedger((uint)c.Ledger, out var cur) ? new Payer(accountId, c.CustomerId, cur, null) : null;
        }

        if (!PaymentsChart.IsWallet(accountId)) return null;
        var w = await db.Set<WalletRow>().AsNoTracking().FirstOrDefaultAsync(a => a.AccountId == text, ct);
        return w is not null && Currencies.TryGetByLedger((uint)w.Ledger, out var wc) ? new Payer(accountId, w.HolderId, wc, w) : null;
    }

    private static void Validate(TapRequest r)
    {
        Check.Id("payment_id", r.PaymentId);
        Check.Id("merchant_id", r.MerchantId);
        if (string.IsNullOrWhiteSpace(r.Initiator) || r.Initiator.Length > 128) throw new PaymentsInputException("initiator", "must be 1..128 characters");
        var max = checked(1_000_000 * r.Currency.MinorPerMajor);
        if (r.Amount <= 0 || r.Amount > max) throw new PaymentsInputException("amount", $"must be 1..{max} minor units");
        if (r.RedeemPoints < 0 || r.RedeemPoints > max) throw new PaymentsInputException("redeem_points", $"must be 0..{max}");
        if (r.CouponCode is { Length: 0 or > 32 }) throw new PaymentsInputException("coupon", "must be 1..32 characters");
    }

    private int BusinessDay(DateTimeOffset now)
    {
        var local = now.ToOffset(TimeSpan.FromHours(options.Value.BusinessDayUtcOffsetHours));
        return (local.Year * 10_000) + (local.Month * 100) + local.Day;
    }
}
