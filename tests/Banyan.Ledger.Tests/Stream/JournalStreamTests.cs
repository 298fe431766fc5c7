using Banyan.Ledger.Journal;
using Banyan.Ledger.Tests.Engine;
using Banyan.Ledger.Tests.Journal;
using static Banyan.Ledger.Tests.Engine.EngineTestKit;

namespace Banyan.Ledger.Tests.Streaming;

public sealed class JournalStreamTests : IDisposable
{
    private const int Accounts = 20;
    private readonly TempDirectory _dir = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Subscriber_started_at_zero_during_load_sees_every_record_exactly_once_in_order()
    {
        var engine = LedgerEngine.Open(Options(_dir.Path), _clock);
        await engine.CreateAccountsAsync(MakeAccounts());
        var seen = new List<LedgerCommit>();
        var subscriber = Task.Run(async () =>
        {
            await foreach (var commit in engine.SubscribeAsync(0)) seen.Add(commit);
        });

        // Four concurrent submitters, ~7 MiB of journal: crosses a segment boundary (4 MiB segments).
        var submitted = await LoadAsync(engine, writers: 4, batchesEach: 30, batchSize: 400, idBase: 1_000_000);
        var head = engine.JournalHead;
        await engine.DisposeAsync(); // the stream ends after the last durable record
        await subscriber;

        Assert.Equal(Enumerable.Range(1, (int)head.Sequence).Select(i => (ulong)i), seen.Select(c => c.Sequence));
        Assert.Equal(head.Hash, seen[^1].Hash);
        var streamed = seen.Where(c => c.Kind == LedgerCommitKind.CreateTransfers).SelectMany(c => c.Requests).SelectMany(r => r.Transfers).Select(t => t.Id).ToList();
        Assert.Equal(submitted.Count, streamed.Count);
        Assert.Equal(submitted.ToHashSet(), streamed.ToHashSet());
        Assert.Equal(Accounts, seen[0].Requests.Sum(r => r.Accounts.Count));
        Assert.True(Directory.GetFiles(_dir.Path, "journal-*.log").Length >= 2, "the load should span several segments");
    }

    [Fact]
    public async Task Subscriber_from_the_middle_starts_exactly_at_that_sequence()
    {
        await using var engine = LedgerEngine.Open(Options(_dir.Path), _clock);
        await engine.CreateAccountsAsync(MakeAccounts());
        await LoadAsync(engine, writers: 1, batchesEach: 40, batchSize: 1000, idBase: 1_000_000); // ~5 MiB: two segments
        var end = engine.JournalHead.Sequence;
        var second = JournalScanner.ListSegments(_dir.Path)[1].First;

        var fromFirst = await TakeAsync(engine, from: 17, until: end);
        var fromSecond = await TakeAsync(engine, from: second + 1, until: end);

        Assert.Equal(Enumerable.Range(17, (int)(end - 16)).Select(i => (ulong)i), fromFirst.Select(c => c.Sequence));
        Assert.Equal(Enumerable.Range((int)second + 1, (int)(end - second)).Select(i => (ulong)i), fromSecond.Select(c => c.Sequence));
        Assert.Equal(fromFirst[^1], fromSecond[^1] with { Requests = fromFirst[^1].Requests });
        Assert.Equal(fromFirst[^1].Requests[0].Transfers, fromSecond[^1].Requests[0].Transfers);
    }

    [Fact]
    public async Task Resubscribing_after_a_restart_continues_without_gaps_and_repeats_only_what_is_asked_for()
    {
        ulong firstEnd;
        List<LedgerCommit> before;
        await using (var engine = LedgerEngine.Open(Options(_dir.Path), _clock))
        {
            await engine.CreateAccountsAsync(MakeAccounts());
            await LoadAsync(engine, writers: 1, batchesEach: 10, batchSize: 5, idBase: 1_000_000);
            firstEnd = engine.JournalHead.Sequence;
            before = await TakeAsync(engine, from: 0, until: firstEnd);
        }
        await using var reopened = LedgerEngine.Open(Options(_dir.Path), _clock);
        Assert.Equal(firstEnd, reopened.JournalHead.Sequence);
        Assert.Equal(before[^1].Hash, reopened.JournalHead.Hash);
        var more = await LoadAsync(reopened, writers: 1, batchesEach: 10, batchSize: 5, idBase: 2_000_000);
        var end = reopened.JournalHead.Sequence;

        var after = await TakeAsync(reopened, from: firstEnd + 1, until: end);
        var again = await TakeAsync(reopened, from: firstEnd - 2, until: firstEnd); // at-least-once replay of a range

        Assert.Equal(Enumerable.Range((int)firstEnd + 1, (int)(end - firstEnd)).Select(i => (ulong)i), after.Select(c => c.Sequence));
        Assert.Equal(more, after.SelectMany(c => c.Requests).SelectMany(r => r.Transfers).Select(t => t.Id));
        Assert.Equal(before[^3..].Select(c => (c.Sequence, c.Hash)), again.Select(c => (c.Sequence, c.Hash)));
    }

    [Fact]
    public async Task A_stalled_subscriber_never_holds_up_writes_and_catches_up_from_the_files()
    {
        await using var engine = LedgerEngine.Open(Options(_dir.Path) with { PipelineRecords = 2, RequestQueueCapacity = 4 }, _clock);
        await engine.CreateAccountsAsync(MakeAccounts());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<ulong>();
        var target = 0UL;
        var subscriber = Task.Run(async () =>
        {
            await foreach (var commit in engine.SubscribeAsync(1))
            {
                seen.Add(commit.Sequence);
                if (seen.Count == 1)
                {
                    firstSeen.SetResult();
                    await release.Task; // the consumer stops reading entirely
                }
                if (commit.Sequence == Volatile.Read(ref target)) break;
            }
        });
        await firstSeen.Task;

        // 200 acknowledged records through a pipeline of 2 buffers and a queue of 4: impossible if the writer waited for the subscriber.
        await LoadAsync(engine, writers: 1, batchesEach: 200, batchSize: 3, idBase: 1_000_000);
        var end = engine.Statistics.DurableSequence;
        Assert.Equal(201UL, end);
        Assert.Single(seen);

        Volatile.Write(ref target, end);
        release.SetResult();
        await subscriber;
        Assert.Equal(Enumerable.Range(1, (int)end).Select(i => (ulong)i), seen);
    }

    [Fact]
    public async Task Streamed_events_whose_timestamp_matches_the_stored_object_are_exactly_the_created_ones()
    {
        await using var engine = LedgerEngine.Open(Options(_dir.Path), _clock);
        await engine.CreateAccountsAsync(MakeAccounts());
        var batch = new[] { NewTransfer(10, 1, 2, 5), NewTransfer(11, 1, 999, 5), NewTransfer(12, 2, 3, 7), NewTransfer(10, 1, 2, 5) };
        var results = await engine.CreateTransfersAsync(batch);
        var end = engine.JournalHead.Sequence;

        var commit = (await TakeAsync(engine, from: end, until: end)).Single();
        var request = Assert.Single(commit.Requests);
        var stored = (await engine.LookupTransfersAsync(new UInt128[] { 10, 11, 12 })).ToDictionary(t => t.Id);
        var created = request.Transfers.Select((t, i) => stored.TryGetValue(t.Id, out var s) && s.Timestamp == request.EventTimestamp(i)).ToArray();

        Assert.Equal(LedgerCommitKind.CreateTransfers, commit.Kind);
        Assert.Equal(results.Select(r => r == CreateTransferResult.Created), created);
        Assert.Equal(engine.JournalHead.Timestamp, request.EventTimestamp(3));
    }

    [Fact]
    public async Task A_record_written_but_never_synced_is_not_streamed_and_a_fault_ends_the_stream()
    {
        var armed = false;
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var options = Options(_dir.Path) with
        {
            BeforeJournalSync = () =>
            {
                if (!Volatile.Read(ref armed)) return;
                entered.Set();
                release.Wait();
                throw new IOException("injected fdatasync failure");
            },
        };
        var engine = LedgerEngine.Open(options, _clock);
        await engine.CreateAccountsAsync(MakeAccounts());
        await LoadAsync(engine, writers: 1, batchesEach: 3, batchSize: 2, idBase: 1_000_000);
        Volatile.Write(ref armed, true);
        var doomed = engine.CreateTransfersAsync(new[] { NewTransfer(5_000_000, 1, 2, 1) }).AsTask();
        entered.Wait(TimeSpan.FromSeconds(20));
        Assert.Equal(5, JournalTestKit.RecordOffsets(Assert.Single(Directory.GetFiles(_dir.Path, "journal-*.log"))).Count); // record 5 is in the file

        var seen = new List<ulong>();
        var subscriber = Task.Run(async () =>
        {
            await foreach (var commit in engine.SubscribeAsync(0)) seen.Add(commit.Sequence);
        });
        release.Set();

        await Assert.ThrowsAsync<LedgerFaultedException>(() => doomed);
        await Assert.ThrowsAsync<LedgerFaultedException>(() => subscriber);
        Assert.Equal([1UL, 2, 3, 4], seen);
        Assert.Equal(4UL, engine.JournalHead.Sequence);
        await engine.DisposeAsync();
    }

    private static Account[] MakeAccounts() => Enumerable.Range(1, Accounts).Select(i => NewAccount((UInt128)i)).ToArray();

    /// <summary>Submits batches of valid transfers from concurrent writers; returns every transfer id submitted.</summary>
    private static async Task<List<UInt128>> LoadAsync(LedgerEngine engine, int writers, int batchesEach, int batchSize, int idBase)
    {
        var all = new List<UInt128>[writers];
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var ids = all[w] = [];
            for (var b = 0; b < batchesEach; b++)
            {
                var batch = new Transfer[batchSize];
                for (var i = 0; i < batchSize; i++)
                {
                    var id = (UInt128)(idBase + ((w * batchesEach + b) * batchSize) + i);
                    batch[i] = NewTransfer(id, (UInt128)(1 + (i % Accounts)), (UInt128)(1 + ((i + 1) % Accounts)), 1);
                    ids.Add(id);
                }
                var results = await engine.CreateTransfersAsync(batch);
                Assert.All(results, r => Assert.Equal(CreateTransferResult.Created, r));
            }
        })));
        return all.SelectMany(ids => ids).ToList();
    }

    private static async Task<List<LedgerCommit>> TakeAsync(LedgerEngine engine, ulong from, ulong until)
    {
        var seen = new List<LedgerCommit>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var commit in engine.SubscribeAsync(from, timeout.Token))
        {
            seen.Add(commit);
            if (commit.Sequence >= until) break;
        }
        return seen;
    }
}
