using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Wallets;

/// <summary>A wallet as the API shows it; balances are the ledger's.</summary>
internal sealed record WalletView(UInt128 AccountId, string HolderId, string Tier, bool Elderly, long Balance, long Headroom, long BalanceLimit, long PerPaymentLimit, long DailyLimit, IReadOnlyList<EarmarkView> ConditionalFunds);

/// <summary>Conditional funds in a wallet.</summary>
internal sealed record EarmarkView(string GrantId, UInt128 AccountId, long Granted, long Balance, IReadOnlyList<string> Mccs, DateTimeOffset ExpiresAt, string Status);

/// <summary>Outcome of a wallet top-up.</summary>
internal sealed record TopUpResult(bool Completed, string? Reason, string? Detail, UInt128 TransferId);

/// <summary>
/// Programmable wallets (CNY). The balance limit is enforced BY THE LEDGER: each wallet has a headroom
/// account (<c>debits_must_not_exceed_credits</c>) opened with the tier's balance limit. Every credit to
/// the wallet is linked with a transfer of the same amount out of the headroom account, every payment out
/// of the wallet with one back in. Headroom = limit − balance can never go below zero, so a credit that
/// would lift the wallet above its limit fails its linked batch (<c>exceeds_credits</c> on the headroom),
/// whatever the concurrency. docs/payments.md "Wallets", decision 0601.
/// </summary>
internal sealed class WalletBook(LedgerEngine ledger, IServiceScopeFactory scopes, TimeProvider time)
{
    public static readonly Currency WalletCurrency = Currencies.Cny;

    public async Task<WalletView> OpenAsync(string holderId, string tier, bool elderly, CancellationToken ct)
    {
        Check.Id("holder_id", holderId);
        if (!WalletTier.TryGet(tier, out var t)) throw new PaymentsInputException("tier", "must be phone or verified");
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var ledgerNo = (int)WalletCurrency.Ledger;
        var row = await db.Set<WalletRow>().FirstOrDefaultAsync(w => w.HolderId == holderId && w.Ledger == ledgerNo, ct);
        if (row is null)
        {
            row = new WalletRow { HolderId = holderId, Ledger = ledgerNo, Tier = t.Name, Elderly = elderly, OpenedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds() };
            db.Add(row);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
                row = await db.Set<WalletRow>().FirstAsync(w => w.HolderId == holderId && w.Ledger == ledgerNo, ct);
            }
        }

        if (row.Tier != t.Name || row.Elderly != elderly) throw new PaymentsConflictException($"Holder {holderId} already has a {row.Tier} wallet (elderly: {row.Elderly}).");
        if (row.AccountId.Length == 0)
        {
            row.AccountId = PaymentsChart.Party(PaymentAccountKind.Wallet, row.Id).ToString(CultureInfo.InvariantCulture);
            await db.SaveChangesAsync(ct);
        }

        await LedgerSetup.EnsureAccountsAsync(ledger, [
            PaymentsChart.PartyAccount(PaymentAccountKind.Wallet, row.Id, WalletCurrency),
            PaymentsChart.PartyAccount(PaymentAccountKind.WalletHeadroom, row.Id, WalletCurrency)], ct);
        var grant = Pair(PaymentsChart.Bank(PaymentAccountKind.WalletLimits, WalletCurrency), PaymentsChart.Party(PaymentAccountKind.WalletHeadroom, row.Id),
            checked(t.Balance * WalletCurrency.MinorPerMajor), PaymentCodes.HeadroomGrant, PaymentsChart.TransferId(PaymentTransferKind.Wallet, 2, row.Id), false, row.Id);
        var result = (await ledger.CreateTransfersAsync(new[] { grant }, ct))[0];
        if (!LedgerSetup.Ok(result)) throw new InvalidOperationException($"The ledger refused the headroom of wallet {row.Id}: {result.Name()}.");
        return (await FindAsync(PaymentsChart.Party(PaymentAccountKind.Wallet, row.Id), ct))!;
    }

    public async Task<WalletView?> FindAsync(UInt128 accountId, CancellationToken ct)
    {
        if (!PaymentsChart.IsWallet(accountId)) return null;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var text = accountId.ToString(CultureInfo.InvariantCulture);
        var row = await db.Set<WalletRow>().AsNoTracking().FirstOrDefaultAsync(w => w.AccountId == text, ct);
        if (row is null) return null;
        var earmarks = await db.Set<EarmarkRow>().AsNoTracking().Where(e => e.WalletId == row.Id).OrderBy(e => e.Id).Take(100).ToListAsync(ct);
        var ids = new List<UInt128> { accountId, PaymentsChart.Party(PaymentAccountKind.WalletHeadroom, row.Id) };
        ids.AddRange(earmarks.Select(e => PaymentsChart.Party(PaymentAccountKind.Earmark, e.Id)));
        var found = (await ledger.LookupAccountsAsync(ids.ToArray(), ct)).ToDictionary(a => a.Id);
        long Bal(UInt128 id) => found.TryGetValue(id, out var a) ? LedgerSetup.Posted(a) : 0;
        var tier = WalletTier.Get(row.Tier);
        var m = WalletCurrency.MinorPerMajor;
        var funds = earmarks.Select(e => new EarmarkView(e.GrantId, PaymentsChart.Party(PaymentAccountKind.Earmark, e.Id), e.Amount, Bal(PaymentsChart.Party(PaymentAccountKind.Earmark, e.Id)),
            e.Mccs.Split(',', StringSplitOptions.RemoveEmptyEntries), DateTimeOffset.FromUnixTimeMilliseconds(e.ExpiresAtUnixMs), e.Status)).ToList();
        return new WalletView(accountId, row.HolderId, row.Tier, row.Elderly, Bal(accountId), Bal(ids[1]), checked(tier.Balance * m), checked(tier.PerPayment * m), checked(tier.Daily * m), funds);
    }

    /// <summary>Cash in from the bank's settlement account, linked with the headroom leg; idempotent by (initiator, top-up id).</summary>
    public async Task<TopUpResult> TopUpAsync(string initiator, UInt128 walletId, string topUpId, long amount, CancellationToken ct)
    {
        Check.Id("top_up_id", topUpId);
        var max = checked(500_000 * WalletCurrency.MinorPerMajor);
        if (amount <= 0 || amount > max) throw new PaymentsInputException("amount", $"must be 1..{max} minor units");
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var wallet = await WalletRowAsync(db, walletId, ct);
        var row = await db.Set<WalletTopUpRow>().FirstOrDefaultAsync(t => t.Initiator == initiator && t.RequestId == topUpId, ct);
        if (row is not null && (row.WalletId != wallet.Id || row.Amount != amount)) throw new PaymentsConflictException($"top_up_id '{topUpId}' was used for another top-up.");
        if (row is null)
        {
            row = new WalletTopUpRow { Initiator = initiator, RequestId = topUpId, WalletId = wallet.Id, Amount = amount, Status = "pending" };
            db.Add(row);
            await db.SaveChangesAsync(ct);
        }

        if (row.Status == "pending") await PostTopUpAsync(db, row, CancellationToken.None);
        return new TopUpResult(row.Status == "completed", row.Reason, row.Reason is null ? null : Describe(row.Reason), row.Status == "completed" ? PaymentsChart.TransferId(PaymentTransferKind.Wallet, 0, row.Id) : UInt128.Zero);
    }

    /// <summary>Settles top-ups a crash left pending: the linked pair is in the ledger or not; posting it again is idempotent.</summary>
    public async Task SettlePendingAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        foreach (var row in await db.Set<WalletTopUpRow>().Where(t => t.Status == "pending").OrderBy(t => t.Id).Take(10_000).ToListAsync(ct))
        {
            var found = await ledger.LookupTransfersAsync(new[] { PaymentsChart.TransferId(PaymentTransferKind.Wallet, 0, row.Id) }, ct);
            (row.Status, row.Reason) = found.Length == 1 ? ("completed", null) : ("rejected", "interrupted");
        }

        await db.SaveChangesAsync(ct);
    }

    private async Task PostTopUpAsync(DbContext db, WalletTopUpRow row, CancellationToken ct)
    {
        var c = WalletCurrency;
        var transfers = CreditPair(PaymentsChart.Settlement(c), row.WalletId, row.Amount, PaymentCodes.WalletTopUp, PaymentTransferKind.Wallet, row.Id);
        var results = await ledger.CreateTransfersAsync(transfers, ct);
        (row.Status, row.Reason) = results.All(LedgerSetup.Ok) ? ("completed", null) : ("rejected", CreditRefusal(results));
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>A credit to a wallet: the money leg and, linked to it, the same amount out of the wallet's headroom.</summary>
    internal static Transfer[] CreditPair(UInt128 from, long walletId, long amount, ushort code, PaymentTransferKind kind, long sequence) =>
    [
        Pair(from, PaymentsChart.Party(PaymentAccountKind.Wallet, walletId), amount, code, PaymentsChart.TransferId(kind, 0, sequence), true, walletId),
        Pair(PaymentsChart.Party(PaymentAccountKind.WalletHeadroom, walletId), PaymentsChart.Bank(PaymentAccountKind.WalletLimits, WalletCurrency), amount, PaymentCodes.HeadroomUsed, PaymentsChart.TransferId(kind, 1, sequence), false, walletId),
    ];

    /// <summary>Why a credit pair was refused: the headroom leg failing means the balance limit.</summary>
    internal static string CreditRefusal(ReadOnlySpan<CreateTransferResult> pair) =>
        pair[1] == CreateTransferResult.ExceedsCredits ? "wallet_balance_limit"
        : pair[0] is CreateTransferResult.CreditAccountAlreadyClosed ? "account_closed"
        : pair[0] != CreateTransferResult.LinkedEventFailed ? pair[0].Name() : pair[1].Name();

    internal static string Describe(string reason) => reason switch
    {
        "wallet_balance_limit" => "The wallet would exceed its tier's balance limit.",
        "interrupted" => "The server stopped before the top-up was posted; nothing moved.",
        _ => "The ledger refused the top-up: " + reason + ".",
    };

    internal static Transfer Pair(UInt128 debit, UInt128 credit, long amount, ushort code, UInt128 id, bool linked, long walletId) => new()
    {
        Id = id, DebitAccountId = debit, CreditAccountId = credit, Amount = (UInt128)amount, Ledger = WalletCurrency.Ledger, Code = code,
        UserData64 = checked((ulong)walletId), Flags = linked ? TransferFlags.Linked : TransferFlags.None,
    };

    internal static async Task<WalletRow> WalletRowAsync(DbContext db, UInt128 walletId, CancellationToken ct)
    {
        var text = walletId.ToString(CultureInfo.InvariantCulture);
        return (PaymentsChart.IsWallet(walletId) ? await db.Set<WalletRow>().AsNoTracking().FirstOrDefaultAsync(w => w.AccountId == text, ct) : null)
            ?? throw new PaymentsNotFoundException($"No wallet {walletId}.");
    }
}
