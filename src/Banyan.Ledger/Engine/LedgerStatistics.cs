namespace Banyan.Ledger;

/// <summary>A point-in-time view of the engine for metrics (each field is read without stopping the engine).</summary>
/// <param name="JournalSequence">The last journal record applied (it may still be on its way to disk).</param>
/// <param name="DurableSequence">The last journal record known to be on disk; everything acknowledged is at or below it.</param>
/// <param name="RecordsWritten">Journal records written since this engine opened.</param>
/// <param name="BytesWritten">Journal bytes written since this engine opened.</param>
/// <param name="EventsApplied">Account and transfer events applied since this engine opened (created or not).</param>
/// <param name="Accounts">Accounts in the ledger.</param>
/// <param name="Transfers">Transfers in the ledger.</param>
/// <param name="SnapshotSequence">The journal record the newest snapshot reflects; 0 when there is none.</param>
/// <param name="LastSnapshotError">Why the last snapshot attempt failed, if it did (the journal is unaffected).</param>
/// <param name="GroupCommits">Journal writes since open, each one write plus one fdatasync covering all records waiting.</param>
/// <param name="ApplySeconds">Writer-thread time spent encoding and applying records (the state machine's share).</param>
/// <param name="JournalWriteSeconds">Flusher time in write calls.</param>
/// <param name="JournalSyncSeconds">Flusher time in fdatasync.</param>
/// <param name="JournalDirectIo">Whether the active segment is written with O_DIRECT (see <see cref="LedgerOptions.DirectIo"/>).</param>
public sealed record LedgerStatistics(
    ulong JournalSequence,
    ulong DurableSequence,
    long RecordsWritten,
    long BytesWritten,
    long EventsApplied,
    int Accounts,
    long Transfers,
    ulong SnapshotSequence,
    string? LastSnapshotError,
    long GroupCommits,
    double ApplySeconds,
    double JournalWriteSeconds,
    double JournalSyncSeconds,
    bool JournalDirectIo);

/// <summary>What the last recovery (<see cref="LedgerEngine.Open"/>) did.</summary>
/// <param name="SnapshotSequence">The journal record of the snapshot recovery started from; 0 = full replay.</param>
/// <param name="SkippedSnapshots">Snapshots that failed verification and were passed over, with the reason.</param>
/// <param name="RecordsVerified">Journal records whose checksum and hash chain were verified.</param>
/// <param name="RecordsReplayed">Records after the snapshot, re-applied to the state machine.</param>
/// <param name="EventsReplayed">Events in the replayed records.</param>
/// <param name="JournalBytes">Bytes of valid journal read.</param>
/// <param name="TruncatedBytes">Bytes of a torn tail that were cut off.</param>
/// <param name="SnapshotSeconds">Time spent loading the snapshot.</param>
/// <param name="Seconds">Total recovery time, snapshot load included.</param>
/// <param name="ReadSeconds">Time waiting for journal reads.</param>
/// <param name="ApplySeconds">Time re-applying records in the state machine.</param>
public sealed record LedgerReplayStatistics(
    ulong SnapshotSequence,
    IReadOnlyList<string> SkippedSnapshots,
    long RecordsVerified,
    long RecordsReplayed,
    long EventsReplayed,
    long JournalBytes,
    long TruncatedBytes,
    double SnapshotSeconds,
    double Seconds,
    double ReadSeconds,
    double ApplySeconds);
