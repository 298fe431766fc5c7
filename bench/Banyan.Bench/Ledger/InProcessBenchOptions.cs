namespace Banyan.Bench.Ledger;

/// <summary>How transfers pick their accounts.</summary>
public enum LedgerWorkload
{
    /// <summary>Debit and credit accounts uniformly over all accounts.</summary>
    Uniform,
    /// <summary>Zipf-skewed: a few hot accounts take most transfers (rank r has weight 1/r^s).</summary>
    Zipf,
}

/// <summary>Settings of the in-process durable ledger benchmark (row 1 and row 5 of `banyan bench ledger`).</summary>
public sealed record InProcessBenchOptions
{
    /// <summary>Ledger directory; a fresh temporary directory (deleted afterwards) when null.</summary>
    public string? Directory { get; init; }

    /// <summary>Accounts created before the run.</summary>
    public int Accounts { get; init; } = 10_000;

    /// <summary>Transfers submitted.</summary>
    public long Transfers { get; init; } = 2_000_000;

    /// <summary>Events per submitted batch (at most <see cref="Banyan.Ledger.LedgerEngine.MaxBatchEvents"/>).</summary>
    public int BatchSize { get; init; } = Banyan.Ledger.LedgerEngine.MaxBatchEvents;

    /// <summary>Concurrent submitters, each awaiting its batch before sending the next.</summary>
    public int Submitters { get; init; } = 8;

    /// <summary>Account selection.</summary>
    public LedgerWorkload Workload { get; init; } = LedgerWorkload.Uniform;

    /// <summary>Zipf exponent s for <see cref="LedgerWorkload.Zipf"/>.</summary>
    public double ZipfExponent { get; init; } = 1.0;

    /// <summary>fdatasync each group commit (the figure that counts). False measures the CPU path only.</summary>
    public bool Fsync { get; init; } = true;

    /// <summary>Also time the bare state machine on the same batches (shows where the time goes).</summary>
    public bool MeasureStateMachineAlone { get; init; } = true;

    /// <summary>PostgreSQL server for the journal (a temporary database is created and dropped); null = the file journal.</summary>
    public string? PostgresJournal { get; init; }

    /// <summary>Seed of the workload generator.</summary>
    public int Seed { get; init; } = 42;
}

/// <summary>Figures of one in-process run.</summary>
/// <param name="Workload">Uniform or Zipf (with exponent).</param>
/// <param name="Transfers">Transfers submitted.</param>
/// <param name="Created">Transfers the ledger created (the rest got a result code).</param>
/// <param name="Seconds">Wall time of the transfer phase.</param>
/// <param name="TransfersPerSecond">Durable, acknowledged transfers per second.</param>
/// <param name="BatchLatencyMsP50">Median submit-to-acknowledge time of a batch.</param>
/// <param name="BatchLatencyMsP99">99th percentile batch latency.</param>
/// <param name="BytesPerTransfer">Journal bytes written per transfer (headers and descriptors included).</param>
/// <param name="JournalRecords">Journal records written in the transfer phase (fewer than batches = coalescing).</param>
/// <param name="CpuSecondsPerSecond">Process CPU time over wall time in the transfer phase (2.0 = both cores busy).</param>
/// <param name="GroupCommits">fdatasync calls in the transfer phase (each covers every record waiting).</param>
/// <param name="WriterApplySeconds">Writer-thread time applying records in the transfer phase (state machine + copy).</param>
/// <param name="JournalWriteSeconds">Flusher time in write calls in the transfer phase.</param>
/// <param name="JournalSyncSeconds">Flusher time in fdatasync in the transfer phase.</param>
/// <param name="StateMachineTransfersPerSecond">The bare state machine on the same batches, no journal (0 when not measured).</param>
/// <param name="ReplaySeconds">Recovery time of the re-opened engine (no snapshot: full journal replay).</param>
/// <param name="ReplayTransfersPerSecond">Events replayed per second of recovery.</param>
/// <param name="ReplayedEvents">Events (accounts + transfers) replayed.</param>
/// <param name="ResidentMiBPerMillionTransfers">Working-set growth of the re-opened engine per million transfers.</param>
/// <param name="ManagedMiBPerMillionTransfers">Managed-heap growth of the re-opened engine per million transfers.</param>
/// <param name="Machine">Processor count, OS and runtime of the run.</param>
public sealed record InProcessFigures(
    string Workload,
    long Transfers,
    long Created,
    double Seconds,
    double TransfersPerSecond,
    double BatchLatencyMsP50,
    double BatchLatencyMsP99,
    double BytesPerTransfer,
    long JournalRecords,
    double CpuSecondsPerSecond,
    long GroupCommits,
    double WriterApplySeconds,
    double JournalWriteSeconds,
    double JournalSyncSeconds,
    double StateMachineTransfersPerSecond,
    double ReplaySeconds,
    double ReplayTransfersPerSecond,
    long ReplayedEvents,
    double ResidentMiBPerMillionTransfers,
    double ManagedMiBPerMillionTransfers,
    string Machine);
