using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Wallets;

/// <summary>One payee of a pension run.</summary>
internal sealed record PensionPayee(UInt128 WalletId, long Amount);

/// <summary>A payee the ledger (or the module) refused, and why.</summary>
internal sealed record PensionRefusal(int Index, UInt128 WalletId, string Reason);

/// <summary>What a pension run did.</summary>
internal sealed record PensionRunResult(string RunId, int Payees, int Paid, int Refused, long TotalPaid, IReadOnlyList<PensionRefusal> Refusals);

/// <summary>
/// Government programmes paid into wallets from the bank's programmes account: conditional funds
/// (an earmarked sub-account usable only at some merchant categories and until a date, after which the
/// remainder goes back) and pension runs in bulk (chunks of up to 4,000 payees per ledger request; each
/// payee's money and headroom legs are linked, so a wallet at its limit is refused alone).
/// </summary>
internal sealed class WalletProgrammes(LedgerEngine ledger, IServiceScopeFactory scopes, TimeProvider time, HolderLocks locks, WalletBook wallets)
{
    public const int MaxPayees = 100_000;
    public const int ChunkPayees = 4_000;
    private const int IndexBits = 20;

    public async Task<EarmarkView> GrantAsync(UInt128 walletId, string grantId, long amount, IReadOnlyList<string> mccs, DateTimeOffset expiresAt, CancellationToken ct)
    {
        Check.Id("grant_id", grantId);
        if (mccs.Count > 20) throw new PaymentsInputException("mccs", "at most 20 categories");
        foreach (var mcc in mccs) Check.Mcc("mccs", mcc);
        if (expiresAt <= time.GetUtcNow()) throw new PaymentsInputException("expires_at", "must be in the future");
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var wallet = await WalletBook.WalletRowAsync(db, walletId, ct);
        var c = WalletBook.CurrencyOf(wallet);
        var max = checked(100_000 * c.MinorPerMajor);
        if (amount <= 0 || amount > max) throw new PaymentsInputException("amount", $"must be 1..{max} minor units");
        var row = await db.Set<EarmarkRow>().FirstOrDefaultAsync(e => e.GrantId == grantId, ct);
        var mccText = string.Join(',', mccs.Order(StringComparer.Ordinal));
        if (row is null)
        {
            row = new EarmarkRow { GrantId = grantId, WalletId = wallet.Id, Ledger = wallet.Ledger, Mccs = mccText, ExpiresAtUnixMs = expiresAt.ToUnixTimeMilliseconds(), Amount = amount, Status = "granting" };
            db.Add(row);
            await db.SaveChangesAsync(ct);
        }
        else if (row.WalletId != wallet.Id || row.Amount != amount || row.Mccs != mccText)
        {
            throw new PaymentsConflictException($"grant_id '{grantId}' was used for another grant.");
        }

        await LedgerSetup.EnsureAccountsAsync(ledger, [PaymentsChart.PartyAccount(PaymentAccountKind.Earmark, row.Id, c)], ct);
        var grant = WalletBook.Pair(PaymentsChart.Bank(PaymentAccountKind.Programmes, c), PaymentsChart.Party(PaymentAccountKind.Earmark, row.Id), amount,
            PaymentCodes.ConditionalGrant, PaymentsChart.TransferId(PaymentTransferKind.Wallet, 4, row.Id), false, wallet.Id, c);
        var result = (await ledger.CreateTransfersAsync(new[] { grant }, ct))[0];
        if (!LedgerSetup.Ok(result)) throw new InvalidOperationException($"The ledger refused conditional funds {grantId}: {result.Name()}.");
        if (row.Status == "granting")
        {
            row.Status = "active";
            await db.SaveChangesAsync(CancellationToken.None);
        }

        var view = await wallets.FindAsync(walletId, ct);
        return view!.ConditionalFunds.First(f => f.GrantId == grantId);
    }

    /// <summary>
    /// Returns what is left of the wallet's expired conditional funds to the programmes account
    /// (a balancing transfer takes exactly the remainder), under the holder's lock so no tap is mid-way.
    /// </summary>
    public async Task<long> ExpireAsync(UInt128 walletId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var wallet = await WalletBook.WalletRowAsync(db, walletId, ct);
        var gate = locks.Holder(wallet.HolderId);
        await gate.WaitAsync(ct);
        try
        {
            var at = time.GetUtcNow().ToUnixTimeMilliseconds();
            var due = await db.Set<EarmarkRow>().Where(e => e.WalletId == wallet.Id && e.Status == "active" && e.ExpiresAtUnixMs <= at).Take(100).ToListAsync(ct);
            var c = WalletBook.CurrencyOf(wallet);
            var transfers = due.Select(e => new Transfer
            {
                Id = PaymentsChart.TransferId(PaymentTransferKind.Wallet, 5, e.Id),
                DebitAccountId = PaymentsChart.Party(PaymentAccountKind.Earmark, e.Id),
                CreditAccountId = PaymentsChart.Bank(PaymentAccountKind.Programmes, c),
                Amount = (UInt128)e.Amount, // at most what was granted; the balancing flag clamps it to what is left
                Ledger = c.Ledger, Code = PaymentCodes.ConditionalExpiry, UserData64 = checked((ulong)wallet.Id), Flags = TransferFlags.BalancingDebit,
            }).ToArray();
            var results = transfers.Length == 0 ? [] : await ledger.CreateTransfersAsync(transfers, CancellationToken.None);
            if (results.Any(r => !LedgerSetup.Ok(r))) throw new InvalidOperationException("The ledger refused an expiry: " + results.First(r => !LedgerSetup.Ok(r)).Name());
            var moved = transfers.Length == 0 ? [] : await ledger.LookupTransfersAsync(transfers.Select(t => t.Id).ToArray(), ct);
            foreach (var e in due) e.Status = "expired";
            await db.SaveChangesAsync(CancellationToken.None);
            return moved.Sum(t => checked((long)t.Amount));
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Pays a pension run; repeating a run id repeats nothing already paid (deterministic transfer ids).</summary>
    public async Task<PensionRunResult> PayPensionsAsync(string runId, IReadOnlyList<PensionPayee> payees, CancellationToken ct)
    {
        Check.Id("run_id", runId);
        if (payees.Count is 0 or > MaxPayees) throw new PaymentsInputException("payments", $"must hold 1..{MaxPayees} payees");
        var max = checked(100_000 * WalletBook.WalletCurrency.MinorPerMajor);
        var bad = payees.Select((p, i) => (p, i)).FirstOrDefault(x => x.p.Amount <= 0 || x.p.Amount > max);
        if (bad.p is not null) throw new PaymentsInputException($"payments[{bad.i}].amount", $"must be 1..{max} minor units");
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var total = payees.Sum(p => p.Amount);
        var run = await db.Set<PensionRunRow>().FirstOrDefaultAsync(r => r.RunId == runId, ct);
        if (run is not null && (run.Payees != payees.Count || run.Total != total)) throw new PaymentsConflictException($"run_id '{runId}' was used for another run.");
        if (run is null)
        {
            run = new PensionRunRow { RunId = runId, Ledger = (int)WalletBook.WalletCurrency.Ledger, Payees = payees.Count, Total = total, Status = "running", CreatedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds() };
            db.Add(run);
            await db.SaveChangesAsync(ct);
        }

        var refusals = new List<PensionRefusal>();
        long paid = 0;
        for (var start = 0; start < payees.Count; start += ChunkPayees)
        {
            var chunk = payees.Skip(start).Take(ChunkPayees).ToList();
            paid = checked(paid + await PayChunkAsync(db, run.Id, start, chunk, refusals, ct));
        }

        (run.Paid, run.Refused, run.Status) = (payees.Count - refusals.Count, refusals.Count, "completed");
        await db.SaveChangesAsync(CancellationToken.None);
        return new PensionRunResult(runId, payees.Count, run.Paid, run.Refused, paid, refusals.Take(100).ToList());
    }

    private async Task<long> PayChunkAsync(DbContext db, long runId, int start, List<PensionPayee> chunk, List<PensionRefusal> refusals, CancellationToken ct)
    {
        var texts = chunk.Select(p => p.WalletId.ToString(CultureInfo.InvariantCulture)).Distinct().ToList();
        var wallets = await db.Set<WalletRow>().AsNoTracking().Where(w => texts.Contains(w.AccountId)).ToDictionaryAsync(w => w.AccountId, ct);
        var transfers = new List<Transfer>(chunk.Count * 2);
        var posted = new List<int>(chunk.Count);
        for (var i = 0; i < chunk.Count; i++)
        {
            var index = start + i;
            if (!wallets.TryGetValue(chunk[i].WalletId.ToString(CultureInfo.InvariantCulture), out var w))
            {
                refusals.Add(new PensionRefusal(index, chunk[i].WalletId, "wallet_not_found"));
                continue;
            }

            if (w.Ledger != (int)WalletBook.WalletCurrency.Ledger)
            {
                // Pensions are paid in CNY from the CNY programmes account; a wallet in another currency cannot take them.
                refusals.Add(new PensionRefusal(index, chunk[i].WalletId, "currency_mismatch"));
                continue;
            }

            var sequence = checked((runId << IndexBits) | (long)index);
            transfers.AddRange(WalletBook.CreditPair(PaymentsChart.Bank(PaymentAccountKind.Programmes, WalletBook.WalletCurrency), w.Id, chunk[i].Amount, PaymentCodes.Pension, PaymentTransferKind.Pension, sequence));
            posted.Add(i);
        }

        var results = transfers.Count == 0 ? [] : await ledger.CreateTransfersAsync(transfers.ToArray(), CancellationToken.None);
        long paid = 0;
        for (var k = 0; k < posted.Count; k++)
        {
            var pair = results.AsSpan(k * 2, 2);
            // A repeated run finds the pair already posted: the ledger answers exists for the first leg and
            // fails the rest of the chain (an existing event ends a linked chain), which is still "paid".
            if ((pair[0] == CreateTransferResult.Created && pair[1] == CreateTransferResult.Created) || pair[0] == CreateTransferResult.Exists) paid = checked(paid + chunk[posted[k]].Amount);
            else refusals.Add(new PensionRefusal(start + posted[k], chunk[posted[k]].WalletId, WalletBook.CreditRefusal(pair)));
        }

        return paid;
    }
}
