namespace Banyan.Ledger.Http.Contracts;

/// <summary>
/// In-process access to the ledger's read models for other modules (open banking's transactions,
/// statements, the console): an account's transfers by timestamp, the same data and paging rules as
/// <c>GET /v1/ledger/accounts/{id}/transfers</c>. Live balances come from <see cref="LedgerEngine"/>.
/// </summary>
public interface ILedgerHistory
{
    /// <summary>The journal sequence the read models reflect.</summary>
    ulong ProjectedSequence { get; }

    /// <summary>One page of the account's transfers (debit or credit side), ordered by timestamp.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The limit is outside 1–1,000.</exception>
    ValueTask<LedgerHistoryPage> AccountTransfersAsync(UInt128 accountId, LedgerHistoryQuery query, CancellationToken cancellationToken);
}

/// <summary>Paging and filters of an account history read.</summary>
/// <param name="Limit">Page size, 1–1,000.</param>
/// <param name="After">Cursor: the <see cref="LedgerHistoryPage.NextAfter"/> of the previous page.</param>
/// <param name="TimestampMin">Earliest timestamp (inclusive, ledger nanoseconds).</param>
/// <param name="TimestampMax">Latest timestamp (inclusive).</param>
/// <param name="Reversed">Newest first.</param>
public sealed record LedgerHistoryQuery(int Limit = 100, ulong? After = null, ulong TimestampMin = 0, ulong TimestampMax = long.MaxValue, bool Reversed = false);

/// <summary>A page of transfers, the cursor for the next page (null when this page is not full) and the projected sequence.</summary>
public sealed record LedgerHistoryPage(IReadOnlyList<Transfer> Transfers, ulong? NextAfter, ulong ProjectedSequence);
