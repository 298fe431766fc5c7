using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Platform.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Wallets;

/// <summary>What a tier change did: <see cref="Completed"/>, or the decline reason; the wallet as it is now.</summary>
internal sealed record TierChangeResult(bool Completed, string? Reason, string? Detail, string FromTier, string ToTier, UInt128 TransferId, WalletView Wallet);

/// <summary>
/// Moves a wallet between tiers. The balance limit lives in the ledger as the headroom account's credits,
/// so a tier change is ONE ledger transfer of the difference between the two balance limits: an upgrade
/// grants more headroom (wallet limits → headroom), a downgrade takes it back (headroom → wallet limits).
/// The headroom account is <c>debits_must_not_exceed_credits</c>, so the ledger itself refuses a downgrade
/// while the balance is above the lower limit (headroom below the difference), racing top-ups included.
/// The wallet keeps its account id: nothing is reopened or moved (decision 0635).
/// </summary>
internal sealed class WalletTierChanges(LedgerEngine ledger, IServiceScopeFactory scopes, TimeProvider time, HolderLocks locks, WalletTiers tiers, WalletBook wallets, IAuditLog audit)
{
    /// <summary>Transfer code of a downgrade's headroom withdrawal (the upgrade's grant is 6534 like the opening grant).</summary>
    public const ushort HeadroomWithdrawn = 6535;

    /// <summary>Leg byte of the tier change transfer (kind wallet); its sequence is the change row.</summary>
    public const byte Leg = 6;

    public async Task<TierChangeResult> ChangeAsync(string initiator, UInt128 walletId, string toTier, string reference, CancellationToken ct)
    {
        Check.Id("verification_reference", reference);
        if (!WalletTier.IsKnown(toTier)) throw new PaymentsInputException("tier", "must be phone or verified");
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var found = await WalletBook.WalletRowAsync(db, walletId, ct);
        // The holder's lock: taps check per-payment and daily limits under it, so they never see half a change.
        var gate = locks.Holder(found.HolderId);
        await gate.WaitAsync(ct);
        WalletTierChangeRow change;
        try
        {
            change = await ChangeLockedAsync(db, initiator, found.Id, toTier, reference, ct);
        }
        finally
        {
            gate.Release();
        }

        return new TierChangeResult(change.Status == "completed", change.Reason, change.Reason is null ? null : Describe(change.Reason), change.FromTier, change.ToTier,
            change.Status == "completed" && change.HeadroomDelta != 0 ? TransferIdOf(change) : UInt128.Zero, (await wallets.FindAsync(walletId, CancellationToken.None))!);
    }

    private async Task<WalletTierChangeRow> ChangeLockedAsync(DbContext db, string initiator, long walletSequence, string toTier, string reference, CancellationToken ct)
    {
        var wallet = await db.Set<WalletRow>().FirstAsync(w => w.Id == walletSequence, ct);
        var change = await db.Set<WalletTierChangeRow>().FirstOrDefaultAsync(c => c.WalletId == wallet.Id && c.Reference == reference, ct);
        if (change is not null && change.ToTier != toTier) throw new PaymentsConflictException($"Reference '{reference}' was used for a change to the {change.ToTier} tier.");
        if (change is null)
        {
            if (wallet.Tier == toTier) throw new PaymentsConflictException($"The wallet is already in the {toTier} tier.");
            var limits = tiers.For(WalletBook.CurrencyOf(wallet), toTier);
            await wallets.EnsureLedgerAsync(wallet, ct);
            change = new WalletTierChangeRow
            {
                WalletId = wallet.Id, Reference = reference, Initiator = initiator, FromTier = wallet.Tier, ToTier = toTier,
                PerPaymentLimit = limits.PerPayment, DailyLimit = limits.Daily, BalanceLimit = limits.Balance,
                HeadroomDelta = checked(limits.Balance - wallet.BalanceLimit), Status = "pending", RequestedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
            };
            db.Add(change);
            await db.SaveChangesAsync(ct);
        }

        if (change.Status != "pending") return change;
        var result = change.HeadroomDelta == 0 ? CreateTransferResult.Created : (await ledger.CreateTransfersAsync(new[] { TransferOf(change, wallet) }, CancellationToken.None))[0];
        if (LedgerSetup.Ok(result)) Apply(wallet, change);
        else (change.Status, change.Reason) = ("rejected", result == CreateTransferResult.ExceedsCredits ? "wallet_balance_above_tier_limit" : result.Name());
        await db.SaveChangesAsync(CancellationToken.None);
        await AuditAsync(audit, change, wallet, CancellationToken.None);
        return change;
    }

    /// <summary>
    /// Finishes changes a crash left pending: the transfer is in the ledger (apply) or not (rejected, never acknowledged).
    /// Each settled change is audited after the save, like a change that ran to the end: the crash came before its entry.
    /// </summary>
    internal static async Task SettlePendingAsync(DbContext db, LedgerEngine ledger, Func<IAuditLog> audit, CancellationToken ct)
    {
        var settled = new List<(WalletTierChangeRow Change, WalletRow Wallet)>();
        foreach (var change in await db.Set<WalletTierChangeRow>().Where(c => c.Status == "pending").OrderBy(c => c.Id).Take(10_000).ToListAsync(ct))
        {
            var wallet = await db.Set<WalletRow>().FirstAsync(w => w.Id == change.WalletId, ct);
            var posted = change.HeadroomDelta == 0 || (await ledger.LookupTransfersAsync(new[] { TransferIdOf(change) }, ct)).Length == 1;
            if (posted) Apply(wallet, change);
            else (change.Status, change.Reason) = ("rejected", "interrupted");
            settled.Add((change, wallet));
        }

        await db.SaveChangesAsync(ct);
        if (settled.Count == 0) return;
        var log = audit();
        foreach (var (change, wallet) in settled) await AuditAsync(log, change, wallet, ct);
    }

    internal static UInt128 TransferIdOf(WalletTierChangeRow change) => PaymentsChart.TransferId(PaymentTransferKind.Wallet, Leg, change.Id);

    private static Transfer TransferOf(WalletTierChangeRow change, WalletRow wallet)
    {
        var c = WalletBook.CurrencyOf(wallet);
        var limits = PaymentsChart.Bank(PaymentAccountKind.WalletLimits, c);
        var headroom = PaymentsChart.Party(PaymentAccountKind.WalletHeadroom, wallet.Id);
        return change.HeadroomDelta > 0
            ? WalletBook.Pair(limits, headroom, change.HeadroomDelta, PaymentCodes.HeadroomGrant, TransferIdOf(change), false, wallet.Id, c)
            : WalletBook.Pair(headroom, limits, checked(-change.HeadroomDelta), HeadroomWithdrawn, TransferIdOf(change), false, wallet.Id, c);
    }

    private static void Apply(WalletRow wallet, WalletTierChangeRow change)
    {
        (wallet.Tier, wallet.PerPaymentLimit, wallet.DailyLimit, wallet.BalanceLimit) = (change.ToTier, change.PerPaymentLimit, change.DailyLimit, change.BalanceLimit);
        (change.Status, change.Reason) = ("completed", null);
    }

    private static async Task AuditAsync(IAuditLog audit, WalletTierChangeRow change, WalletRow wallet, CancellationToken ct)
    {
        var upgrade = WalletTier.Rank(change.ToTier) > WalletTier.Rank(change.FromTier);
        var details = new Dictionary<string, string>
        {
            ["from_tier"] = change.FromTier, ["to_tier"] = change.ToTier, ["reference"] = change.Reference,
            ["balance_limit"] = change.BalanceLimit.ToString(CultureInfo.InvariantCulture), ["currency"] = WalletBook.CurrencyOf(wallet).Code,
        };
        if (change.Reason is { } reason) details["reason"] = reason;
        await audit.AppendAsync(new AuditEntry("wallet", upgrade ? "tier_upgraded" : "tier_downgraded", change.Initiator, wallet.AccountId,
            change.Status == "completed" ? "succeeded" : "failed", details), ct);
    }

    internal static string Describe(string reason) => reason switch
    {
        "wallet_balance_above_tier_limit" => "The wallet's balance is above the lower tier's balance limit; spend or move money out first.",
        "interrupted" => "The server stopped before the tier change was posted; nothing changed.",
        _ => "The ledger refused the tier change: " + reason + ".",
    };
}
