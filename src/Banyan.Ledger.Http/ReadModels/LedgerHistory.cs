using Banyan.Ledger.Http.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Ledger.Http.ReadModels;

/// <summary><see cref="ILedgerHistory"/> over the projected tables (same query as the HTTP endpoint).</summary>
internal sealed class LedgerHistory(IServiceScopeFactory scopes, LedgerProjector projector) : ILedgerHistory
{
    public const int MaxLimit = 1_000;

    public ulong ProjectedSequence => projector.ProjectedSequence;

    public async ValueTask<LedgerHistoryPage> AccountTransfersAsync(UInt128 accountId, LedgerHistoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, MaxLimit);
        var projected = projector.ProjectedSequence;
        var account = Columns.Id(accountId);
        var min = (long)Math.Min(query.TimestampMin, long.MaxValue);
        var max = (long)Math.Min(query.TimestampMax, long.MaxValue);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var rows = db.Set<LedgerTransferRow>().AsNoTracking()
            .Where(t => (t.DebitAccountId == account || t.CreditAccountId == account) && t.Timestamp >= min && t.Timestamp <= max);
        if (query.After is { } after)
        {
            var cursor = (long)Math.Min(after, long.MaxValue);
            rows = query.Reversed ? rows.Where(t => t.Timestamp < cursor) : rows.Where(t => t.Timestamp > cursor);
        }

        rows = query.Reversed ? rows.OrderByDescending(t => t.Timestamp) : rows.OrderBy(t => t.Timestamp);
        var page = (await rows.Take(query.Limit).ToListAsync(cancellationToken)).Select(r => r.ToTransfer()).ToArray();
        return new LedgerHistoryPage(page, page.Length == query.Limit ? page[^1].Timestamp : null, projected);
    }
}
