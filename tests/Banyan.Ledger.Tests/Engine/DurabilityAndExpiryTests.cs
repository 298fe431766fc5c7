using Banyan.Ledger.Tests.Journal;
using static Banyan.Ledger.Tests.Engine.EngineTestKit;

namespace Banyan.Ledger.Tests.Engine;

public sealed class DurabilityAndExpiryTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualResetEventSlim _syncAllowed = new(initialState: true);
    private volatile bool _failSync;
    private int _syncsWaiting;

    public void Dispose()
    {
        _syncAllowed.Set();
        _dir.Dispose();
    }

    private LedgerOptions HookedOptions() => Options(_dir.Path) with { BeforeJournalSync = BeforeSync };

    private void BeforeSync()
    {
        Interlocked.Increment(ref _syncsWaiting);
        _syncAllowed.Wait();
        Interlocked.Decrement(ref _syncsWaiting);
        if (_failSync) throw new IOException("injected fdatasync failure");
    }

    [Fact]
    public async Task A_lookup_is_not_answered_while_what_it_would_show_is_not_yet_durable()
    {
        await using var engine = LedgerEngine.Open(HookedOptions());
        await engine.CreateAccountsAsync(new[] { NewAccount(1), NewAccount(2) });

        _syncAllowed.Reset();
        var create = engine.CreateTransfersAsync(new[] { NewTransfer(10, 1, 2, 7) }).AsTask();
        await WaitUntil(() => Volatile.Read(ref _syncsWaiting) == 1, "the transfer's record to reach fdatasync");
        var lookup = engine.LookupTransfersAsync(new UInt128[] { 10 }).AsTask();
        var after = engine.CreateAccountsAsync(new[] { NewAccount(3) }).AsTask();
        var sequenceOfAfter = engine.Statistics.DurableSequence + 2;
        await WaitUntil(() => engine.Statistics.JournalSequence >= sequenceOfAfter, "the writer to pass the lookup");

        Assert.False(create.IsCompleted);
        Assert.False(lookup.IsCompleted);
        Assert.False(after.IsCompleted);

        _syncAllowed.Set();
        Assert.Equal((UInt128)7, Assert.Single(await lookup).Amount);
        Assert.Equal([CreateTransferResult.Created], await create);
        Assert.Equal([CreateAccountResult.Created], await after);
    }

    [Fact]
    public async Task A_failed_fdatasync_fails_every_waiting_caller_and_refuses_further_work()
    {
        var engine = LedgerEngine.Open(HookedOptions());
        await engine.CreateAccountsAsync(new[] { NewAccount(1), NewAccount(2) });

        _syncAllowed.Reset();
        _failSync = true;
        var first = engine.CreateTransfersAsync(new[] { NewTransfer(10, 1, 2, 7) }).AsTask();
        await WaitUntil(() => Volatile.Read(ref _syncsWaiting) == 1, "the record to reach fdatasync");
        var queued = Enumerable.Range(0, 5).Select(i => engine.CreateTransfersAsync(new[] { NewTransfer(20 + (UInt128)i, 1, 2, 1) }).AsTask()).ToArray();
        _syncAllowed.Set();

        await Assert.ThrowsAsync<LedgerFaultedException>(() => first);
        foreach (var task in queued) await Assert.ThrowsAsync<LedgerFaultedException>(() => task);
        await WaitUntil(() => Volatile.Read(ref _syncsWaiting) == 0, "the flusher to give up");
        Assert.ThrowsAny<Exception>(() => engine.CreateTransfersAsync(new[] { NewTransfer(30, 1, 2, 1) }).AsTask().IsCompleted);
        await engine.DisposeAsync();

        // Record 10 was written but its fdatasync failed: it may or may not survive. Requests behind it
        // were never written, whatever the writer had already applied in memory.
        await using var reopened = LedgerEngine.Open(Options(_dir.Path));
        Assert.Empty(await reopened.LookupTransfersAsync(new UInt128[] { 20, 21, 22, 23, 24 }));
    }

    [Fact]
    public async Task An_exception_inside_the_writer_fails_waiting_callers_instead_of_hanging_them()
    {
        var engine = LedgerEngine.Open(HookedOptions());
        await engine.CreateAccountsAsync(new[] { NewAccount(1), NewAccount(2) });
        _syncAllowed.Reset();
        var held = engine.CreateTransfersAsync(new[] { NewTransfer(10, 1, 2, 7) }).AsTask();
        await WaitUntil(() => Volatile.Read(ref _syncsWaiting) == 1, "the record to reach fdatasync");

        var bug = engine.InspectAsync<int>(_ => throw new InvalidOperationException("simulated engine bug")).AsTask();
        var behind = engine.CreateTransfersAsync(new[] { NewTransfer(11, 1, 2, 7) }).AsTask();
        await Assert.ThrowsAsync<LedgerFaultedException>(() => behind);
        await Assert.ThrowsAsync<LedgerFaultedException>(() => bug);
        _syncAllowed.Set();

        // The record applied before the bug was complete and valid: it is still written and acknowledged.
        Assert.Equal([CreateTransferResult.Created], await held);
        await Assert.ThrowsAsync<LedgerFaultedException>(async () => await engine.CreateTransfersAsync(new[] { NewTransfer(12, 1, 2, 1) }));
        await engine.DisposeAsync();
    }

    [Fact]
    public async Task A_pending_transfer_expires_through_a_journaled_pulse_also_after_a_restart()
    {
        var clock = new ManualClock();
        await using (var engine = LedgerEngine.Open(Options(_dir.Path), clock))
        {
            await engine.CreateAccountsAsync(new[] { NewAccount(1), NewAccount(2) });
            var pending = NewTransfer(10, 1, 2, 70, TransferFlags.Pending);
            pending.Timeout = 30;
            Assert.Equal([CreateTransferResult.Created], await engine.CreateTransfersAsync(new[] { pending }));
            Assert.Equal((UInt128)70, (await engine.LookupAccountsAsync(new UInt128[] { 1 }))[0].DebitsPending);
        }

        UInt128 digest;
        ulong sequenceBefore;
        await using (var engine = LedgerEngine.Open(Options(_dir.Path), clock))
        {
            sequenceBefore = engine.Statistics.JournalSequence;
            clock.Advance(TimeSpan.FromSeconds(31));
            await WaitUntil(() => engine.Statistics.DurableSequence > sequenceBefore, "a pulse record");
            var account = (await engine.LookupAccountsAsync(new UInt128[] { 1 }))[0];
            Assert.Equal(UInt128.Zero, account.DebitsPending);
            Assert.Equal(UInt128.Zero, account.DebitsPosted);
            digest = await DigestAsync(engine);
        }

        await using (var engine = LedgerEngine.Open(Options(_dir.Path), clock))
        {
            Assert.Equal(sequenceBefore + 1, engine.Statistics.JournalSequence);
            Assert.Equal(digest, await DigestAsync(engine));
            var post = new Transfer { Id = 11, PendingId = 10, Amount = UInt128.MaxValue, Flags = TransferFlags.PostPendingTransfer };
            Assert.Equal([CreateTransferResult.PendingTransferExpired], await engine.CreateTransfersAsync(new[] { post }));
        }
    }

    [Fact]
    public async Task Requests_queued_while_the_disk_is_busy_are_coalesced_into_one_record()
    {
        await using var engine = LedgerEngine.Open(HookedOptions());
        await engine.CreateAccountsAsync(new[] { NewAccount(1), NewAccount(2) });
        _syncAllowed.Reset();
        var blocker = engine.CreateTransfersAsync(new[] { NewTransfer(9, 1, 2, 1) }).AsTask();
        await WaitUntil(() => Volatile.Read(ref _syncsWaiting) == 1, "the first record to reach fdatasync");
        var sequenceBefore = engine.Statistics.JournalSequence;
        var blockingSlot = new ManualResetEventSlim();
        // Hold the writer on a read barrier, queue 20 requests behind it, then let everything go.
        var hold = engine.InspectAsync(_ => blockingSlot.Wait(TimeSpan.FromSeconds(20))).AsTask();
        var many = Enumerable.Range(0, 20).Select(i => engine.CreateTransfersAsync(new[] { NewTransfer(100 + (UInt128)i, 1, 2, 1) }).AsTask()).ToArray();
        blockingSlot.Set();
        _syncAllowed.Set();

        await Task.WhenAll(many);
        await blocker;
        Assert.True(await hold);
        Assert.Equal(sequenceBefore + 1, engine.Statistics.JournalSequence);
    }
}
