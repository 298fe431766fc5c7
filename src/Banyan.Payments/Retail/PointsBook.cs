using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Retail;

/// <summary>A holder's points in one programme: the ledger balance (liability) and what is usable now (unexpired lots).</summary>
internal sealed record PointsBalance(string HolderId, long ProgrammeId, string Programme, UInt128 AccountId, long LedgerBalance, long Usable, DateTimeOffset? NextExpiry);

/// <summary>
/// Points accounts (one ledger account per holder and programme; its balance is the bank's points liability
/// to the holder) and lots (what each payment earned, when it expires). Expiry moves what is left of
/// expired lots back to marketing ("breakage").
/// </summary>
internal sealed class PointsBook(LedgerEngine ledger, IServiceScopeFactory scopes, TimeProvider time, HolderLocks locks, WriteGate writes, TapCommitter taps)
{
    /// <summary>Bound of <see cref="_known"/>; beyond it the cache starts over (the next taps read the database and ledger again).</summary>
    private const int MaxKnownAccounts = 1_000_000;

    /// <summary>
    /// Points accounts that exist in BOTH the database (with their ledger id set) and the ledger, by (holder,
    /// programme). Only this class writes <see cref="PointsAccountRow"/>s and never changes or removes one once
    /// complete, and ledger accounts are never removed, so an entry cannot go stale; after a restart the cache
    /// simply refills from the database. Saves a query (and, before the first check, a ledger lookup that waits
    /// for the ledger's next durable flush) on every earning tap. Rows are shared read-only (never attached).
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string HolderId, long ProgrammeId), PointsAccountRow> _known = new();

    public async Task<PointsAccountRow> EnsureAccountAsync(DbContext db, string holderId, ProgrammeRow programme, CancellationToken ct)
    {
        if (_known.TryGetValue((holderId, programme.Id), out var known)) return known;
        var row = await db.Set<PointsAccountRow>().AsNoTracking().FirstOrDefaultAsync(a => a.HolderId == holderId && a.ProgrammeId == programme.Id, ct);
        if (row is null)
        {
            // Only ever called under the holder's lock, so no second writer races this insert. Through the write
            // gate like every other write: on SQLite an ungated writer polls (sleeps) for the lock, which gave
            // each customer's first tap a multi-second tail in `banyan bench payments`.
            using var gate = await writes.EnterAsync(ct);
            row = new PointsAccountRow { HolderId = holderId, ProgrammeId = programme.Id };
            db.Add(row);
            await db.SaveChangesAsync(ct);
            row.AccountId = PaymentsChart.Party(PaymentAccountKind.Points, row.Id).ToString(CultureInfo.InvariantCulture);
            await db.SaveChangesAsync(ct);
            db.Entry(row).State = EntityState.Detached; // shared through the cache below: never tracked by a context
        }

        var id = PaymentsChart.Party(PaymentAccountKind.Points, row.Id);
        if ((await ledger.LookupAccountsAsync(new[] { id }, ct)).Length == 0)
        {
            // A lookup is a read; creating an account that exists would still be a journaled (fsynced) write.
            var currency = Currencies.TryGetByLedger((uint)programme.Ledger, out var c) ? c : throw new InvalidOperationException("Unknown programme currency.");
            await LedgerSetup.EnsureAccountsAsync(ledger, [PaymentsChart.PartyAccount(PaymentAccountKind.Points, row.Id, currency)], ct);
        }

        if (_known.Count >= MaxKnownAccounts) _known.Clear();
        return _known.GetOrAdd((holderId, programme.Id), row);
    }

    public async Task<IReadOnlyList<PointsBalance>> BalancesAsync(string holderId, CancellationToken ct)
    {
        Check.Id("holder_id", holderId);
        await taps.SettledAsync(holderId); // points a just-acknowledged tap earned are shown (decision 0630)
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var accounts = await db.Set<PointsAccountRow>().AsNoTracking().Where(a => a.HolderId == holderId).OrderBy(a => a.Id).Take(100).ToListAsync(ct);
        var ids = accounts.Select(a => a.Id).ToList();
        var programmes = await db.Set<ProgrammeRow>().AsNoTracking().ToDictionaryAsync(p => p.Id, ct);
        var at = time.GetUtcNow().ToUnixTimeMilliseconds();
        var lots = await db.Set<PointsLotRow>().AsNoTracking().Where(l => ids.Contains(l.PointsAccountId) && l.Status == "active" && l.Remaining > 0 && l.ExpiresAtUnixMs > at).ToListAsync(ct);
        var ledgerIds = accounts.Select(a => PaymentsChart.Party(PaymentAccountKind.Points, a.Id)).ToArray();
        var found = (await ledger.LookupAccountsAsync(ledgerIds, ct)).ToDictionary(a => a.Id);
        return accounts.Select((a, i) =>
        {
            var mine = lots.Where(l => l.PointsAccountId == a.Id).ToList();
            var balance = found.TryGetValue(ledgerIds[i], out var acc) ? LedgerSetup.Posted(acc) : 0;
            DateTimeOffset? next = mine.Count == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(mine.Min(l => l.ExpiresAtUnixMs));
            return new PointsBalance(holderId, a.ProgrammeId, programmes.TryGetValue(a.ProgrammeId, out var p) ? p.Name : "", ledgerIds[i], balance, mine.Sum(l => l.Remaining), next);
        }).ToList();
    }

    /// <summary>Moves what is left of the holder's expired lots back to marketing, one deterministic transfer per lot.</summary>
    public async Task<long> ExpireAsync(string holderId, CancellationToken ct)
    {
        Check.Id("holder_id", holderId);
        var gate = locks.Holder(holderId);
        await gate.WaitAsync(ct);
        try
        {
            await taps.SettledAsync(holderId);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            var at = time.GetUtcNow().ToUnixTimeMilliseconds();
            var accounts = await db.Set<PointsAccountRow>().AsNoTracking().Where(a => a.HolderId == holderId).ToDictionaryAsync(a => a.Id, ct);
            var ids = accounts.Keys.ToList();
            var lots = await db.Set<PointsLotRow>().Where(l => ids.Contains(l.PointsAccountId) && l.Status == "active" && l.ExpiresAtUnixMs <= at).Take(1_000).ToListAsync(ct);
            var programmes = await db.Set<ProgrammeRow>().AsNoTracking().ToDictionaryAsync(p => p.Id, ct);
            var transfers = lots.Where(l => l.Remaining > 0).Select(l => new Transfer
            {
                Id = PaymentsChart.TransferId(PaymentTransferKind.Setup, 1, l.Id),
                DebitAccountId = PaymentsChart.Party(PaymentAccountKind.Points, l.PointsAccountId),
                CreditAccountId = PaymentsChart.Bank(PaymentAccountKind.Marketing, Currencies.TryGetByLedger((uint)programmes[accounts[l.PointsAccountId].ProgrammeId].Ledger, out var c) ? c : default),
                Amount = (UInt128)l.Remaining,
                Ledger = (uint)programmes[accounts[l.PointsAccountId].ProgrammeId].Ledger,
                Code = PaymentCodes.PointsExpired,
                UserData64 = checked((ulong)l.Id),
            }).ToArray();
            var results = transfers.Length == 0 ? [] : await LedgerSetup.PostAsync(ledger, transfers, ct);
            if (results.Any(r => !LedgerSetup.Ok(r))) throw new InvalidOperationException("The ledger refused a points expiry: " + results.First(r => !LedgerSetup.Ok(r)).Name());
            var expired = lots.Sum(l => l.Remaining);
            foreach (var lot in lots) (lot.Status, lot.Remaining) = ("expired", 0);
            await db.SaveChangesAsync(CancellationToken.None);
            return expired;
        }
        finally
        {
            gate.Release();
        }
    }
}
