using Banyan.Ledger.Journal;
using Banyan.Ledger.Streaming;

namespace Banyan.Ledger.Engine;

/// <summary>
/// One slot of the commit pipeline: a record buffer (or none, for a read barrier) and the callers to
/// release once it is durable. Slots with buffers are pooled, which bounds the memory in flight.
/// </summary>
internal sealed class FlushItem
{
    /// <summary>A read barrier: no record, only callers to release in FIFO order.</summary>
    public FlushItem() => Memory = Memory<byte>.Empty;

    /// <summary>A record slot: pinned, 4 KiB-aligned (O_DIRECT writes straight from it), room for padding.</summary>
    public FlushItem(int capacity)
    {
        var array = GC.AllocateUninitializedArray<byte>(capacity + RecordHeader.Alignment, pinned: true);
        Memory = array.AsMemory(DurableFile.AlignmentOffset(array), capacity);
        HasRecord = true;
    }

    public Memory<byte> Memory { get; }

    public bool HasRecord { get; }

    public int Length { get; set; }

    public ulong Sequence { get; set; }

    /// <summary>The highest engine timestamp the record assigned (for the journal head).</summary>
    public ulong LastTimestamp { get; set; }

    public List<PendingWork> Waiters { get; } = [];
}

/// <summary>
/// The flusher thread: takes every record the writer has handed over, writes them with one gather
/// write and ONE fdatasync (group commit), then releases their callers in order. While it waits on
/// the disk the writer thread applies the next records (pipelining). Read barriers ride in the same
/// FIFO, so a lookup is released only after every record applied before it is durable.
/// </summary>
internal sealed class Flusher
{
    private readonly object _gate = new();
    private readonly Queue<FlushItem> _queue = new();
    private readonly Stack<FlushItem> _free = new();
    private readonly IJournalAppender _journal;
    private readonly Action<Exception> _onFault;
    private readonly Thread _thread;
    private readonly List<FlushItem> _taken = new(64);
    private readonly List<PendingRecord> _records = new(64);
    private bool _closed;
    private Exception? _fault;
    private long _durableSequence;
    private JournalHead _head;

    public Flusher(IJournalAppender journal, int slots, Action<Exception> onFault, ulong lastTimestamp = 0)
    {
        _head = new JournalHead(journal.LastSequence, journal.LastChainHash, lastTimestamp);
        _journal = journal;
        _onFault = onFault;
        for (var i = 0; i < slots; i++) _free.Push(new FlushItem(RecordHeader.MaxPaddedRecordLength));
        _durableSequence = (long)journal.LastSequence;
        _thread = new Thread(Run) { IsBackground = true, Name = "ledger-flusher" };
        _thread.Start();
    }

    public ulong DurableSequence => (ulong)Interlocked.Read(ref _durableSequence);

    /// <summary>Pulsed after every group commit and when the flusher stops (journal subscribers wait on it).</summary>
    public DurableSignal Durable { get; } = new();

    /// <summary>The newest durable record: sequence, chain hash, timestamp.</summary>
    public JournalHead Head
    {
        get
        {
            lock (_gate) return _head;
        }
    }

    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public long RecordsWritten => Interlocked.Read(ref _recordsWritten);

    private long _bytesWritten;
    private long _recordsWritten;

    /// <summary>Blocks the writer until a record slot is free (bounded memory in flight).</summary>
    public FlushItem Rent()
    {
        lock (_gate)
        {
            while (_free.Count == 0 && _fault is null) Monitor.Wait(_gate);
            ThrowIfFaulted();
            var item = _free.Pop();
            item.Waiters.Clear();
            item.Length = 0;
            return item;
        }
    }

    public void Submit(FlushItem item)
    {
        lock (_gate)
        {
            ThrowIfFaulted();
            _queue.Enqueue(item);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Blocks until <paramref name="sequence"/> is durable; returns the journal's chain hash at that point.</summary>
    public UInt128 WaitDurable(ulong sequence)
    {
        lock (_gate)
        {
            while (DurableSequence < sequence && _fault is null) Monitor.Wait(_gate);
            ThrowIfFaulted();
            return _journal.LastChainHash;
        }
    }

    /// <summary>
    /// A standby applied records the leader appended: they are durable by definition (read back from
    /// the shared journal), so the durable head moves and subscribers wake. Runs on the writer thread
    /// while nothing of this node's own is in flight (a standby journals nothing).
    /// </summary>
    public void Followed(ulong sequence, UInt128 chainHash, ulong lastTimestamp)
    {
        lock (_gate)
        {
            ThrowIfFaulted();
            // Invariant: a standby never hands records to the flusher.
            if (_queue.Count != 0) throw new InvalidOperationException("A standby has its own records in flight.");
            _journal.Follow(sequence, chainHash);
            Interlocked.Exchange(ref _durableSequence, checked((long)sequence));
            _head = new JournalHead(sequence, chainHash, lastTimestamp);
            Monitor.PulseAll(_gate);
        }
        Durable.Pulse();
    }

    /// <summary>No more submissions: the thread drains what it has and exits.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
        Durable.Pulse();
    }

    private void Run()
    {
        try
        {
            while (TakeAll())
            {
                WriteAndRelease();
            }
        }
        catch (Exception ex)
        {
            FailEverything(ex);
            _onFault(ex);
        }
    }

    private bool TakeAll()
    {
        lock (_gate)
        {
            while (_queue.Count == 0 && !_closed) Monitor.Wait(_gate);
            if (_queue.Count == 0) return false;
            while (_queue.TryDequeue(out var item)) _taken.Add(item);
            return true;
        }
    }

    private void WriteAndRelease()
    {
        _records.Clear();
        ulong last = 0, lastTimestamp = 0;
        foreach (var item in _taken)
        {
            if (!item.HasRecord) continue;
            _records.Add(new PendingRecord(item.Memory, item.Length));
            last = item.Sequence;
            lastTimestamp = item.LastTimestamp;
        }
        var before = _journal.BytesWritten;
        _journal.Append(_records);
        Interlocked.Add(ref _bytesWritten, _journal.BytesWritten - before);
        Interlocked.Add(ref _recordsWritten, _records.Count);
        lock (_gate)
        {
            if (last != 0)
            {
                Interlocked.Exchange(ref _durableSequence, (long)last);
                _head = new JournalHead(last, _journal.LastChainHash, lastTimestamp);
            }
            foreach (var item in _taken)
            {
                foreach (var waiter in item.Waiters) waiter.Complete();
                if (item.HasRecord) _free.Push(item);
            }
            _taken.Clear();
            Monitor.PulseAll(_gate);
        }
        if (last != 0) Durable.Pulse();
    }

    private void FailEverything(Exception ex)
    {
        var error = ex is LedgerFencedException fenced
            ? new LedgerFaultedException(fenced.Message, fenced)
            : new LedgerFaultedException("The ledger journal failed; nothing after the last durable record was acknowledged.", ex);
        lock (_gate)
        {
            _fault = error;
            while (_queue.TryDequeue(out var item)) _taken.Add(item);
            foreach (var item in _taken)
            {
                foreach (var waiter in item.Waiters) waiter.Fail(error);
            }
            _taken.Clear();
            Monitor.PulseAll(_gate);
        }
        Durable.Pulse();
    }

    private void ThrowIfFaulted()
    {
        if (_fault is not null) throw _fault;
    }
}
