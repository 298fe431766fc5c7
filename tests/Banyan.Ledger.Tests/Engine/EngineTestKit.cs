namespace Banyan.Ledger.Tests.Engine;

/// <summary>A fake clock for tests: time moves only when told to, and timers fire on the thread pool when due.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start;

    public ManualClock() : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate) _now += by;
        FireDue();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate) _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    private void FireDue()
    {
        List<ManualTimer> due;
        lock (_gate)
        {
            due = _timers.Where(t => t.DueAt is { } at && at <= _now).ToList();
            foreach (var t in due) t.DueAt = null;
        }
        foreach (var t in due) ThreadPool.QueueUserWorkItem(_ => t.Fire());
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate) DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
            clock.FireDue();
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._gate)
            {
                DueAt = null;
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

internal static class EngineTestKit
{
    public static LedgerOptions Options(string directory, long snapshotEvery = 0) => new()
    {
        Directory = directory,
        SnapshotEveryRecords = snapshotEvery,
        AccountCapacity = 1 << 12,
        TransferCapacity = 1 << 16,
        SegmentBytes = 4L * 1024 * 1024,
    };

    public static Account NewAccount(UInt128 id, AccountFlags flags = AccountFlags.None, uint ledger = 1) =>
        new() { Id = id, Ledger = ledger, Code = 10, Flags = flags };

    public static Transfer NewTransfer(UInt128 id, UInt128 debit, UInt128 credit, UInt128 amount, TransferFlags flags = TransferFlags.None) =>
        new() { Id = id, DebitAccountId = debit, CreditAccountId = credit, Amount = amount, Ledger = 1, Code = 20, Flags = flags };

    public static Task<UInt128> DigestAsync(LedgerEngine engine) => engine.InspectAsync(m => m.Digest()).AsTask();

    /// <summary>Waits (without sleeping a fixed time) until <paramref name="condition"/> holds, failing after a generous bound.</summary>
    public static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for: {what}");
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// A random but reproducible history: accounts (some with limits), plain, pending (with timeouts),
    /// post/void, linked and duplicate transfers, in batches of varying size. The fake clock moves only
    /// before a batch, so expiry pulses happen inside the history and never after its last batch (a
    /// digest taken afterwards is then the final state).
    /// </summary>
    public static async Task RunRandomWorkload(LedgerEngine engine, ManualClock clock, Random random, int batches, UInt128 idBase)
    {
        const int accounts = 40;
        var made = new List<Account>();
        for (var i = 1; i <= accounts; i++)
            made.Add(NewAccount(idBase + (UInt128)i, i % 4 == 0 ? AccountFlags.DebitsMustNotExceedCredits : AccountFlags.None));
        await engine.CreateAccountsAsync(made.ToArray());
        var pending = new List<UInt128>();
        var next = idBase + 1000;
        for (var b = 0; b < batches; b++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(random.Next(0, 700)));
            var batch = new Transfer[random.Next(1, 300)];
            for (var i = 0; i < batch.Length; i++) batch[i] = RandomTransfer(random, idBase, accounts, pending, ref next);
            await engine.CreateTransfersAsync(batch);
        }
    }

    private static Transfer RandomTransfer(Random random, UInt128 idBase, int accounts, List<UInt128> pending, ref UInt128 next)
    {
        var debit = idBase + (UInt128)random.Next(1, accounts + 1);
        var credit = idBase + (UInt128)random.Next(1, accounts + 1);
        var amount = (UInt128)random.Next(1, 1000);
        var roll = random.Next(100);
        if (roll < 10 && pending.Count > 0)
        {
            var target = pending[random.Next(pending.Count)];
            var flags = random.Next(2) == 0 ? TransferFlags.PostPendingTransfer : TransferFlags.VoidPendingTransfer;
            return new Transfer { Id = next++, PendingId = target, Amount = random.Next(2) == 0 ? UInt128.MaxValue : amount, Flags = flags };
        }
        var t = NewTransfer(next++, debit, credit, amount);
        if (roll < 25)
        {
            t.Flags = TransferFlags.Pending;
            t.Timeout = (uint)random.Next(0, 3);
            pending.Add(t.Id);
        }
        else if (roll < 35) t.Flags = TransferFlags.Linked;
        else if (roll < 40) t.Id = next - 2; // a duplicate or a retry of an earlier id
        return t;
    }
}
