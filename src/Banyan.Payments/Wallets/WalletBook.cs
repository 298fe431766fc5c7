using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Platform.Money;
using Banyan.Platform.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Wallets;

/// <summary>A wallet as the API shows it; balances are the ledger's.</summary>
internal sealed record WalletView(UInt128 AccountId, string HolderId, string Currency, string Tier, bool Elderly, long Balance, long Headroom, long BalanceLimit, long PerPaymentLimit, long DailyLimit, IReadOnlyList<EarmarkView> ConditionalFunds);

/// <summary>Conditional funds in a wallet.</summary>
internal sealed record EarmarkView(string GrantId, UInt128 AccountId, long Granted, long Balance, IReadOnlyList<string> Mccs, DateTimeOffset ExpiresAt, string Status);

/// <summary>Outcome of a wallet top-up.</summary>
internal sealed record TopUpResult(bool Completed, string? Reason, string? Detail, UInt128 TransferId);

/// <summary>One page of a holder's wallets; <see cref="NextAfter"/> is the cursor of the next page, if any.</summary>
internal sealed record WalletPage(IReadOnlyList<WalletView> Items, UInt128? NextAfter);

/// <summary>
/// Programmable wallets, one per holder and currency. The balance limit is enforced BY THE LEDGER: each
/// wallet has a headroom account (<c>debits_must_not_exceed_credits</c>) granted the tier's balance limit.
/// Every credit to the wallet is linked with a transfer of the same amount out of the headroom account,
/// every payment out of the wallet with one back in. Headroom = limit − balance can never go below zero,
/// so a credit that would lift the wallet above its limit fails its linked batch (<c>exceeds_credits</c>
/// on the headroom), whatever the concurrency. docs/payments.md "Wallets", decisions 0601, 0635, 0636.
/// </summary>
internal sealed class WalletBook(LedgerEngine ledger, IServiceScopeFactory scopes, TimeProvider time, WalletTiers tiers, IServiceProvider services)
{
    /// <summary>The currency of wallets opened without one (the e-CNY wallets).</summary>
    public static readonly Currency WalletCurrency = Currencies.Cny;

    public const int MaxPageSize = 100;

    public Task<WalletView> OpenAsync(string holderId, string tier, bool elderly, CancellationToken ct) => OpenAsync(holderId, tier, elderly, WalletCurrency, ct);

    /// <summary>Opens (or returns) the holder's wallet in a currency; idempotent by (holder, currency).</summary>
    public async Task<WalletView> OpenAsync(string holderId, string tier, bool elderly, Currency currency, CancellationToken ct)
    {
        Check.Id("holder_id", holderId);
        var limits = tiers.For(currency, tier);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var ledgerNo = (int)currency.Ledger;
        var row = await db.Set<WalletRow>().FirstOrDefaultAsync(w => w.HolderId == holderId && w.Ledger == ledgerNo, ct);
        if (row is null)
        {
            row = new WalletRow
            {
                HolderId = holderId, Ledger = ledgerNo, Tier = tier, Elderly = elderly, OpenedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
                PerPaymentLimit = limits.PerPayment, DailyLimit = limits.Daily, BalanceLimit = limits.Balance,
            };
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

        if (row.Tier != tier || row.Elderly != elderly) throw new PaymentsConflictException($"Holder {holderId} already has a {row.Tier} {currency.Code} wallet (elderly: {row.Elderly}).");
        if (row.AccountId.Length == 0)
        {
            row.AccountId = PaymentsChart.Party(PaymentAccountKind.Wallet, row.Id).ToString(CultureInfo.InvariantCulture);
            await db.SaveChangesAsync(ct);
        }

        await EnsureLedgerAsync(row, ct);
        return (await FindAsync(PaymentsChart.Party(PaymentAccountKind.Wallet, row.Id), ct))!;
    }

    /// <summary>
    /// The wallet's two ledger accounts and the headroom's opening grant. The grant has a fixed id, so it is
    /// posted at most once: when it exists already (a repeated open, perhaps after a tier change moved the
    /// limit) it is left alone; only an open interrupted before the grant posts it, with the opening limit.
    /// </summary>
    internal async Task EnsureLedgerAsync(WalletRow row, CancellationToken ct)
    {
        var c = CurrencyOf(row);
        await LedgerSetup.EnsureAccountsAsync(ledger, [
            PaymentsChart.PartyAccount(PaymentAccountKind.Wallet, row.Id, c),
            PaymentsChart.PartyAccount(PaymentAccountKind.WalletHeadroom, row.Id, c)], ct);
        var grantId = PaymentsChart.TransferId(PaymentTransferKind.Wallet, 2, row.Id);
        if ((await ledger.LookupTransfersAsync(new[] { grantId }, ct)).Length == 1) return;
        var grant = Pair(PaymentsChart.Bank(PaymentAccountKind.WalletLimits, c), PaymentsChart.Party(PaymentAccountKind.WalletHeadroom, row.Id),
            row.BalanceLimit, PaymentCodes.HeadroomGrant, grantId, false, row.Id, c);
        var result = (await ledger.CreateTransfersAsync(new[] { grant }, ct))[0];
        if (!LedgerSetup.Ok(result)) throw new InvalidOperationException($"The ledger refused the headroom of wallet {row.Id}: {result.Name()}.");
    }

    public async Task<WalletView?> FindAsync(UInt128 accountId, CancellationToken ct)
    {
        if (!PaymentsChart.IsWallet(accountId)) return null;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var text = accountId.ToString(CultureInfo.InvariantCulture);
        var row = await db.Set<WalletRow>().AsNoTracking().FirstOrDefaultAsync(w => w.AccountId == text, ct);
        return row is null ? null : await ViewAsync(db, row, ct);
    }

    /// <summary>A holder's wallets ordered by id, at most <paramref name="limit"/> (1..100) after the cursor.</summary>
    public async Task<WalletPage> ListByHolderAsync(string holderId, UInt128? after, int limit, CancellationToken ct)
    {
        Check.Id("holder_id", holderId);
        if (limit is < 1 or > MaxPageSize) throw new PaymentsInputException("limit", $"must be 1..{MaxPageSize}");
        if (after is { } a && !PaymentsChart.IsWallet(a)) throw new PaymentsInputException("after", "must be a wallet account id");
        var afterSequence = after is { } cursor ? PaymentsChart.SequenceOf(cursor) : 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        // One more than asked tells whether a next page exists without a count.
        var rows = await db.Set<WalletRow>().AsNoTracking().Where(w => w.HolderId == holderId && w.Id > afterSequence && w.AccountId != "")
            .OrderBy(w => w.Id).Take(limit + 1).ToListAsync(ct);
        var items = new List<WalletView>(Math.Min(rows.Count, limit));
        foreach (var row in rows.Take(limit)) items.Add(await ViewAsync(db, row, ct));
        return new WalletPage(items, rows.Count > limit ? items[^1].AccountId : null);
    }

    private async Task<WalletView> ViewAsync(DbContext db, WalletRow row, CancellationToken ct)
    {
        var accountId = PaymentsChart.Party(PaymentAccountKind.Wallet, row.Id);
        var earmarks = await db.Set<EarmarkRow>().AsNoTracking().Where(e => e.WalletId == row.Id).OrderBy(e => e.Id).Take(100).ToListAsync(ct);
        var ids = new List<UInt128> { accountId, PaymentsChart.Party(PaymentAccountKind.WalletHeadroom, row.Id) };
        ids.AddRange(earmarks.Select(e => PaymentsChart.Party(PaymentAccountKind.Earmark, e.Id)));
        var found = (await ledger.LookupAccountsAsync(ids.ToArray(), ct)).ToDictionary(a => a.Id);
        long Bal(UInt128 id) => found.TryGetValue(id, out var a) ? LedgerSetup.Posted(a) : 0;
        var funds = earmarks.Select(e => new EarmarkView(e.GrantId, PaymentsChart.Party(PaymentAccountKind.Earmark, e.Id), e.Amount, Bal(PaymentsChart.Party(PaymentAccountKind.Earmark, e.Id)),
            e.Mccs.Split(',', StringSplitOptions.RemoveEmptyEntries), DateTimeOffset.FromUnixTimeMilliseconds(e.ExpiresAtUnixMs), e.Status)).ToList();
        return new WalletView(accountId, row.HolderId, CurrencyOf(row).Code, row.Tier, row.Elderly, Bal(accountId), Bal(ids[1]), row.BalanceLimit, row.PerPaymentLimit, row.DailyLimit, funds);
    }

    /// <summary>Cash in from the bank's settlement account, linked with the headroom leg; idempotent by (initiator, top-up id).</summary>
    public async Task<TopUpResult> TopUpAsync(string initiator, UInt128 walletId, string topUpId, long amount, CancellationToken ct)
    {
        Check.Id("top_up_id", topUpId);
        // Only a sanity bound: whether it fits under the balance limit is the ledger's decision (headroom leg).
        if (amount <= 0 || amount > WalletLimits.MaxMinor) throw new PaymentsInputException("amount", $"must be 1..{WalletLimits.MaxMinor} minor units");
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

        if (row.Status == "pending") await PostTopUpAsync(db, row, CurrencyOf(wallet), CancellationToken.None);
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
        // The audit log is looked up only when a change was settled: a host without one (the payments benchmark's)
        // starts as long as there is nothing to settle, and fails loudly if there is.
        await WalletTierChanges.SettlePendingAsync(db, ledger, () => services.GetRequiredService<IAuditLog>(), ct);
    }

    private async Task PostTopUpAsync(DbContext db, WalletTopUpRow row, Currency c, CancellationToken ct)
    {
        var transfers = CreditPair(PaymentsChart.Settlement(c), row.WalletId, row.Amount, PaymentCodes.WalletTopUp, PaymentTransferKind.Wallet, row.Id, c);
        var results = await ledger.CreateTransfersAsync(transfers, ct);
        (row.Status, row.Reason) = results.All(LedgerSetup.Ok) ? ("completed", null) : ("rejected", CreditRefusal(results));
        await db.SaveChangesAsync(CancellationToken.None);
    }

    internal static Transfer[] CreditPair(UInt128 from, long walletId, long amount, ushort code, PaymentTransferKind kind, long sequence) =>
        CreditPair(from, walletId, amount, code, kind, sequence, WalletCurrency);

    /// <summary>A credit to a wallet: the money leg and, linked to it, the same amount out of the wallet's headroom.</summary>
    internal static Transfer[] CreditPair(UInt128 from, long walletId, long amount, ushort code, PaymentTransferKind kind, long sequence, Currency c) =>
    [
        Pair(from, PaymentsChart.Party(PaymentAccountKind.Wallet, walletId), amount, code, PaymentsChart.TransferId(kind, 0, sequence), true, walletId, c),
        Pair(PaymentsChart.Party(PaymentAccountKind.WalletHeadroom, walletId), PaymentsChart.Bank(PaymentAccountKind.WalletLimits, c), amount, PaymentCodes.HeadroomUsed, PaymentsChart.TransferId(kind, 1, sequence), false, walletId, c),
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

    internal static Transfer Pair(UInt128 debit, UInt128 credit, long amount, ushort code, UInt128 id, bool linked, long walletId, Currency c) => new()
    {
        Id = id, DebitAccountId = debit, CreditAccountId = credit, Amount = (UInt128)amount, Ledger = c.Ledger, Code = code,
        UserData64 = checked((ulong)walletId), Flags = linked ? TransferFlags.Linked : TransferFlags.None,
    };

    internal static Currency CurrencyOf(WalletRow row) =>
        Currencies.TryGetByLedger((uint)row.Ledger, out var c) ? c : throw new InvalidOperationException($"Wallet {row.Id} is on unknown ledger {row.Ledger}.");

    internal static async Task<WalletRow> WalletRowAsync(DbContext db, UInt128 walletId, CancellationToken ct)
    {
        var text = walletId.ToString(CultureInfo.InvariantCulture);
        return (PaymentsChart.IsWallet(walletId) ? await db.Set<WalletRow>().AsNoTracking().FirstOrDefaultAsync(w => w.AccountId == text, ct) : null)
            ?? throw new PaymentsNotFoundException($"No wallet {walletId}.");
    }
}
