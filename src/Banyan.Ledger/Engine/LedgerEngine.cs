using System.Diagnostics;
using System.Threading.Channels;
using Banyan.Ledger.Engine;
using Banyan.Ledger.Journal;

namespace Banyan.Ledger;

/// <summary>
/// The ledger facade: the only place in Banyan where money moves. Thread-safe; callers from any
/// thread submit batches, which the engine coalesces into journal records (group commit), applies on
/// a single writer thread, and acknowledges only once the record is durable.
/// </summary>
/// <remarks>
/// Once a request is queued it will be applied: cancelling its token only abandons the wait for a
/// queue slot, never a request the engine has accepted. See docs/ledger-journal.md.
/// </remarks>
public sealed class LedgerEngine : IAsyncDisposable
{
    /// <summary>The largest number of events in one request (and one journal record).</summary>
    public const int MaxBatchEvents = 8190;

    private readonly Channel<Request> _queue;
    private readonly Flusher _flusher;
    private readonly JournalWriter _journal;
    private readonly WriterLoop _writer;
    private readonly ExpiryScheduler _expiry;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LedgerFaultedException? _fault;
    private readonly FileStream _directoryLock;
    private int _disposed;

    private LedgerEngine(LedgerOptions options, RecoveredLedger recovered, TimeProvider time, FileStream directoryLock)
    {
        _directoryLock = directoryLock;
        LastReplay = recovered.Statistics;
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(options.RequestQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _journal = new JournalWriter(options.Directory, options.SegmentBytes, options.Fsync, recovered.Tail, options.BeforeJournalSync, options.DirectIo);
        _flusher = new Flusher(_journal, options.PipelineRecords, Fault);
        _expiry = new ExpiryScheduler(time, _queue.Writer);
        _writer = new WriterLoop(options, recovered, _queue.Reader, _flusher, time, _expiry);
        _thread = new Thread(RunWriter) { IsBackground = true, Name = "ledger-writer" };
        _thread.Start();
    }

    /// <summary>Opens (creating if absent) the ledger in <see cref="LedgerOptions.Directory"/>, recovering from the journal.</summary>
    /// <exception cref="LedgerCorruptException">A checksum fails before the tail: names the file and offset.</exception>
    /// <exception cref="IOException">Another engine (in this or another process) has the directory open.</exception>
    public static LedgerEngine Open(LedgerOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Directory.CreateDirectory(options.Directory);
        var directoryLock = LockDirectory(options.Directory);
        try
        {
            var recovered = LedgerRecovery.Recover(options);
            return new LedgerEngine(options, recovered, time ?? TimeProvider.System, directoryLock);
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>One writer per journal: an exclusive lock file held for the engine's lifetime (flock on Unix).</summary>
    private static FileStream LockDirectory(string directory)
    {
        var path = Path.Combine(directory, "ledger.lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"The ledger directory '{directory}' is already open by another engine.", ex);
        }
    }

    /// <summary>What the recovery that opened this engine did (records and events replayed, time taken).</summary>
    public LedgerReplayStatistics LastReplay { get; }

    /// <summary>Current counters for metrics; cheap, lock-free, safe from any thread.</summary>
    public LedgerStatistics Statistics => new(
        _writer.AppliedSequence,
        _flusher.DurableSequence,
        _flusher.RecordsWritten,
        _flusher.BytesWritten,
        _writer.EventsApplied,
        _writer.Accounts,
        _writer.Transfers,
        _writer.SnapshotSequence,
        _writer.LastSnapshotError,
        _journal.Appends,
        Seconds(_writer.ApplyTicks),
        Seconds(_journal.WriteTicks),
        Seconds(_journal.SyncTicks),
        _journal.DirectIo);

    private static double Seconds(long stopwatchTicks) => (double)stopwatchTicks / Stopwatch.Frequency;

    /// <summary>Creates accounts; one result per event, in order. Completes when durable.</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxBatchEvents"/> events.</exception>
    /// <exception cref="LedgerFaultedException">The engine failed and accepts no more work.</exception>
    public ValueTask<CreateAccountResult[]> CreateAccountsAsync(ReadOnlyMemory<Account> accounts, CancellationToken cancellationToken = default)
    {
        CheckBatch(accounts.Length, nameof(accounts));
        if (accounts.IsEmpty) return ValueTask.FromResult(Array.Empty<CreateAccountResult>());
        var request = new CreateAccountsRequest(accounts);
        return Submit(request, request.Task, cancellationToken);
    }

    /// <summary>Creates transfers; one result per event, in order. Completes when durable.</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxBatchEvents"/> events.</exception>
    /// <exception cref="LedgerFaultedException">The engine failed and accepts no more work.</exception>
    public ValueTask<CreateTransferResult[]> CreateTransfersAsync(ReadOnlyMemory<Transfer> transfers, CancellationToken cancellationToken = default)
    {
        CheckBatch(transfers.Length, nameof(transfers));
        if (transfers.IsEmpty) return ValueTask.FromResult(Array.Empty<CreateTransferResult>());
        var request = new CreateTransfersRequest(transfers);
        return Submit(request, request.Task, cancellationToken);
    }

    /// <summary>The accounts found among <paramref name="ids"/>, in request order; absent ids are skipped.</summary>
    /// <remarks>Never shows state that could still be lost: completes once everything applied before it is durable.</remarks>
    public ValueTask<Account[]> LookupAccountsAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default)
    {
        CheckBatch(ids.Length, nameof(ids));
        if (ids.IsEmpty) return ValueTask.FromResult(Array.Empty<Account>());
        var request = new LookupAccountsRequest(ids);
        return Submit(request, request.Task, cancellationToken);
    }

    /// <summary>The transfers found among <paramref name="ids"/>, in request order; absent ids are skipped.</summary>
    /// <remarks>Never shows state that could still be lost: completes once everything applied before it is durable.</remarks>
    public ValueTask<Transfer[]> LookupTransfersAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default)
    {
        CheckBatch(ids.Length, nameof(ids));
        if (ids.IsEmpty) return ValueTask.FromResult(Array.Empty<Transfer>());
        var request = new LookupTransfersRequest(ids);
        return Submit(request, request.Task, cancellationToken);
    }

    /// <summary>Runs <paramref name="inspect"/> on the writer thread in queue order (tests, diagnostics: e.g. the state digest).</summary>
    internal ValueTask<T> InspectAsync<T>(Func<StateMachine, T> inspect, CancellationToken cancellationToken = default)
    {
        var request = new InspectRequest<T>(inspect);
        return Submit(request, request.Task, cancellationToken);
    }

    /// <summary>Flushes, stops the writer and closes the journal.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _queue.Writer.TryComplete();
            _expiry.Dispose();
        }
        await _stopped.Task.ConfigureAwait(false);
    }

    private void RunWriter()
    {
        try
        {
            _writer.Run();
        }
        catch (Exception ex)
        {
            Fault(ex);
        }
        finally
        {
            // Fail what the writer holds before waiting for the flusher, which may be stuck on the disk.
            if (_fault is not null) _writer.FailPending(_fault);
            _flusher.Close();
            _journal.Dispose();
            if (_fault is not null) _writer.FailPending(_fault); // anything queued while the flusher drained
            _directoryLock.Dispose();
            _stopped.TrySetResult();
        }
    }

    /// <summary>An engine bug or a journal failure: fail everyone waiting, refuse new work, stop the writer.</summary>
    private void Fault(Exception error)
    {
        var fault = error as LedgerFaultedException
            ?? new LedgerFaultedException("The ledger engine failed and refuses further work; restart to recover from the journal.", error);
        Interlocked.CompareExchange(ref _fault, fault, null);
        _queue.Writer.TryComplete();
    }

    private ValueTask<T> Submit<T>(Request request, Task<T> completion, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        if (_queue.Writer.TryWrite(request)) return new ValueTask<T>(completion);
        return SubmitSlowly(request, completion, cancellationToken);
    }

    private async ValueTask<T> SubmitSlowly<T>(Request request, Task<T> completion, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            ThrowIfUnavailable();
            throw new ObjectDisposedException(nameof(LedgerEngine));
        }
        return await completion.ConfigureAwait(false);
    }

    private void ThrowIfUnavailable()
    {
        if (_fault is { } fault) throw new LedgerFaultedException(fault.Message, fault.InnerException ?? fault);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
    }

    private static void CheckBatch(int length, string name)
    {
        if (length > MaxBatchEvents)
            throw new ArgumentException($"A request holds at most {MaxBatchEvents} events; this one has {length}.", name);
    }
}
