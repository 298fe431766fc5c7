using System.Buffers.Binary;
using Banyan.Ledger.Journal;
using Banyan.Ledger.Tests.Engine;
using Banyan.Ledger.Tests.Journal;
using static Banyan.Ledger.Tests.Engine.EngineTestKit;

namespace Banyan.Ledger.Tests.Verify;

public sealed class LedgerVerifierTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_clean_journal_verifies_against_its_snapshot_the_pinned_head_and_the_live_state()
    {
        await using var engine = LedgerEngine.Open(Options(_dir.Path, snapshotEvery: 7), _clock);
        await RunRandomWorkload(engine, _clock, new Random(41), batches: 30, idBase: 0);
        var live = await engine.ComputeStateDigestAsync();
        var head = engine.JournalHead;

        var report = LedgerVerifier.Verify(_dir.Path, new LedgerVerifyOptions { ExpectedHead = head, LiveState = live });

        Assert.True(report.Ok, string.Join("; ", report.Problems));
        Assert.Empty(report.Problems);
        Assert.Equal(head, report.Head);
        Assert.Equal(live.Digest, report.Digest);
        Assert.Equal(live.Digest, report.ReplayDigestAtLive);
        Assert.NotNull(report.SnapshotSequence);
        Assert.Equal(report.SnapshotDigest, report.ReplayDigestAtSnapshot);
        Assert.Equal((long)head.Sequence, report.Records);
        Assert.Equal(engine.Statistics.EventsApplied + engine.LastReplay.EventsReplayed, report.Events);
    }

    [Fact]
    public async Task A_record_rewritten_with_a_valid_checksum_is_caught_by_the_hash_chain()
    {
        await WriteJournal();
        var segment = Segment();
        var offsets = JournalTestKit.RecordOffsets(segment);
        RewriteTransferAmount(segment, offsets[5]);

        var report = LedgerVerifier.Verify(_dir.Path);

        Assert.False(report.Ok);
        Assert.Equal(segment, report.ProblemFile);
        Assert.Equal(offsets[6], report.ProblemOffset); // the NEXT record's previous-hash no longer matches
        Assert.Contains("hash chain", report.Problems[0]);
        Assert.Equal(6UL, report.Head.Sequence); // replay stops after the rewritten record #6, at the first link that does not match
    }

    [Fact]
    public async Task Rewriting_the_newest_record_is_caught_by_a_pinned_head()
    {
        var head = await WriteJournal();
        var segment = Segment();
        RewriteTransferAmount(segment, JournalTestKit.RecordOffsets(segment)[^1]);

        var unpinned = LedgerVerifier.Verify(_dir.Path);
        var pinned = LedgerVerifier.Verify(_dir.Path, new LedgerVerifyOptions { ExpectedHead = head });

        Assert.True(unpinned.Ok); // nothing after the newest record links to it: only a pin can tell
        Assert.False(pinned.Ok);
        Assert.Contains("history was rewritten", Assert.Single(pinned.Problems));
    }

    [Fact]
    public async Task A_deleted_record_fails_verification()
    {
        await WriteJournal();
        var segment = Segment();
        var offsets = JournalTestKit.RecordOffsets(segment);
        var bytes = File.ReadAllBytes(segment);
        var cut = bytes[..(int)offsets[4]].Concat(bytes[(int)offsets[5]..]).ToArray();
        File.WriteAllBytes(segment, cut);

        var report = LedgerVerifier.Verify(_dir.Path);

        Assert.False(report.Ok);
        Assert.Equal(segment, report.ProblemFile);
        Assert.Equal(offsets[4], report.ProblemOffset);
        Assert.Contains("sequence 6 where 5 was expected", report.Problems[0]);
    }

    [Fact]
    public async Task Records_removed_from_the_end_are_caught_by_a_pinned_head()
    {
        var head = await WriteJournal();
        var segment = Segment();
        var offsets = JournalTestKit.RecordOffsets(segment);
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write)) file.SetLength(offsets[^2]);

        var report = LedgerVerifier.Verify(_dir.Path, new LedgerVerifyOptions { ExpectedHead = head });

        Assert.False(report.Ok);
        Assert.Contains(report.Problems, p => p.Contains("records were removed"));
        Assert.Equal(head.Sequence - 2, report.Head.Sequence);
    }

    [Fact]
    public async Task A_snapshot_that_disagrees_with_the_replay_fails_verification()
    {
        await WriteJournal(snapshotEvery: 5);
        var (_, path) = SnapshotStore.ListNewestFirst(_dir.Path)[0];
        Assert.True(SnapshotStore.TryRead(path, StateMachine.ReadSnapshot, out var real, out var info, out _));
        real!.CreateAccounts([NewAccount(424242)], real.LastTimestamp + 1, new CreateAccountResult[1]); // one account the journal never had
        SnapshotStore.Write(_dir.Path, info, real.WriteSnapshot, fsync: false);

        var report = LedgerVerifier.Verify(_dir.Path);

        Assert.False(report.Ok);
        Assert.Equal(path, report.ProblemFile);
        Assert.Contains("state differs from the replayed state", Assert.Single(report.Problems));
        Assert.NotEqual(report.SnapshotDigest, report.ReplayDigestAtSnapshot);
    }

    [Fact]
    public async Task A_live_state_that_differs_from_the_replay_fails_verification()
    {
        await using var engine = LedgerEngine.Open(Options(_dir.Path), _clock);
        await engine.CreateAccountsAsync(new[] { NewAccount(1), NewAccount(2) });
        var live = await engine.ComputeStateDigestAsync();

        var report = LedgerVerifier.Verify(_dir.Path, new LedgerVerifyOptions { LiveState = live with { Digest = live.Digest + 1 } });

        Assert.False(report.Ok);
        Assert.Contains("live state differs", Assert.Single(report.Problems));
    }

    [Fact]
    public async Task Verify_runs_beside_an_engine_that_keeps_writing_and_changes_nothing()
    {
        await using var engine = LedgerEngine.Open(Options(_dir.Path, snapshotEvery: 10), _clock);
        await engine.CreateAccountsAsync(new[] { NewAccount(1), NewAccount(2) });
        using var stop = new CancellationTokenSource();
        var writes = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested && i < 2000; i++)
                await engine.CreateTransfersAsync(new[] { NewTransfer((UInt128)(100 + i), 1, 2, 1) });
        });
        await WaitUntil(() => engine.Statistics.DurableSequence > 30, "some records");
        var live = await engine.ComputeStateDigestAsync();
        var head = engine.JournalHead;

        var report = LedgerVerifier.Verify(_dir.Path, new LedgerVerifyOptions { LiveState = live, ExpectedHead = head });
        await stop.CancelAsync();
        await writes;
        var after = LedgerVerifier.Verify(_dir.Path, new LedgerVerifyOptions { ExpectedHead = engine.JournalHead, LiveState = await engine.ComputeStateDigestAsync() });

        Assert.True(report.Ok, string.Join("; ", report.Problems));
        Assert.True(report.Head.Sequence >= head.Sequence);
        Assert.True(after.Ok, string.Join("; ", after.Problems));
    }

    [Fact]
    public async Task A_head_pinned_as_text_round_trips_and_the_report_text_names_the_problem()
    {
        var head = await WriteJournal();
        Assert.True(JournalHead.TryParse(head.ToString(), out var parsed));
        Assert.Equal(head, parsed);
        Assert.False(JournalHead.TryParse("12:abc@5", out _));
        Assert.False(JournalHead.TryParse(head.ToString().Replace('@', '#'), out _));

        var good = LedgerVerifier.Verify(_dir.Path, new LedgerVerifyOptions { ExpectedHead = parsed });
        var bad = LedgerVerifier.Verify(_dir.Path, new LedgerVerifyOptions { ExpectedHead = parsed with { Timestamp = parsed.Timestamp + 1 } });

        Assert.StartsWith("OK", good.Describe());
        Assert.Contains(head.ToString(), good.Describe());
        Assert.StartsWith("FAILED: 1 problem", bad.Describe());
        Assert.Contains("problem: the pinned head", bad.Describe());
    }

    [Fact]
    public async Task A_torn_tail_is_reported_but_neither_fails_verification_nor_gets_truncated()
    {
        var head = await WriteJournal();
        var segment = Segment();
        using (var file = new FileStream(segment, FileMode.Append, FileAccess.Write)) file.Write(new byte[] { 0x42, 0x4E, 0x59, 0x4A, 1, 0, 2 });
        var length = new FileInfo(segment).Length;

        var report = LedgerVerifier.Verify(_dir.Path, new LedgerVerifyOptions { ExpectedHead = head });

        Assert.True(report.Ok, string.Join("; ", report.Problems));
        Assert.Equal(7, report.TornTailBytes);
        Assert.Equal(length, new FileInfo(segment).Length);
    }

    /// <summary>A closed ledger of one segment: accounts, then ten single-request transfer records.</summary>
    private async Task<JournalHead> WriteJournal(long snapshotEvery = 0)
    {
        await using var engine = LedgerEngine.Open(Options(_dir.Path, snapshotEvery), _clock);
        await engine.CreateAccountsAsync(new[] { NewAccount(1), NewAccount(2) });
        for (var i = 0; i < 10; i++) await engine.CreateTransfersAsync(new[] { NewTransfer((UInt128)(100 + i), 1, 2, 10) });
        return engine.JournalHead;
    }

    private string Segment() => Assert.Single(Directory.GetFiles(_dir.Path, "journal-*.log"));

    /// <summary>Changes the first transfer's amount in the record at <paramref name="offset"/> and recomputes its checksum, like a forger would.</summary>
    private static void RewriteTransferAmount(string segment, long offset)
    {
        using var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite);
        var record = new byte[RecordHeader.Size + RecordHeader.DescriptorSize + RecordHeader.EventSize];
        file.Position = offset;
        file.ReadExactly(record);
        var header = RecordHeader.Read(record);
        Assert.Equal(RecordKind.CreateTransfers, header.Kind);
        Assert.Equal(record.Length, header.RecordLength);
        var amount = record.AsSpan(RecordHeader.Size + RecordHeader.DescriptorSize + 48); // Transfer.Amount sits after three 16-byte ids
        BinaryPrimitives.WriteUInt64LittleEndian(amount, BinaryPrimitives.ReadUInt64LittleEndian(amount) + 1_000_000);
        var checksum = RecordHeader.ComputeChecksum(record, record.AsSpan(RecordHeader.Size));
        BinaryPrimitives.WriteUInt128LittleEndian(record.AsSpan(48), checksum);
        file.Position = offset;
        file.Write(record);
    }
}
