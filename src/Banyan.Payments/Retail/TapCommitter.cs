using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Banyan.Payments.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Retail;

/// <summary>
/// Group commit for tap to pay. Concurrent taps hand their database writes to ONE consumer, which takes
/// every write that is ready (up to <see cref="MaxGroup"/>) and commits them in ONE transaction: the
/// <c>pending</c> writes of new taps (tap row, coupon redemption, points taken and to be earned) and the
/// outcome marks (<c>completed</c> / <c>rejected</c>) of taps the ledger has answered. So a burst of N taps
/// costs a few durable SQLite commits instead of 2·N, and the consumer is the only tap writer (no
/// busy-polling on SQLite). Each tap's writes run under a savepoint: one that fails (a duplicate
/// <c>payment_id</c> racing in) is rolled back alone and the rest of the group commits.
/// A caller is answered only after the transaction holding its write has committed (durably; see
/// docs/decisions/0630-tap-group-commit.md for why the pending write must be durable before posting).
/// </summary>
internal sealed class TapCommitter : IAsyncDisposable
{
    /// <summary>Most writes in one transaction: bounds the transaction's time and the memory it holds.</summary>
    internal const int MaxGroup = 256;

    private readonly Channel<TapWrite> _queue = Channel.CreateBounded<TapWrite>(new BoundedChannelOptions(4_096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly IServiceScopeFactory _scopes;
    private readonly WriteGate _writes;
    private readonly Task _consumer;
    private long _groups;
    private long _writesCommitted;
    private long _uncommitted;
    private long _deferredFailures;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> _deferredByHolder = new(StringComparer.Ordinal);

    public TapCommitter(IServiceScopeFactory scopes, WriteGate writes)
    {
        (_scopes, _writes) = (scopes, writes);
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <summary>Transactions committed so far (for tests and the benchmark's figures).</summary>
    public long Groups => Interlocked.Read(ref _groups);

    /// <summary>Writes handed in and not yet committed or failed (for tests that line a group up).</summary>
    public long Uncommitted => Interlocked.Read(ref _uncommitted);

    /// <summary>Tap writes committed so far.</summary>
    public long WritesCommitted => Interlocked.Read(ref _writesCommitted);

    /// <summary>Writes the tap <c>pending</c> with its coupon and points state; completes with the tap's id once durable.</summary>
    /// <exception cref="PaymentsConflictException">Another tap with the same (initiator, payment_id) was written first.</exception>
    public async Task<long> WritePendingAsync(PendingTap tap, CancellationToken ct)
    {
        var write = new TapWrite(tap, null);
        Interlocked.Increment(ref _uncommitted);
        try
        {
            await _queue.Writer.WriteAsync(write, ct);
        }
        catch
        {
            Interlocked.Decrement(ref _uncommitted);
            throw;
        }

        await write.Done.Task.ConfigureAwait(false);
        return tap.Row.Id;
    }

    /// <summary>Records the ledger's answer for a tap (completed, or rejected with its state given back); completes once durable.</summary>
    public async Task WriteOutcomeAsync(TapOutcome outcome)
    {
        var write = new TapWrite(null, outcome);
        Interlocked.Increment(ref _uncommitted);
        // The ledger has decided: record it even if the caller has gone.
        await _queue.Writer.WriteAsync(write, CancellationToken.None);
        await write.Done.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Queues the <c>completed</c> mark of a tap whose batch the ledger has durably accepted, without waiting
    /// for it: the next group writes it. Safe because the pending state already counts (coupon uses, points
    /// taken, daily totals) and the ledger is the truth: if the process dies first, start-up settlement finds
    /// the batch and completes the tap (docs/decisions/0630-tap-group-commit.md).
    /// </summary>
    public void CompleteLater(long tapId, string holderId)
    {
        var write = new TapWrite(null, new TapOutcome(tapId, null, null, "")) { Deferred = true };
        Interlocked.Increment(ref _uncommitted);
        // Read-your-writes for the holder: their next tap and their points balance wait for this mark
        // (it is normally committed long before), so points just earned are usable at once.
        var done = write.Done.Task;
        _deferredByHolder[holderId] = done;
        _ = done.ContinueWith(_ => _deferredByHolder.TryRemove(new KeyValuePair<string, Task>(holderId, done)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (_queue.Writer.TryWrite(write)) return;
        // Queue full or closing: write it in the background; a failure leaves the tap pending for settlement.
        _ = Task.Run(async () =>
        {
            try
            {
                await _queue.Writer.WriteAsync(write, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                Interlocked.Decrement(ref _uncommitted);
                write.Done.TrySetResult(); // Shutting down: start-up settlement completes the tap.
            }
        });
    }

    /// <summary>Completes when the holder's last deferred completion mark is written (at once if there is none).</summary>
    public Task SettledAsync(string holderId) => _deferredByHolder.TryGetValue(holderId, out var t) ? t : Task.CompletedTask;

    /// <summary>Deferred completion marks whose group failed (the taps stay <c>pending</c> until start-up settlement or a retry settles them).</summary>
    public long DeferredFailures => Interlocked.Read(ref _deferredFailures);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _consumer.ConfigureAwait(false);
    }

    private async Task ConsumeAsync()
    {
        var group = new List<TapWrite>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out var w)) group.Add(w);
            try
            {
                await CommitAsync(group).ConfigureAwait(false);
                Interlocked.Increment(ref _groups);
                Interlocked.Add(ref _writesCommitted, group.Count);
                foreach (var w in group) w.Succeed();
            }
#pragma warning disable CA1031 // The consumer must outlive any one group's failure: each caller gets the error.
            catch (Exception e)
#pragma warning restore CA1031
            {
                foreach (var w in group) w.Fail(e);
                Interlocked.Add(ref _deferredFailures, group.Count(w => w.Deferred));
            }

            Interlocked.Add(ref _uncommitted, -group.Count);
            group.Clear();
        }
    }

    private async Task CommitAsync(List<TapWrite> group)
    {
        using var gate = await _writes.EnterAsync(CancellationToken.None).ConfigureAwait(false);
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
        var completed = new List<long>(group.Count);
        var pending = group.Where(w => w.Pending is not null).ToList();
        if (pending.Count > 0 && !await AllPendingAsync(db, tx, pending).ConfigureAwait(false))
        {
            // Something in the group clashed (a duplicate payment id): redo tap by tap so only the clash fails.
            var i = 0;
            foreach (var w in pending) await PendingAsync(db, tx, w, w.Pending!, i++).ConfigureAwait(false);
        }

        foreach (var w in group)
        {
            if (w.Pending is not null) continue;
            if (w.Outcome is { Reason: null } ok) completed.Add(ok.TapId);
            else await RejectAsync(db, w.Outcome!).ConfigureAwait(false);
        }

        await CompleteAsync(db, completed).ConfigureAwait(false);
        await tx.CommitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// The common case: every new tap of the group inserted with two batched statements' worth of
    /// SaveChanges, under one savepoint. False (everything rolled back to the savepoint) if any insert clashed.
    /// </summary>
    private static async Task<bool> AllPendingAsync(DbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, List<TapWrite> pending)
    {
        await tx.CreateSavepointAsync("group").ConfigureAwait(false);
        try
        {
            foreach (var w in pending) db.Add(w.Pending!.Row);
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var p in pending.Select(w => w.Pending!))
            {
                Debug.Assert(p.Row.Id > 0, "The tap id is assigned on insert.");
                if (p.Redemption is { } r)
                {
                    r.TapId = p.Row.Id;
                    db.Add(r);
                }

                foreach (var lot in p.NewLots)
                {
                    lot.TapId = p.Row.Id;
                    db.Add(lot);
                }
            }

            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var (lotId, used) in pending.SelectMany(w => w.Pending!.LotsUsed))
            {
                var changed = await db.Set<PointsLotRow>().Where(l => l.Id == lotId && l.Remaining >= used)
                    .ExecuteUpdateAsync(x => x.SetProperty(l => l.Remaining, l => l.Remaining - used)).ConfigureAwait(false);
                if (changed != 1) throw new PaymentsConflictException($"Points lot {lotId} no longer holds {used} point(s).");
            }

            await tx.ReleaseSavepointAsync("group").ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is DbUpdateException or PaymentsConflictException)
        {
            await tx.RollbackToSavepointAsync("group").ConfigureAwait(false);
            foreach (var p in pending.Select(w => w.Pending!))
            {
                // The failed attempt may have set ids; the retry inserts afresh.
                p.Row.Id = 0;
                if (p.Redemption is { } r) (r.Id, r.TapId) = (0, 0);
                foreach (var lot in p.NewLots) (lot.Id, lot.TapId) = (0, 0);
            }

            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>One new tap's writes under its own savepoint, so a duplicate payment id fails that tap only.</summary>
    private static async Task PendingAsync(DbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, TapWrite w, PendingTap p, int index)
    {
        var savepoint = "tap" + index.ToString(CultureInfo.InvariantCulture);
        await tx.CreateSavepointAsync(savepoint).ConfigureAwait(false);
        try
        {
            db.Add(p.Row);
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            Debug.Assert(p.Row.Id > 0, "SQLite assigns the tap id on insert.");
            if (p.Redemption is { } r)
            {
                r.TapId = p.Row.Id;
                db.Add(r);
            }

            foreach (var lot in p.NewLots)
            {
                lot.TapId = p.Row.Id;
                db.Add(lot);
            }

            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var (lotId, used) in p.LotsUsed)
            {
                var changed = await db.Set<PointsLotRow>().Where(l => l.Id == lotId && l.Remaining >= used)
                    .ExecuteUpdateAsync(s => s.SetProperty(l => l.Remaining, l => l.Remaining - used)).ConfigureAwait(false);
                // The holder's lock is held from planning to here, so this cannot happen; if it did, the tap must not take points twice.
                if (changed != 1) throw new PaymentsConflictException($"Points lot {lotId} no longer holds {used} point(s); retry the payment.");
            }

            await tx.ReleaseSavepointAsync(savepoint).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            await tx.RollbackToSavepointAsync(savepoint).ConfigureAwait(false);
            w.Conflict($"payment_id '{p.Row.PaymentId}' is being used for another payment right now.");
        }
        catch (PaymentsConflictException e)
        {
            await tx.RollbackToSavepointAsync(savepoint).ConfigureAwait(false);
            w.Conflict(e.Message);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Taps the ledger accepted: tap, redemption and earned lots become final (three statements per group).</summary>
    private static async Task CompleteAsync(DbContext db, List<long> ids)
    {
        if (ids.Count == 0) return;
        await db.Set<TapRow>().Where(t => ids.Contains(t.Id) && t.Status == "pending").ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, "completed")).ConfigureAwait(false);
        await db.Set<CouponRedemptionRow>().Where(r => ids.Contains(r.TapId) && r.Status == "pending").ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, "completed")).ConfigureAwait(false);
        await db.Set<PointsLotRow>().Where(l => ids.Contains(l.TapId) && l.Status == "pending").ExecuteUpdateAsync(s => s.SetProperty(l => l.Status, "active")).ConfigureAwait(false);
    }

    /// <summary>A tap the ledger refused (or that never reached it): the coupon use goes, lots get their points back.</summary>
    internal static async Task RejectAsync(DbContext db, TapOutcome o)
    {
        var id = o.TapId;
        var marked = await db.Set<TapRow>().Where(t => t.Id == id && t.Status == "pending")
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, "rejected").SetProperty(t => t.Reason, o.Reason).SetProperty(t => t.Detail, o.Detail)).ConfigureAwait(false);
        if (marked == 0) return; // Already settled: giving points back twice would invent them.
        await db.Set<CouponRedemptionRow>().Where(r => r.TapId == id).ExecuteDeleteAsync().ConfigureAwait(false);
        await db.Set<PointsLotRow>().Where(l => l.TapId == id && l.Status == "pending").ExecuteDeleteAsync().ConfigureAwait(false);
        foreach (var (lotId, used) in TapLots.Parse(o.LotUsage))
        {
            await db.Set<PointsLotRow>().Where(l => l.Id == lotId).ExecuteUpdateAsync(s => s.SetProperty(l => l.Remaining, l => l.Remaining + used)).ConfigureAwait(false);
        }
    }

    private sealed class TapWrite(PendingTap? pending, TapOutcome? outcome)
    {
        public PendingTap? Pending { get; } = pending;

        public TapOutcome? Outcome { get; } = outcome;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Nobody waits for it (<see cref="CompleteLater"/>): a failure is counted, not thrown.</summary>
        public bool Deferred { get; init; }

        private string? _conflict;

        public void Conflict(string message) => _conflict = message;

        public void Succeed()
        {
            if (_conflict is { } c) Done.TrySetException(new PaymentsConflictException(c));
            else Done.TrySetResult();
        }

        public void Fail(Exception e)
        {
            if (Deferred) Done.TrySetResult();
            else Done.TrySetException(e);
        }
    }
}

/// <summary>A new tap's module state, written <c>pending</c> before its batch is posted.</summary>
internal sealed record PendingTap(TapRow Row, CouponRedemptionRow? Redemption, IReadOnlyList<PointsLotRow> NewLots, IReadOnlyList<(long LotId, long Used)> LotsUsed);

/// <summary>The ledger's answer for a tap: <see cref="Reason"/> null means completed.</summary>
internal sealed record TapOutcome(long TapId, string? Reason, string? Detail, string LotUsage);

/// <summary>The <c>lot:amount</c> list a tap row keeps of the points it took.</summary>
internal static class TapLots
{
    public static IEnumerable<(long LotId, long Used)> Parse(string usage)
    {
        foreach (var part in usage.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            yield return (long.Parse(part.AsSpan(0, colon), CultureInfo.InvariantCulture), long.Parse(part.AsSpan(colon + 1), CultureInfo.InvariantCulture));
        }
    }
}
