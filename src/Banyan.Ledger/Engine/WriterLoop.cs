using System.Diagnostics;
using System.Threading.Channels;
using Banyan.Ledger.Journal;

namespace Banyan.Ledger.Engine;

/// <summary>
/// The single writer thread: the only thread that touches the state machine after recovery. It takes
/// requests from the bounded queue, coalesces consecutive creates of the same kind into one record
/// (≤ 8,190 events; each request keeps its own boundaries and timestamp), applies them, and hands the
/// record to the <see cref="Flusher"/>. Reads run here too, in queue order, and wait for durability.
/// </summary>
internal sealed class WriterLoop
{
    private readonly LedgerOptions _options;
    private readonly StateMachine _machine;
    private readonly ChannelReader<Request> _queue;
    private readonly Flusher _flusher;
    private readonly TimeProvider _time;
    private readonly ExpiryScheduler _expiry;
    private readonly List<CreateRequest> _batch = new(64);
    private readonly Postgres.ClusterState _cluster;
    private RecordApplier? _follower;
    private Request? _carry;
    private Request? _inHand;
    private ulong _lastTimestamp;
    private ulong _appliedSequence;
    private ulong _lastSnapshotSequence;
    private long _eventsApplied;

    public WriterLoop(LedgerOptions options, RecoveredLedger recovered, ChannelReader<Request> queue, Flusher flusher, TimeProvider time, ExpiryScheduler expiry, Postgres.ClusterState cluster)
    {
        _cluster = cluster;
        _options = options;
        _machine = recovered.Machine;
        _queue = queue;
        _flusher = flusher;
        _time = time;
        _expiry = expiry;
        _lastTimestamp = recovered.LastTimestamp;
        _appliedSequence = recovered.Tail.LastSequence;
        _lastSnapshotSequence = recovered.SnapshotSequence;
        SnapshotSequence = recovered.SnapshotSequence;
        PublishCounts();
    }

    public ulong AppliedSequence => Volatile.Read(ref _appliedSequence);

    public long EventsApplied => Interlocked.Read(ref _eventsApplied);

    /// <summary>Stopwatch ticks the writer spent copying and applying create records.</summary>
    public long ApplyTicks => Interlocked.Read(ref _applyTicks);

    private long _applyTicks;

    public int Accounts { get; private set; }

    public long Transfers { get; private set; }

    public ulong SnapshotSequence { get; private set; }

    public string? LastSnapshotError { get; private set; }

    /// <summary>Runs until the queue is completed and drained. Throws on an engine bug (the caller faults the engine).</summary>
    public void Run()
    {
        _expiry.Reschedule(NextExpiry);
        while (Take() is { } request)
        {
            _inHand = request;
            Handle(request);
            _inHand = null;
            _expiry.Reschedule(NextExpiry);
        }
    }

    /// <summary>After a fault: fail the request in hand and everything still queued.</summary>
    public void FailPending(Exception error)
    {
        _inHand?.Fail(error);
        _inHand = null;
        foreach (var request in _batch) request.Fail(error);
        _batch.Clear();
        _carry?.Fail(error);
        _carry = null;
        while (_queue.TryRead(out var request)) request.Fail(error);
    }

    private Request? Take()
    {
        if (_carry is { } carried)
        {
            _carry = null;
            return carried;
        }
        while (true)
        {
            if (_queue.TryRead(out var request)) return request;
            // A dedicated thread may block: this is the only consumer and it has nothing else to do.
            if (!_queue.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) return null;
        }
    }

    private void Handle(Request request)
    {
        switch (request)
        {
            case CreateRequest create when !CanWrite:
                create.Fail(new LedgerNotLeaderException(NotLeaderMessage()) { Leader = _cluster.LeaderAddress });
                break;
            case CreateRequest create:
                PulseIfDue();
                Coalesce(create);
                ApplyRecord();
                MaybeSnapshot();
                break;
            case ReadRequest read:
                PulseIfDue();
                read.Run(_machine);
                ReleaseWhenDurable(read);
                break;
            case PulseRequest:
                _expiry.Fired();
                PulseIfDue();
                MaybeSnapshot();
                break;
            case FollowRequest follow:
                ApplyFollowed(follow.Records);
                follow.Complete();
                MaybeSnapshot();
                break;
            case PromoteRequest promote:
                // Invariant: only a standby is promoted, and only after catching up (it applied everything committed).
                if (_cluster.Role != Postgres.ClusterState.StandbyRole) throw new InvalidOperationException($"Promotion of a {_cluster.Role} node.");
                _cluster.BecomeLeader(promote.Token);
                promote.Complete();
                break;
            default:
                throw new InvalidOperationException($"Unknown request {request.GetType().Name}.");
        }
    }

    /// <summary>Takes whatever else is already queued of the same kind, up to one record's worth of events.</summary>
    private void Coalesce(CreateRequest first)
    {
        _batch.Clear();
        _batch.Add(first);
        var events = first.EventCount;
        while (_queue.TryRead(out var next))
        {
            if (next is CreateRequest create && create.Kind == first.Kind && events + create.EventCount <= RecordHeader.MaxEventsPerRecord)
            {
                _batch.Add(create);
                events += create.EventCount;
                continue;
            }
            _carry = next;
            break;
        }
    }

    private void ApplyRecord()
    {
        var item = _flusher.Rent();
        var start = Stopwatch.GetTimestamp();
        var buffer = item.Memory.Span;
        var events = 0;
        foreach (var request in _batch) events += request.EventCount;
        var position = RecordHeader.Size + _batch.Count * RecordHeader.DescriptorSize;
        for (var i = 0; i < _batch.Count; i++)
        {
            var request = _batch[i];
            var timestamp = NextTimestamp(request.EventCount);
            new RequestDescriptor(timestamp, request.EventCount).Write(buffer[(RecordHeader.Size + i * RecordHeader.DescriptorSize)..]);
            position += request.CopyAndApply(_machine, buffer[position..], timestamp);
            item.Waiters.Add(request);
        }
        var sequence = _appliedSequence + 1;
        var body = position - RecordHeader.Size;
        new RecordHeader(_batch[0].RecordKind, sequence, body, _batch.Count, events, default, default).WriteWithoutChecksum(buffer);
        item.Length = position;
        item.Sequence = sequence;
        item.LastTimestamp = _lastTimestamp;
        _batch.Clear();
        Interlocked.Add(ref _applyTicks, Stopwatch.GetTimestamp() - start);
        Commit(item, events);
    }

    /// <summary>A standby never journals pulses (it applies the leader's), so it arms no expiry timer: an overdue deadline would otherwise wake it in a loop.</summary>
    private ulong NextExpiry => CanWrite ? _machine.NextExpiryTimestamp : 0;

    /// <summary>The file journal's single node and the PostgreSQL lease holder write; standbys and fenced nodes do not.</summary>
    private bool CanWrite => _cluster.Role is LedgerRole.Single or LedgerRole.Leader;

    private string NotLeaderMessage() => _cluster.Role == LedgerRole.Fenced
        ? "This ledger node was fenced (another node took its lease) and accepts no writes; nothing was applied."
        : $"This ledger node is a standby and accepts no writes; nothing was applied. The leader is {_cluster.LeaderAddress ?? "not known yet"}.";

    /// <summary>A standby applies the leader's records exactly as recovery would (same events, recorded timestamps).</summary>
    private void ApplyFollowed(List<FollowedRecord> records)
    {
        // Invariant: the lease keeper follows only while this node is a standby.
        if (CanWrite) throw new InvalidOperationException("A writing node was handed followed records.");
        _follower ??= new RecordApplier();
        foreach (var record in records)
        {
            if (record.Header.Sequence != _appliedSequence + 1)
                throw new InvalidOperationException($"Followed record {record.Header.Sequence} does not follow {_appliedSequence}.");
            _follower.LastTimestamp = Math.Max(_lastTimestamp, _machine.LastTimestamp);
            _follower.Apply(_machine, record.Header, record.Body.Span);
            _lastTimestamp = _follower.LastTimestamp;
            Volatile.Write(ref _appliedSequence, record.Header.Sequence);
            Interlocked.Add(ref _eventsApplied, record.Header.EventCount);
            _flusher.Followed(record.Header.Sequence, record.ChainHash, _lastTimestamp);
        }
        PublishCounts();
    }

    /// <summary>Journals a pulse when the earliest pending-transfer deadline has passed on the engine's clock.</summary>
    private void PulseIfDue()
    {
        if (!CanWrite) return; // the leader journals pulses; a standby applies them as followed records
        var expiry = _machine.NextExpiryTimestamp;
        if (expiry == 0 || NowNs() < expiry) return;
        var item = _flusher.Rent();
        var buffer = item.Memory.Span;
        var timestamp = NextTimestamp(0);
        var sequence = _appliedSequence + 1;
        new RequestDescriptor(timestamp, 0).Write(buffer[RecordHeader.Size..]);
        new RecordHeader(RecordKind.Pulse, sequence, RecordHeader.DescriptorSize, 1, 0, default, default).WriteWithoutChecksum(buffer);
        _machine.Pulse(timestamp);
        item.Length = RecordHeader.Size + RecordHeader.DescriptorSize;
        item.Sequence = sequence;
        item.LastTimestamp = _lastTimestamp;
        Commit(item, 0);
    }

    private void Commit(FlushItem item, int events)
    {
        Volatile.Write(ref _appliedSequence, item.Sequence);
        Interlocked.Add(ref _eventsApplied, events);
        PublishCounts();
        _flusher.Submit(item);
    }

    /// <summary>A read sees everything applied before it; it is released once all of that is durable.</summary>
    private void ReleaseWhenDurable(ReadRequest read)
    {
        if (_flusher.DurableSequence >= _appliedSequence)
        {
            read.Complete();
            return;
        }
        var barrier = new FlushItem();
        barrier.Waiters.Add(read);
        _flusher.Submit(barrier);
    }

    /// <summary>max(now, last + 1): strictly increasing even if the wall clock steps back; event i gets timestamp + i.</summary>
    private ulong NextTimestamp(int events)
    {
        var timestamp = Math.Max(NowNs(), Math.Max(_lastTimestamp, _machine.LastTimestamp) + 1);
        _lastTimestamp = timestamp + (ulong)Math.Max(events, 1) - 1;
        return timestamp;
    }

    private ulong NowNs() => TimeUnits.ToUnixNanoseconds(_time.GetUtcNow());

    private void MaybeSnapshot()
    {
        var every = _options.SnapshotEveryRecords;
        if (every <= 0 || _appliedSequence - _lastSnapshotSequence < (ulong)every) return;
        _lastSnapshotSequence = _appliedSequence;
        // A snapshot must never reflect a record that could still be lost: wait for it to be durable.
        var recordHash = _flusher.WaitDurable(_appliedSequence);
        try
        {
            var info = new SnapshotInfo(_appliedSequence, recordHash, Math.Max(_lastTimestamp, _machine.LastTimestamp));
            SnapshotStore.Write(_options.Directory, info, _machine.WriteSnapshot, _options.Fsync);
            SnapshotStore.Prune(_options.Directory, keep: 2);
            SnapshotSequence = _appliedSequence;
            LastSnapshotError = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The journal is intact and remains the source of truth; a failed snapshot only costs restart time.
            LastSnapshotError = ex.Message;
        }
    }

    private void PublishCounts()
    {
        Accounts = _machine.AccountCount;
        Transfers = _machine.TransferCount;
    }
}

/// <summary>Nanoseconds since the Unix epoch, the ledger's timestamp unit.</summary>
internal static class TimeUnits
{
    public static ulong ToUnixNanoseconds(DateTimeOffset time) =>
        (ulong)(time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100UL;
}
