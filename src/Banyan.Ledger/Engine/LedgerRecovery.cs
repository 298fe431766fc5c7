using System.Diagnostics;
using Banyan.Ledger.Journal;

namespace Banyan.Ledger.Engine;

/// <summary>The state recovery rebuilt, and where the journal continues.</summary>
internal sealed record RecoveredLedger(
    StateMachine Machine, JournalTail Tail, ulong LastTimestamp, ulong SnapshotSequence, LedgerReplayStatistics Statistics);

/// <summary>
/// Open = newest verifiable snapshot + replay of every journal record after it. Every record of the
/// journal is verified (also those the snapshot covers): the journal is the source of truth, and a
/// snapshot is only a shortcut. A snapshot that fails verification is passed over for the older one
/// (or a full replay); a verified snapshot that disagrees with the journal refuses to start.
/// </summary>
internal static class LedgerRecovery
{
    public static RecoveredLedger Recover(LedgerOptions options, IJournalStore store)
    {
        Directory.CreateDirectory(options.Directory);
        var clock = Stopwatch.StartNew();
        var (machine, info, path, skipped) = LoadSnapshot(options);
        var snapshotSeconds = clock.Elapsed.TotalSeconds;
        var applier = new RecordApplier { LastTimestamp = info.LastTimestamp };
        long replayedRecords = 0, replayedEvents = 0, applyTicks = 0;
        var matched = info.Sequence == 0;
        var tail = store.Scan(Visit, out var totals, repair: true);
        if (!matched)
        {
            throw new LedgerCorruptException(
                $"Snapshot '{path}' reflects journal record {info.Sequence}, but the journal ({store.Location}) ends at record {tail.LastSequence}: journal records are missing.")
            { FilePath = path, Offset = 0 };
        }
        SnapshotStore.Prune(options.Directory, keep: 2);
        var statistics = new LedgerReplayStatistics(
            info.Sequence, skipped, totals.Records, replayedRecords, replayedEvents, totals.Bytes, totals.TruncatedBytes,
            snapshotSeconds, clock.Elapsed.TotalSeconds, totals.ReadSeconds, (double)applyTicks / Stopwatch.Frequency);
        return new RecoveredLedger(machine, tail, Math.Max(applier.LastTimestamp, machine.LastTimestamp), info.Sequence, statistics);

        void Visit(in RecordHeader header, ReadOnlySpan<byte> body, UInt128 chainHash)
        {
            if (header.Sequence < info.Sequence) return;
            if (header.Sequence == info.Sequence)
            {
                if (chainHash != info.RecordHash)
                {
                    throw new LedgerCorruptException(
                        $"Snapshot '{path}' does not belong to this journal: the hash of record {info.Sequence} differs.")
                    { FilePath = path, Offset = 0 };
                }
                matched = true;
                return;
            }
            var started = Stopwatch.GetTimestamp();
            applier.Apply(machine, header, body);
            applyTicks += Stopwatch.GetTimestamp() - started;
            replayedRecords++;
            replayedEvents += header.EventCount;
        }
    }

    private static (StateMachine Machine, SnapshotInfo Info, string? Path, List<string> Skipped) LoadSnapshot(LedgerOptions options)
    {
        var skipped = new List<string>();
        foreach (var (_, path) in SnapshotStore.ListNewestFirst(options.Directory))
        {
            if (SnapshotStore.TryRead(path, StateMachine.ReadSnapshot, out var machine, out var info, out var problem))
                return (machine!, info, path, skipped);
            skipped.Add($"{Path.GetFileName(path)}: {problem}");
        }
        return (new StateMachine(options.AccountCapacity, options.TransferCapacity), default, null, skipped);
    }
}
