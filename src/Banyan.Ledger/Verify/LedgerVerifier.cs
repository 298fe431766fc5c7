using System.Diagnostics;
using Banyan.Ledger.Engine;
using Banyan.Ledger.Journal;

namespace Banyan.Ledger;

/// <summary>What <see cref="LedgerVerifier.Verify"/> should compare the replay against, besides the journal itself.</summary>
public sealed record LedgerVerifyOptions
{
    /// <summary>A head pinned earlier (or the live engine's <see cref="LedgerEngine.JournalHead"/>): the replayed record at its sequence must have the same hash and timestamp.</summary>
    public JournalHead? ExpectedHead { get; init; }

    /// <summary>The live state (<see cref="LedgerEngine.ComputeStateDigestAsync"/>): the replayed state after its sequence must have the same digest.</summary>
    public LedgerStateDigest? LiveState { get; init; }

    /// <summary>Read the journal from this PostgreSQL database (table <c>ledger_journal</c>) instead of the directory's segment files; snapshots still come from the directory.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>The read models as read at their projected sequence: the replayed state there must hold exactly these accounts and transfers.</summary>
    public LedgerReadModelContents? ReadModel { get; init; }

    /// <summary>Initial table sizes of the replay's state machine (it grows beyond them).</summary>
    public int AccountCapacity { get; init; } = 1 << 16;

    /// <summary>Initial transfer table size of the replay's state machine (it grows beyond it).</summary>
    public long TransferCapacity { get; init; } = 1 << 20;
}

/// <summary>What the read models hold (accounts without balances, created transfers) after journal record <see cref="Sequence"/>.</summary>
/// <param name="Sequence">The projected sequence read in the same database snapshot as the rows.</param>
/// <param name="Accounts">Every account row, with the four balances reconstructed from the projected transfer and expiration rows.</param>
/// <param name="Transfers">Every transfer row.</param>
public sealed record LedgerReadModelContents(ulong Sequence, IReadOnlyList<Account> Accounts, IReadOnlyList<Transfer> Transfers);

/// <summary>
/// The result of a verification. <see cref="Ok"/> is false on any difference; <see cref="Problems"/>
/// lists them, the first journal problem also as <see cref="ProblemFile"/>/<see cref="ProblemOffset"/>.
/// </summary>
/// <param name="Ok">True when every check passed.</param>
/// <param name="Records">Journal records verified and replayed.</param>
/// <param name="Events">Events replayed.</param>
/// <param name="Head">The last verified record (sequence, chain hash, highest timestamp).</param>
/// <param name="Digest">Digest of the replayed state after <see cref="JournalHead.Sequence"/> of <paramref name="Head"/>.</param>
/// <param name="SnapshotSequence">Sequence of the newest snapshot compared (null when there is none).</param>
/// <param name="SnapshotDigest">Digest of that snapshot's state.</param>
/// <param name="ReplayDigestAtSnapshot">Digest of the replayed state at that snapshot's sequence (null when the replay never got there).</param>
/// <param name="ReplayDigestAtLive">Digest of the replayed state at <see cref="LedgerVerifyOptions.LiveState"/>'s sequence, when given and reached.</param>
/// <param name="TornTailBytes">Bytes after the last verifiable record of the last segment (a write that was never acknowledged, or one in progress on a live ledger); not a failure.</param>
/// <param name="Problems">Every difference found, in the order found.</param>
/// <param name="ProblemFile">The file of the first journal or snapshot problem.</param>
/// <param name="ProblemOffset">Byte offset of the first journal problem within <paramref name="ProblemFile"/>.</param>
/// <param name="Seconds">Wall time of the verification.</param>
public sealed record LedgerVerifyReport(
    bool Ok,
    long Records,
    long Events,
    JournalHead Head,
    UInt128 Digest,
    ulong? SnapshotSequence,
    UInt128? SnapshotDigest,
    UInt128? ReplayDigestAtSnapshot,
    UInt128? ReplayDigestAtLive,
    long TornTailBytes,
    IReadOnlyList<string> Problems,
    string? ProblemFile,
    long? ProblemOffset,
    double Seconds)
{
    /// <summary>A human-readable report (what a <c>banyan ledger verify</c> command prints), one fact per line.</summary>
    public string Describe()
    {
        var text = new System.Text.StringBuilder();
        var c = System.Globalization.CultureInfo.InvariantCulture;
        text.AppendLine(Ok ? "OK: the journal, snapshot and given pins agree." : $"FAILED: {Problems.Count} problem(s).");
        text.AppendLine(c, $"records verified and replayed: {Records}, events: {Events}");
        text.AppendLine(c, $"head: {Head}");
        text.AppendLine(c, $"replayed state digest: {Digest:x32}");
        if (SnapshotSequence is { } snapshot)
            text.AppendLine(c, $"snapshot at record {snapshot}: digest {SnapshotDigest:x32}, replay there {(ReplayDigestAtSnapshot is { } r ? r.ToString("x32", c) : "not reached")}");
        if (ReplayDigestAtLive is { } live) text.AppendLine(c, $"replay at the live sequence: digest {live:x32}");
        if (TornTailBytes > 0) text.AppendLine(c, $"torn tail (never acknowledged or being written): {TornTailBytes} bytes");
        foreach (var problem in Problems) text.AppendLine(c, $"problem: {problem}");
        if (ProblemFile is not null) text.AppendLine(c, $"first problem at: {ProblemFile}{(ProblemOffset is { } o ? $" offset {o}" : "")}");
        return text.ToString();
    }
}

/// <summary>
/// Offline proof that a ledger directory is intact: replays the whole journal from record 1 into a
/// fresh state machine (snapshots are ignored for the replay), verifying every checksum and the hash
/// chain, and compares the result to the newest snapshot, and optionally to a pinned head and to a
/// live engine's state. Read-only: never truncates, repairs or locks anything, so it may run beside an
/// open engine. See docs/ledger-journal.md "Verify".
/// </summary>
public static class LedgerVerifier
{
    /// <summary>Verifies the ledger in <paramref name="directory"/>; never throws for a bad journal (that is a report with problems).</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public static LedgerVerifyReport Verify(string directory, LedgerVerifyOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        options ??= new LedgerVerifyOptions();
        var postgres = options.PostgresConnectionString;
        if (postgres is null && !Directory.Exists(directory)) throw new DirectoryNotFoundException($"Ledger directory '{directory}' does not exist.");
        var clock = Stopwatch.StartNew();
        var run = new VerifyRun(options);
        if (Directory.Exists(directory)) run.LoadNewestSnapshot(directory);
        run.CheckpointsAt(0, default, 0); // an empty journal compared with pins at sequence 0
        if (postgres is null)
        {
            run.Replay(new FileJournalStore(new LedgerOptions { Directory = directory, Fsync = false }));
        }
        else
        {
            using var source = Npgsql.NpgsqlDataSource.Create(postgres);
            run.Replay(new Postgres.PostgresJournalStore(source, new Postgres.ClusterState()));
        }
        run.CheckReachedAll();
        return run.Report(clock.Elapsed.TotalSeconds);
    }

    /// <summary>The state of one verification (kept small: each step is its own method).</summary>
    private sealed class VerifyRun(LedgerVerifyOptions options)
    {
        private readonly StateMachine _machine = new(options.AccountCapacity, options.TransferCapacity);
        private readonly RecordApplier _applier = new();
        private readonly List<string> _problems = [];
        private SnapshotInfo? _snapshot;
        private string? _snapshotPath;
        private UInt128? _snapshotDigest;
        private UInt128? _atSnapshot;
        private UInt128? _atLive;
        private JournalHead _head;
        private long _records;
        private long _events;
        private long _torn;
        private string? _problemFile;
        private long? _problemOffset;

        public void LoadNewestSnapshot(string directory)
        {
            foreach (var (_, path) in SnapshotStore.ListNewestFirst(directory))
            {
                if (SnapshotStore.TryRead(path, StateMachine.ReadSnapshot, out var machine, out var info, out var problem))
                {
                    _snapshot = info;
                    _snapshotPath = path;
                    _snapshotDigest = machine!.Digest();
                    return;
                }
                // Recovery would pass over it, but a damaged snapshot is still a difference an auditor must see.
                Problem($"snapshot '{Path.GetFileName(path)}' does not verify: {problem}", path, null);
            }
        }

        public void Replay(IJournalStore store)
        {
            try
            {
                var tail = store.Scan(Visit, out var totals, repair: false);
                _torn = totals.TruncatedBytes;
                if (tail.LastSequence != _head.Sequence) Problem($"the scan ended at {tail.LastSequence} but the replay at {_head.Sequence}", null, null);
            }
            catch (LedgerCorruptException ex)
            {
                Problem(ex.Message, ex.FilePath, ex.Offset);
            }
            catch (InvalidOperationException ex)
            {
                // The state machine refused a record the checksums accepted (e.g. timestamps going back): rewritten history.
                Problem($"record {_head.Sequence + 1} cannot be replayed: {ex.Message}", null, null);
            }
        }

        private void Visit(in RecordHeader header, ReadOnlySpan<byte> body, UInt128 chainHash)
        {
            _applier.Apply(_machine, header, body);
            _records++;
            _events += header.EventCount;
            _head = new JournalHead(header.Sequence, chainHash, _applier.LastTimestamp);
            CheckpointsAt(header.Sequence, chainHash, _applier.LastTimestamp);
        }

        /// <summary>Compares the replay after record <paramref name="sequence"/> with whatever was pinned at that sequence.</summary>
        public void CheckpointsAt(ulong sequence, UInt128 hash, ulong timestamp)
        {
            if (_snapshot is { } snapshot && snapshot.Sequence == sequence)
            {
                _atSnapshot = _machine.Digest();
                if (sequence != 0 && snapshot.RecordHash != hash)
                    Problem($"snapshot '{Path.GetFileName(_snapshotPath)}' was taken after a record {sequence} with a different hash than the journal's", _snapshotPath, null);
                if (_atSnapshot != _snapshotDigest)
                    Problem($"snapshot '{Path.GetFileName(_snapshotPath)}' state differs from the replayed state at record {sequence} (digest {_snapshotDigest:X32} vs {_atSnapshot:X32})", _snapshotPath, null);
            }
            if (options.LiveState is { } live && live.Sequence == sequence)
            {
                _atLive = _machine.Digest();
                if (_atLive != live.Digest) Problem($"the live state differs from the replayed state at record {sequence} (digest {live.Digest:X32} vs {_atLive:X32})", null, null);
            }
            if (options.ReadModel is { } readModel && readModel.Sequence == sequence) CompareReadModel(readModel);
            if (options.ExpectedHead is { } pinned && pinned.Sequence == sequence && (pinned.Hash != hash || (sequence != 0 && pinned.Timestamp != timestamp)))
                Problem($"the pinned head {pinned} differs from the journal's record {sequence} ({new JournalHead(sequence, hash, timestamp)}): history was rewritten", null, null);
        }

        /// <summary>The read models must hold exactly the replay's accounts and transfers at their projected sequence (at most 10 differences listed).</summary>
        private void CompareReadModel(LedgerReadModelContents readModel)
        {
            var before = _problems.Count;
            if (readModel.Accounts.Count != _machine.AccountCount)
                Problem($"the read models hold {readModel.Accounts.Count} accounts at record {readModel.Sequence}, the replay {_machine.AccountCount}", null, null);
            if (readModel.Transfers.Count != _machine.TransferCount)
                Problem($"the read models hold {readModel.Transfers.Count} transfers at record {readModel.Sequence}, the replay {_machine.TransferCount}", null, null);
            foreach (var row in readModel.Accounts)
            {
                if (_problems.Count - before >= 10) return;
                if (!_machine.TryGetAccount(row.Id, out var account) || !SameFieldsAndBalances(row, account))
                    Problem($"read-model account {row.Id} differs from the replay at record {readModel.Sequence}", null, null);
            }
            foreach (var row in readModel.Transfers)
            {
                if (_problems.Count - before >= 10) return;
                if (!_machine.TryGetTransfer(row.Id, out var transfer) || !row.Equals(transfer))
                    Problem($"read-model transfer {row.Id} differs from the replay at record {readModel.Sequence}", null, null);
            }
        }

        private static bool SameFieldsAndBalances(in Account row, in Account account) =>
            row.Ledger == account.Ledger && row.Code == account.Code && row.Flags == account.Flags && row.Timestamp == account.Timestamp
            && row.UserData128 == account.UserData128 && row.UserData64 == account.UserData64 && row.UserData32 == account.UserData32
            && row.DebitsPending == account.DebitsPending && row.DebitsPosted == account.DebitsPosted
            && row.CreditsPending == account.CreditsPending && row.CreditsPosted == account.CreditsPosted;

        /// <summary>Every pin must have been reached: a journal ending before one means records were deleted.</summary>
        public void CheckReachedAll()
        {
            var last = _head.Sequence;
            if (_snapshot is { } snapshot && snapshot.Sequence > last)
                Problem($"snapshot '{Path.GetFileName(_snapshotPath)}' reflects record {snapshot.Sequence} but the verified journal ends at {last}", _snapshotPath, null);
            if (options.LiveState is { } live && live.Sequence > last)
                Problem($"the live state reflects record {live.Sequence} but the verified journal ends at {last}", null, null);
            if (options.ReadModel is { } readModel && readModel.Sequence > last)
                Problem($"the read models reflect record {readModel.Sequence} but the verified journal ends at {last}", null, null);
            if (options.ExpectedHead is { } pinned && pinned.Sequence > last)
                Problem($"the pinned head is record {pinned.Sequence} but the verified journal ends at {last}: records were removed", null, null);
        }

        public LedgerVerifyReport Report(double seconds) => new(
            _problems.Count == 0, _records, _events, _head, _machine.Digest(), _snapshot?.Sequence, _snapshotDigest, _atSnapshot, _atLive,
            _torn, _problems, _problemFile, _problemOffset, seconds);

        private void Problem(string text, string? file, long? offset)
        {
            if (_problemFile is null && file is not null)
            {
                _problemFile = file;
                _problemOffset = offset;
            }
            _problems.Add(text);
        }
    }
}
