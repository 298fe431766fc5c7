using Microsoft.EntityFrameworkCore;

namespace Banyan.Ledger.Http.ReadModels;

/// <summary>
/// Balance history for accounts with the <c>history</c> flag: after each created transfer touching
/// one, a row with its four balances, continued from the account's previous row.
/// </summary>
internal static class HistoryProjection
{
    public static async Task AddRowsAsync(DbContext db, LedgerEngine engine, List<Transfer> transfers, CancellationToken cancellationToken)
    {
        if (transfers.Count == 0) return;
        var history = await HistoryAccountsAsync(engine, transfers.SelectMany(t => new[] { t.DebitAccountId, t.CreditAccountId }), cancellationToken);
        if (history.Count == 0) return;
        var resolving = transfers.Where(t => (t.Flags & (TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer)) != 0).Select(t => t.PendingId);
        var pendings = await CommitProjection.LookupTransfersAsync(engine, resolving, cancellationToken);
        var current = new Dictionary<UInt128, Balances>();
        foreach (var id in history) current[id] = await LatestAsync(db, id, cancellationToken);
        foreach (var t in transfers)
        {
            var pendingAmount = pendings.TryGetValue(t.PendingId, out var p) ? p.Amount : UInt128.Zero;
            foreach (var account in new[] { t.DebitAccountId, t.CreditAccountId })
            {
                if (!history.Contains(account)) continue;
                current[account] = current[account].Apply(t, account, pendingAmount);
                db.Add(current[account].ToRow(account, t.Timestamp));
            }
        }
    }

    internal static async Task<HashSet<UInt128>> HistoryAccountsAsync(LedgerEngine engine, IEnumerable<UInt128> accounts, CancellationToken cancellationToken)
    {
        var history = new HashSet<UInt128>();
        foreach (var chunk in accounts.Distinct().Chunk(4096))
            foreach (var a in await engine.LookupAccountsAsync(chunk, cancellationToken))
                if ((a.Flags & AccountFlags.History) != 0) history.Add(a.Id);
        return history;
    }

    internal static async Task<Balances> LatestAsync(DbContext db, UInt128 account, CancellationToken cancellationToken)
    {
        var key = Columns.Id(account);
        var row = await db.Set<LedgerBalanceRow>().AsNoTracking().Where(r => r.AccountId == key)
            .OrderByDescending(r => r.Timestamp).FirstOrDefaultAsync(cancellationToken);
        return row is null ? default : Balances.FromRow(row);
    }
}
