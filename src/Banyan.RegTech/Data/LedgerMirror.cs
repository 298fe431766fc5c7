using Banyan.Ledger;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.RegTech.Data;

/// <summary>
/// RegTech's own point-in-time view of the ledger, built from the public journal stream
/// (<see cref="LedgerEngine.SubscribeAsync"/>) — never from the ledger module's tables. The stream carries
/// the events as submitted, so each record's ids are looked up in the engine: an event created something
/// when the stored object carries exactly the event's timestamp. Per account it keeps cumulative posted
/// debits/credits after each transfer (timestamps only grow), so a balance at any cut-off is one binary
/// search. Rebuilt from the journal at every start (memory grows with transfers: see docs/regtech.md).
/// </summary>
internal sealed class LedgerMirror(LedgerEngine engine, ILogger<LedgerMirror> log) : BackgroundService, IBankData
{
    /// <summary>Transfers at or above this amount are kept individually (large-value report counts).</summary>
    public const long KeepTransfersFrom = 5_000_00;
    private const int LookupChunk = LedgerEngine.MaxBatchEvents;

    private readonly Lock _gate = new();
    private readonly Dictionary<UInt128, MirrorAccount> _accounts = [];
    private readonly List<TransferFact> _large = [];
    private ulong _sequence;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ulong Sequence
    {
        get
        {
            lock (_gate) return _sequence;
        }
    }

    /// <summary>Waits until every record up to the engine's current durable head has been applied.</summary>
    public async Task CaughtUpAsync(CancellationToken cancellationToken)
    {
        var target = engine.JournalHead.Sequence;
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_sequence >= target) return;
                wait = _progress.Task;
            }
            await wait.WaitAsync(cancellationToken);
        }
    }

    public ValueTask<IReadOnlyList<AccountBalance>> BalancesAsync(ulong cutoff, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var list = new List<AccountBalance>(_accounts.Count);
            foreach (var a in _accounts.Values)
            {
                if (a.Created > cutoff) continue;
                var (debits, credits) = a.At(cutoff);
                list.Add(new AccountBalance(a.Id, a.Ledger, a.Code, a.Counterparty, debits, credits));
            }
            list.Sort((x, y) => x.Id.CompareTo(y.Id));
            return ValueTask.FromResult<IReadOnlyList<AccountBalance>>(list);
        }
    }

    public ValueTask<IReadOnlyList<TransferFact>> TransfersAsync(ulong after, ulong upTo, UInt128 minAmount, CancellationToken cancellationToken)
    {
        if (minAmount < KeepTransfersFrom) throw new ArgumentOutOfRangeException(nameof(minAmount), minAmount, $"the mirror keeps transfers from {KeepTransfersFrom} minor units only");
        lock (_gate)
        {
            IReadOnlyList<TransferFact> result = _large.Where(t => t.Timestamp > after && t.Timestamp <= upTo && t.Amount >= minAmount).ToList();
            return ValueTask.FromResult(result);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var commit in engine.SubscribeAsync(1, stoppingToken))
            {
                if (commit.Kind == LedgerCommitKind.CreateAccounts) await ApplyAccountsAsync(commit, stoppingToken);
                else if (commit.Kind == LedgerCommitKind.CreateTransfers) await ApplyTransfersAsync(commit, stoppingToken);
                Advance(commit.Sequence);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
            // The engine was disposed during host shutdown; the stream simply ends.
        }
        catch (LedgerFaultedException e)
        {
            log.LogError(e, "RegTech ledger mirror stopped: the ledger faulted");
        }
    }

    private void Advance(ulong sequence)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            if (sequence <= _sequence) return;
            _sequence = sequence;
            done = _progress;
            _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.TrySetResult();
    }

    private async Task ApplyAccountsAsync(LedgerCommit commit, CancellationToken cancellationToken)
    {
        foreach (var request in commit.Requests)
        {
            var found = await LookupAsync(request.Accounts.Select(a => a.Id).ToArray(), engine.LookupAccountsAsync, a => a.Id, cancellationToken);
            lock (_gate)
            {
                for (var i = 0; i < request.Accounts.Count; i++)
                {
                    if (!found.TryGetValue(request.Accounts[i].Id, out var stored) || stored.Timestamp != request.EventTimestamp(i)) continue;
                    _accounts.TryAdd(stored.Id, new MirrorAccount(stored.Id, stored.Ledger, stored.Code, stored.UserData128, stored.Timestamp));
                }
            }
        }
    }

    private async Task ApplyTransfersAsync(LedgerCommit commit, CancellationToken cancellationToken)
    {
        foreach (var request in commit.Requests)
        {
            var found = await LookupAsync(request.Transfers.Select(t => t.Id).ToArray(), engine.LookupTransfersAsync, t => t.Id, cancellationToken);
            lock (_gate)
            {
                for (var i = 0; i < request.Transfers.Count; i++)
                {
                    if (!found.TryGetValue(request.Transfers[i].Id, out var t) || t.Timestamp != request.EventTimestamp(i)) continue;
                    // Pending transfers and voids post nothing; a post carries the posted amount and the accounts.
                    if ((t.Flags & (TransferFlags.Pending | TransferFlags.VoidPendingTransfer)) != 0 || t.Amount == 0) continue;
                    if (!_accounts.TryGetValue(t.DebitAccountId, out var debit) || !_accounts.TryGetValue(t.CreditAccountId, out var credit)) continue;
                    debit.Add(t.Timestamp, t.Amount, 0);
                    credit.Add(t.Timestamp, 0, t.Amount);
                    if (t.Amount >= KeepTransfersFrom) _large.Add(new TransferFact(t.Id, t.Ledger, t.Code, t.Amount, t.Timestamp));
                }
            }
        }
    }

    private static async Task<Dictionary<UInt128, T>> LookupAsync<T>(UInt128[] ids, Func<ReadOnlyMemory<UInt128>, CancellationToken, ValueTask<T[]>> lookup, Func<T, UInt128> idOf, CancellationToken cancellationToken)
    {
        var result = new Dictionary<UInt128, T>(ids.Length);
        for (var start = 0; start < ids.Length; start += LookupChunk)
        {
            var chunk = ids.AsMemory(start, Math.Min(LookupChunk, ids.Length - start));
            foreach (var item in await lookup(chunk, cancellationToken)) result[idOf(item)] = item;
        }
        return result;
    }

    private sealed class MirrorAccount(UInt128 id, uint ledger, ushort code, UInt128 counterparty, ulong created)
    {
        private readonly List<ulong> _timestamps = [];
        private readonly List<UInt128> _debits = [];
        private readonly List<UInt128> _credits = [];

        public UInt128 Id => id;
        public uint Ledger => ledger;
        public ushort Code => code;
        public UInt128 Counterparty => counterparty;
        public ulong Created => created;

        public void Add(ulong timestamp, UInt128 debit, UInt128 credit)
        {
            var n = _timestamps.Count;
            _timestamps.Add(timestamp);
            _debits.Add(n == 0 ? debit : checked(_debits[n - 1] + debit));
            _credits.Add(n == 0 ? credit : checked(_credits[n - 1] + credit));
        }

        /// <summary>Cumulative posted debits and credits over transfers with timestamp ≤ <paramref name="cutoff"/>.</summary>
        public (UInt128 Debits, UInt128 Credits) At(ulong cutoff)
        {
            var index = _timestamps.BinarySearch(cutoff);
            var last = index >= 0 ? index : ~index - 1;
            return last < 0 ? (0, 0) : (_debits[last], _credits[last]);
        }
    }
}
