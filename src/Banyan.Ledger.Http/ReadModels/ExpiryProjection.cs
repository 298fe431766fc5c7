using Microsoft.EntityFrameworkCore;

namespace Banyan.Ledger.Http.ReadModels;

/// <summary>
/// What a pulse did: the engine expires, at the pulse's timestamp, every still-pending transfer whose
/// deadline (timestamp + timeout seconds) is at or before it (StateMachine.Pulse). A pending transfer
/// is still pending in the read model when no created post/void names it and it has not expired yet.
/// </summary>
internal static class ExpiryProjection
{
    private const long NanosPerSecond = 1_000_000_000;

    public static async Task AddAsync(DbContext db, LedgerEngine engine, ulong pulseTimestamp, CancellationToken cancellationToken)
    {
        var at = Columns.Timestamp(pulseTimestamp);
        var pendingFlag = (int)TransferFlags.Pending;
        // Timestamp + timeout·1e9 < 2^61 + 2^62: cannot overflow a signed 64-bit column.
        var expired = await db.Set<LedgerTransferRow>().AsNoTracking()
            .Where(p => (p.Flags & pendingFlag) != 0 && p.Timeout > 0 && p.Timestamp + p.Timeout * NanosPerSecond <= at)
            .Where(p => !db.Set<LedgerTransferRow>().Any(r => r.PendingId == p.Id))
            .Where(p => !db.Set<LedgerExpirationRow>().Any(e => e.PendingId == p.Id))
            .OrderBy(p => p.Timestamp)
            .ToListAsync(cancellationToken);
        if (expired.Count == 0) return;
        foreach (var p in expired)
            db.Add(new LedgerExpirationRow { PendingId = p.Id, DebitAccountId = p.DebitAccountId, CreditAccountId = p.CreditAccountId, Amount = p.Amount, Timestamp = at });
        var touched = expired.SelectMany(p => new[] { Columns.ParseId(p.DebitAccountId), Columns.ParseId(p.CreditAccountId) });
        var history = await HistoryProjection.HistoryAccountsAsync(engine, touched, cancellationToken);
        // One history row per account per pulse (the key is account + timestamp), after all its releases.
        foreach (var account in history)
        {
            var key = Columns.Id(account);
            var balances = await HistoryProjection.LatestAsync(db, account, cancellationToken);
            foreach (var p in expired.Where(p => p.DebitAccountId == key || p.CreditAccountId == key))
                balances = balances.Release(p.DebitAccountId == key, Columns.ParseAmount(p.Amount));
            db.Add(balances.ToRow(account, pulseTimestamp));
        }
    }
}
