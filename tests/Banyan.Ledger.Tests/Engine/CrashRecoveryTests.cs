using Banyan.Ledger.Journal;
using Banyan.Ledger.Tests.Journal;
using static Banyan.Ledger.Tests.Engine.EngineTestKit;

namespace Banyan.Ledger.Tests.Engine;

/// <summary>
/// A crash can stop the journal at any byte. Whatever the cut, recovery must give exactly the state
/// after the last complete record before it — never a partial record, never an older state.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualClock _clock = new(); // never advanced: no expiry pulses, one record per request

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Cutting_the_journal_at_any_byte_recovers_the_state_of_the_last_whole_record()
    {
        var digests = await BuildHistory();
        var segment = Assert.Single(JournalScanner.ListSegments(_dir.Path)).Path;
        var offsets = JournalTestKit.RecordOffsets(segment);
        var length = new FileInfo(segment).Length;
        var random = new Random(61);

        for (var k = 0; k < offsets.Count; k += 3)
        {
            var next = k + 1 < offsets.Count ? offsets[k + 1] : length;
            var recordEnd = offsets[k] + RecordLengthAt(segment, offsets[k]);
            var cut = offsets[k] + random.NextInt64(0, next - offsets[k]); // inside record k+1, its start, or its padding
            await AssertRecoversTo(segment, cut, expectedSequence: cut >= recordEnd ? (ulong)k + 1 : (ulong)k, digests);
        }
        await AssertRecoversTo(segment, length, expectedSequence: (ulong)offsets.Count, digests);
    }

    private async Task AssertRecoversTo(string segment, long cut, ulong expectedSequence, Dictionary<ulong, UInt128> digests)
    {
        using var copy = new TempDirectory();
        var target = Path.Combine(copy.Path, Path.GetFileName(segment));
        File.Copy(segment, target);
        using (var file = new FileStream(target, FileMode.Open)) file.SetLength(cut);

        await using (var engine = LedgerEngine.Open(Options(copy.Path), _clock))
        {
            Assert.Equal(expectedSequence, engine.Statistics.JournalSequence);
            Assert.Equal(digests[expectedSequence], await DigestAsync(engine));
            await engine.CreateAccountsAsync(new[] { NewAccount(777) }); // appending after the cut keeps the journal valid
        }
        await using (var engine = LedgerEngine.Open(Options(copy.Path), _clock))
        {
            Assert.Equal(expectedSequence + 1, engine.Statistics.JournalSequence);
        }
    }

    private static int RecordLengthAt(string segment, long offset)
    {
        var header = new byte[RecordHeader.Size];
        using var file = File.OpenRead(segment);
        file.Position = offset;
        file.ReadExactly(header);
        return RecordHeader.Read(header).RecordLength;
    }

    /// <summary>Runs requests one at a time (so each is one record) and records the digest after each.</summary>
    private async Task<Dictionary<ulong, UInt128>> BuildHistory()
    {
        var digests = new Dictionary<ulong, UInt128>();
        await using var engine = LedgerEngine.Open(Options(_dir.Path), _clock);
        digests[0] = await DigestAsync(engine);
        await engine.CreateAccountsAsync(Enumerable.Range(1, 20).Select(i => NewAccount((UInt128)i, i % 5 == 0 ? AccountFlags.DebitsMustNotExceedCredits : AccountFlags.None)).ToArray());
        digests[engine.Statistics.JournalSequence] = await DigestAsync(engine);
        var random = new Random(60);
        UInt128 next = 1000;
        for (var r = 0; r < 30; r++)
        {
            var batch = new Transfer[random.Next(1, 40)];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = NewTransfer(next++, (UInt128)random.Next(1, 21), (UInt128)random.Next(1, 21), (UInt128)random.Next(1, 500));
                if (random.Next(5) == 0) batch[i].Flags = TransferFlags.Pending;
                if (random.Next(7) == 0) batch[i].Flags |= TransferFlags.Linked;
            }
            await engine.CreateTransfersAsync(batch);
            digests[engine.Statistics.JournalSequence] = await DigestAsync(engine);
        }
        Assert.Equal(31UL, engine.Statistics.JournalSequence);
        return digests;
    }
}
