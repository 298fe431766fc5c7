namespace Banyan.Ledger;

/// <summary>Where and how the ledger keeps its journal.</summary>
public sealed record LedgerOptions
{
    /// <summary>Directory holding journal segments and snapshots.</summary>
    public required string Directory { get; init; }

    /// <summary>When false, records are written but not fsync'd (benchmarks of the CPU path only; never in production).</summary>
    public bool Fsync { get; init; } = true;

    /// <summary>Journal segment size before rolling to a new file.</summary>
    public long SegmentBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Write a snapshot after this many journal records (bounds restart time). 0 disables.</summary>
    public long SnapshotEveryRecords { get; init; } = 20_000;

    /// <summary>Capacity hints for preallocated tables (no resize on the hot path below these).</summary>
    public int AccountCapacity { get; init; } = 1 << 20;

    /// <summary>Capacity hint for the transfer table.</summary>
    public long TransferCapacity { get; init; } = 1 << 22;

    /// <summary>Requests that may wait for the writer; further callers wait for a slot (back-pressure).</summary>
    public int RequestQueueCapacity { get; init; } = 1024;

    /// <summary>Journal records that may be applied but not yet durable (each holds a ~1.2 MiB pinned buffer).</summary>
    public int PipelineRecords { get; init; } = 8;

    /// <summary>
    /// Write journal segments with O_DIRECT on Linux: no copy into the page cache, which on a small
    /// machine costs as much CPU as the state machine. Falls back to buffered writes where the file
    /// system refuses O_DIRECT. Durability is the same either way (every group is fdatasync'd).
    /// </summary>
    public bool DirectIo { get; init; } = true;

    /// <summary>Test hook: runs on the flusher thread right before each fdatasync (e.g. to hold records undurable).</summary>
    internal Action? BeforeJournalSync { get; init; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(SegmentBytes, 4L * 1024 * 1024);
        ArgumentOutOfRangeException.ThrowIfNegative(SnapshotEveryRecords);
        ArgumentOutOfRangeException.ThrowIfLessThan(AccountCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(TransferCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestQueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(PipelineRecords, 1);
    }
}

/// <summary>The journal failed verification somewhere other than its tail: the ledger refuses to start.</summary>
public sealed class LedgerCorruptException(string message) : Exception(message)
{
    /// <summary>The journal or snapshot file.</summary>
    public string? FilePath { get; init; }

    /// <summary>Byte offset of the bad record within <see cref="FilePath"/>.</summary>
    public long Offset { get; init; }
}
