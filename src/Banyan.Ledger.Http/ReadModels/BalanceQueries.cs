using Microsoft.EntityFrameworkCore;

namespace Banyan.Ledger.Http.ReadModels;

/// <summary>Balances reconstructed from the projected transfers and the stored history rows.</summary>
internal static class BalanceQueries
{
    /// <summary>
    /// The four balances after every projected transfer of <paramref name="account"/> with timestamp ≤ <paramref name="at"/>,
    /// replayed in timestamp order (a post or void always follows its pending transfer, which touched the same account),
    /// then the releases of pending transfers that expired by <paramref name="at"/>.
    /// </summary>
    public static async Task<Balances> AtAsync(DbContext db, UInt128 account, long at, CancellationToken cancellationToken)
    {
        var key = Columns.Id(account);
        var rows = db.Set<LedgerTransferRow>().AsNoTracking()
            .Where(t => (t.DebitAccountId == key || t.CreditAccountId == key) && t.Timestamp <= at)
            .OrderBy(t => t.Timestamp).AsAsyncEnumerable();
        var pendings = new Dictionary<UInt128, UInt128>();
        var balances = default(Balances);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            var t = row.ToTransfer();
            if ((t.Flags & TransferFlags.Pending) != 0) pendings[t.Id] = t.Amount;
            var resolves = (t.Flags & (TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer)) != 0;
            balances = balances.Apply(t, account, resolves ? pendings.GetValueOrDefault(t.PendingId) : UInt128.Zero);
        }
        // Releases last: the sum is order-independent and each release follows its pending's addition.
        var released = db.Set<LedgerExpirationRow>().AsNoTracking()
            .Where(e => (e.DebitAccountId == key || e.CreditAccountId == key) && e.Timestamp <= at).AsAsyncEnumerable();
        await foreach (var e in released.WithCancellation(cancellationToken))
            balances = balances.Release(e.DebitAccountId == key, Columns.ParseAmount(e.Amount));
        return balances;
    }

    public static async Task<List<(ulong Timestamp, Balances Balances)>> HistoryAsync(DbContext db, UInt128 account, int limit, long? after, CancellationToken cancellationToken)
    {
        var key = Columns.Id(account);
        var rows = db.Set<LedgerBalanceRow>().AsNoTracking().Where(r => r.AccountId == key);
        if (after is { } cursor) rows = rows.Where(r => r.Timestamp > cursor);
        var list = await rows.OrderBy(r => r.Timestamp).Take(limit).ToListAsync(cancellationToken);
        return list.Select(r => (checked((ulong)r.Timestamp), Balances.FromRow(r))).ToList();
    }
}
