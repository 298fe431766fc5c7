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

    /// <summary>Where the journal lives: segment files in <see cref="Directory"/> (default) or PostgreSQL (<see cref="PostgresConnectionString"/>); snapshots stay files in <see cref="Directory"/> either way.</summary>
    public LedgerJournalKind Journal { get; init; } = LedgerJournalKind.File;

    /// <summary>The PostgreSQL database of the journal (required with <see cref="LedgerJournalKind.Postgres"/>).</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>This node's name in the lease row. Default: machine name and full <see cref="Directory"/> path, unique per live node because the directory is locked.</summary>
    public string? NodeName { get; init; }

    /// <summary>The address clients should send writes to while this node leads (shown by standbys in their 503 answers).</summary>
    public string? AdvertisedAddress { get; init; }

    /// <summary>How long a lease lasts without renewal: a dead leader is replaced after at most this plus <see cref="LeaseRenewInterval"/>.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>How often the leader renews and a standby checks the lease (at most a third of <see cref="LeaseDuration"/>).</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a standby polls the journal table for new records (its replication lag when idle).</summary>
    public TimeSpan FollowInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Test hook: while it returns true the lease loop does nothing (a paused or partitioned node).</summary>
    internal Func<bool>? LeasePaused { get; init; }

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
        if (Journal == LedgerJournalKind.Postgres) ValidateCluster();
    }

    private void ValidateCluster()
    {
        if (string.IsNullOrWhiteSpace(PostgresConnectionString))
            throw new ArgumentException("The PostgreSQL journal needs a connection string (Banyan:Ledger:Postgres or ConnectionStrings:Banyan).", nameof(PostgresConnectionString));
        ArgumentOutOfRangeException.ThrowIfLessThan(LeaseDuration, TimeSpan.FromMilliseconds(300));
        ArgumentOutOfRangeException.ThrowIfLessThan(LeaseRenewInterval, TimeSpan.FromMilliseconds(10));
        if (LeaseRenewInterval * 3 > LeaseDuration)
            throw new ArgumentOutOfRangeException(nameof(LeaseRenewInterval), "The lease must outlast at least three renewal intervals.");
        ArgumentOutOfRangeException.ThrowIfLessThan(FollowInterval, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FollowInterval, LeaseRenewInterval);
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
