using Banyan.Ledger.Journal;
using Banyan.Ledger.Tests.Journal;
using static Banyan.Ledger.Tests.Engine.EngineTestKit;

namespace Banyan.Ledger.Tests.Engine;

public sealed class LedgerEngineTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Created_transfers_move_balances_and_lookups_show_them()
    {
        await using var engine = LedgerEngine.Open(Options(_dir.Path), _clock);

        var accountResults = await engine.CreateAccountsAsync(new[] { NewAccount(1), NewAccount(2), NewAccount(1) });
        var transferResults = await engine.CreateTransfersAsync(new[] { NewTransfer(10, 1, 2, 500), NewTransfer(11, 1, 99, 5) });
        var accounts = await engine.LookupAccountsAsync(new UInt128[] { 2, 3, 1 });
        var transfers = await engine.LookupTransfersAsync(new UInt128[] { 11, 10 });

        Assert.Equal([CreateAccountResult.Created, CreateAccountResult.Created, CreateAccountResult.Exists], accountResults);
        Assert.Equal([CreateTransferResult.Created, CreateTransferResult.CreditAccountNotFound], transferResults);
        Assert.Equal([(UInt128)2, 1], accounts.Select(a => a.Id));
        Assert.Equal((UInt128)500, accounts[0].CreditsPosted);
        Assert.Equal((UInt128)500, accounts[1].DebitsPosted);
        Assert.Equal((UInt128)10, Assert.Single(transfers).Id);
        Assert.True(engine.Statistics.DurableSequence >= 2);
    }

    [Fact]
    public async Task Statistics_count_what_reached_the_journal()
    {
        await using var engine = LedgerEngine.Open(Options(_dir.Path), _clock);
        await engine.CreateAccountsAsync(new[] { NewAccount(1), NewAccount(2) });
        await engine.CreateTransfersAsync(new[] { NewTransfer(10, 1, 2, 5), NewTransfer(11, 2, 1, 5), NewTransfer(12, 1, 3, 5) });

        var stats = engine.Statistics;
        var journalBytes = JournalScanner.ListSegments(_dir.Path).Sum(s => new FileInfo(s.Path).Length);

        Assert.Equal(2UL, stats.JournalSequence);
        Assert.Equal(2UL, stats.DurableSequence);
        Assert.Equal(2L, stats.RecordsWritten);
        Assert.Equal(journalBytes, stats.BytesWritten);
        Assert.Equal(2 * RecordHeader.Alignment, stats.BytesWritten); // two small records, each padded to 4 KiB
        Assert.Equal(5L, stats.EventsApplied);
        Assert.Equal(2, stats.Accounts);
        Assert.Equal(2L, stats.Transfers);
        Assert.Equal(2L, stats.GroupCommits);
    }

    [Fact]
    public async Task Oversized_batches_are_refused_and_empty_ones_do_nothing()
    {
        await using var engine = LedgerEngine.Open(Options(_dir.Path), _clock);

        Assert.Throws<ArgumentException>(() => engine.CreateTransfersAsync(new Transfer[LedgerEngine.MaxBatchEvents + 1]).AsTask().IsCompleted);
        Assert.Throws<ArgumentException>(() => engine.CreateAccountsAsync(new Account[LedgerEngine.MaxBatchEvents + 1]).AsTask().IsCompleted);
        Assert.Throws<ArgumentException>(() => engine.LookupAccountsAsync(new UInt128[LedgerEngine.MaxBatchEvents + 1]).AsTask().IsCompleted);
        Assert.Empty(await engine.CreateTransfersAsync(ReadOnlyMemory<Transfer>.Empty));
        Assert.Empty(await engine.LookupTransfersAsync(ReadOnlyMemory<UInt128>.Empty));
        Assert.Equal(0UL, engine.Statistics.JournalSequence);
    }

    [Fact]
    public async Task A_restart_replays_to_the_identical_state_with_and_without_snapshots()
    {
        UInt128 digest;
        await using (var engine = LedgerEngine.Open(Options(_dir.Path, snapshotEvery: 7), _clock))
        {
            await RunRandomWorkload(engine, _clock, new Random(21), batches: 40, idBase: 1_000_000);
            digest = await DigestAsync(engine);
            Assert.True(engine.Statistics.SnapshotSequence > 0);
        }

        await using (var engine = LedgerEngine.Open(Options(_dir.Path, snapshotEvery: 7), _clock))
        {
            Assert.True(engine.LastReplay.SnapshotSequence > 0);
            Assert.Equal(digest, await DigestAsync(engine));
            await RunRandomWorkload(engine, _clock, new Random(22), batches: 20, idBase: 2_000_000);
            digest = await DigestAsync(engine);
        }
        Assert.Equal(2, SnapshotStore.ListNewestFirst(_dir.Path).Count);

        foreach (var (_, path) in SnapshotStore.ListNewestFirst(_dir.Path)) File.Delete(path);
        await using (var engine = LedgerEngine.Open(Options(_dir.Path), _clock))
        {
            Assert.Equal(0UL, engine.LastReplay.SnapshotSequence);
            Assert.Equal(engine.LastReplay.RecordsVerified, engine.LastReplay.RecordsReplayed);
            Assert.Equal(digest, await DigestAsync(engine));
        }
    }

    [Fact]
    public async Task A_torn_last_record_is_cut_off_and_the_engine_opens_with_the_prior_state()
    {
        UInt128 before;
        await using (var engine = LedgerEngine.Open(Options(_dir.Path), _clock))
        {
            await RunRandomWorkload(engine, _clock, new Random(31), batches: 10, idBase: 1_000_000);
            before = await DigestAsync(engine);
            var last = Enumerable.Range(0, 500).Select(i => NewTransfer(5_000_000 + (UInt128)i, 1_000_001, 1_000_002, 1)).ToArray();
            await engine.CreateTransfersAsync(last);
            Assert.NotEqual(before, await DigestAsync(engine));
        }
        var segment = JournalScanner.ListSegments(_dir.Path)[^1].Path;
        var lastRecord = JournalTestKit.RecordOffsets(segment)[^1];
        using (var file = new FileStream(segment, FileMode.Open)) file.SetLength(lastRecord + 1000);

        await using (var engine = LedgerEngine.Open(Options(_dir.Path), _clock))
        {
            Assert.Equal(before, await DigestAsync(engine));
            Assert.Equal(1000, engine.LastReplay.TruncatedBytes);
            Assert.Equal([CreateTransferResult.Created], await engine.CreateTransfersAsync(new[] { NewTransfer(5_000_000, 1_000_001, 1_000_002, 1) }));
        }
    }

    [Fact]
    public async Task A_flipped_byte_in_a_middle_record_refuses_to_open()
    {
        await using (var engine = LedgerEngine.Open(Options(_dir.Path), _clock))
        {
            await RunRandomWorkload(engine, _clock, new Random(41), batches: 6, idBase: 1_000_000);
        }
        var segment = JournalScanner.ListSegments(_dir.Path)[^1].Path;
        var offsets = JournalTestKit.RecordOffsets(segment);
        JournalTestKit.FlipByte(segment, offsets[2] + RecordHeader.Size + 40);

        var error = Assert.Throws<LedgerCorruptException>(() => LedgerEngine.Open(Options(_dir.Path), _clock));

        Assert.Contains(Path.GetFileName(segment), error.Message);
        Assert.Contains($"offset {offsets[2]}", error.Message);
    }

    [Fact]
    public async Task A_corrupt_snapshot_is_passed_over_for_the_older_one_and_the_state_is_identical()
    {
        UInt128 digest;
        await using (var engine = LedgerEngine.Open(Options(_dir.Path, snapshotEvery: 4), _clock))
        {
            await RunRandomWorkload(engine, _clock, new Random(51), batches: 20, idBase: 1_000_000);
            digest = await DigestAsync(engine);
        }
        var snapshots = SnapshotStore.ListNewestFirst(_dir.Path);
        Assert.Equal(2, snapshots.Count);
        JournalTestKit.FlipByte(snapshots[0].Path, 200);

        await using (var engine = LedgerEngine.Open(Options(_dir.Path, snapshotEvery: 0), _clock))
        {
            Assert.Equal(snapshots[1].Sequence, engine.LastReplay.SnapshotSequence);
            Assert.Contains(Path.GetFileName(snapshots[0].Path), Assert.Single(engine.LastReplay.SkippedSnapshots));
            Assert.Equal(digest, await DigestAsync(engine));
        }
    }

    [Fact]
    public async Task Sixteen_concurrent_callers_each_get_their_own_results()
    {
        await using var engine = LedgerEngine.Open(Options(_dir.Path), _clock);
        await engine.CreateAccountsAsync(Enumerable.Range(1, 32).Select(i => NewAccount((UInt128)i)).ToArray());

        var callers = Enumerable.Range(0, 16).Select(c => Task.Run(() => RunCaller(engine, c))).ToArray();
        await Task.WhenAll(callers);

        var accounts = await engine.LookupAccountsAsync(Enumerable.Range(1, 32).Select(i => (UInt128)i).ToArray());
        var debits = accounts.Aggregate(UInt128.Zero, (sum, a) => sum + a.DebitsPosted);
        var credits = accounts.Aggregate(UInt128.Zero, (sum, a) => sum + a.CreditsPosted);
        Assert.Equal(debits, credits);
        Assert.Equal((UInt128)(16 * 20 * 3), debits); // per caller and round: 3 transfers of 1 succeed
        Assert.Equal(16L * 20 * 3, engine.Statistics.Transfers);
    }

    /// <summary>Each round: created, duplicate (exists), a linked pair whose second half fails, unknown account, created.</summary>
    private static async Task RunCaller(LedgerEngine engine, int caller)
    {
        var a = (UInt128)(caller * 2 + 1);
        var b = a + 1;
        for (var round = 0; round < 20; round++)
        {
            var id = (UInt128)(1_000_000 * (caller + 1) + round * 10);
            var batch = new[]
            {
                NewTransfer(id, a, b, 1),
                NewTransfer(id, a, b, 1),
                NewTransfer(id + 1, a, b, 1, TransferFlags.Linked),
                NewTransfer(id + 2, a, 999, 1),
                NewTransfer(id + 3, b, a, 1),
                NewTransfer(id + 4, a, 998, 1),
                NewTransfer(id + 5, a, b, 1),
            };
            var results = await engine.CreateTransfersAsync(batch);
            Assert.Equal(
                [
                    CreateTransferResult.Created, CreateTransferResult.Exists, CreateTransferResult.LinkedEventFailed,
                    CreateTransferResult.CreditAccountNotFound, CreateTransferResult.Created, CreateTransferResult.CreditAccountNotFound,
                    CreateTransferResult.Created,
                ],
                results);
        }
    }

    [Fact]
    public async Task Timestamps_strictly_increase_even_when_the_clock_stands_still()
    {
        var clock = new ManualClock();
        await using var engine = LedgerEngine.Open(Options(_dir.Path), clock);
        await engine.CreateAccountsAsync(new[] { NewAccount(1), NewAccount(2) });
        for (var i = 0; i < 5; i++) await engine.CreateTransfersAsync(new[] { NewTransfer(100 + (UInt128)i, 1, 2, 1), NewTransfer(200 + (UInt128)i, 2, 1, 1) });

        var transfers = await engine.LookupTransfersAsync(Enumerable.Range(0, 5).SelectMany(i => new[] { 100 + (UInt128)i, 200 + (UInt128)i }).ToArray());
        var timestamps = transfers.Select(t => t.Timestamp).ToList();

        Assert.Equal(10, timestamps.Count);
        Assert.Equal(timestamps.Order(), timestamps);
        Assert.Equal(10, timestamps.Distinct().Count());
        Assert.True(timestamps[0] > (ulong)(clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100);
    }

    [Fact]
    public async Task A_second_engine_on_the_same_directory_is_refused_until_the_first_is_disposed()
    {
        var first = LedgerEngine.Open(Options(_dir.Path), _clock);
        await first.CreateAccountsAsync(new[] { NewAccount(1) });

        var error = Assert.Throws<IOException>(() => LedgerEngine.Open(Options(_dir.Path), _clock));
        Assert.Contains("already open", error.Message);

        await first.DisposeAsync();
        await using var second = LedgerEngine.Open(Options(_dir.Path), _clock);
        Assert.Equal(1, second.Statistics.Accounts);
    }

    [Fact]
    public async Task Disposal_drains_every_accepted_request_before_closing()
    {
        Task<CreateTransferResult[]>[] pending;
        await using (var engine = LedgerEngine.Open(Options(_dir.Path), _clock))
        {
            await engine.CreateAccountsAsync(new[] { NewAccount(1), NewAccount(2) });
            pending = Enumerable.Range(0, 50).Select(i => engine.CreateTransfersAsync(new[] { NewTransfer(100 + (UInt128)i, 1, 2, 1) }).AsTask()).ToArray();
        }

        Assert.All(pending, t => Assert.Equal([CreateTransferResult.Created], t.Result));
        await using (var engine = LedgerEngine.Open(Options(_dir.Path), _clock))
        {
            Assert.Equal(50L, engine.Statistics.Transfers);
            await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
            {
                await engine.DisposeAsync();
                await engine.CreateTransfersAsync(new[] { NewTransfer(1, 1, 2, 1) });
            });
        }
    }
}
