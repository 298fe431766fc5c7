using System.Diagnostics;
using System.Threading.Channels;
using Banyan.Ledger.Engine;
using Banyan.Ledger.Journal;
using Banyan.Ledger.Postgres;
using Npgsql;

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
public sealed partial class LedgerEngine : IAsyncDisposable
{
    /// <summary>The largest number of events in one request (and one journal record).</summary>
    public const int MaxBatchEvents = 8190;

    private readonly Channel<Request> _queue;
    private readonly Flusher _flusher;
    private readonly IJournalAppender _journal;
    private readonly IJournalStore _store;
    private readonly ClusterState _cluster;
    private readonly NpgsqlDataSource? _dataSource;
    private LeaseKeeper? _keeper;
    private readonly WriterLoop _writer;
    private readonly ExpiryScheduler _expiry;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LedgerFaultedException? _fault;
    private readonly FileStream _directoryLock;
    private int _disposed;

    private LedgerEngine(LedgerOptions options, RecoveredLedger recovered, TimeProvider time, FileStream directoryLock, StoreHandle store)
    {
        _directoryLock = directoryLock;
        _store = store.Store;
        _cluster = store.Cluster;
        _dataSource = store.Source;
        LastReplay = recovered.Statistics;
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(options.RequestQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _journal = _store.OpenAppender(recovered.Tail);
        _flusher = new Flusher(_journal, options.PipelineRecords, Fault, recovered.LastTimestamp);
        _expiry = new ExpiryScheduler(time, _queue.Writer);
        _writer = new WriterLoop(options, recovered, _queue.Reader, _flusher, time, _expiry, _cluster);
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
        StoreHandle? store = null;
        LedgerEngine? engine = null;
        try
        {
            store = StoreHandle.Open(options);
            var recovered = LedgerRecovery.Recover(options, store.Store);
            engine = new LedgerEngine(options, recovered, time ?? TimeProvider.System, directoryLock, store);
            engine.StartCluster(options);
            return engine;
        }
        catch
        {
            if (engine is not null)
            {
                engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            else
            {
                directoryLock.Dispose();
                store?.Source?.Dispose();
            }
            throw;
        }
    }

    /// <summary>With the PostgreSQL journal: start as a standby and run the lease loop (its first round here, so a lone node opens as leader).</summary>
    private void StartCluster(LedgerOptions options)
    {
        if (_dataSource is null) return;
        _cluster.BecomeStandby();
        _keeper = new LeaseKeeper(this, _dataSource, _cluster, options);
        _keeper.Start();
    }

    /// <summary>The journal backend chosen by <see cref="LedgerOptions.Journal"/>, with what it needs.</summary>
    private sealed record StoreHandle(IJournalStore Store, ClusterState Cluster, NpgsqlDataSource? Source)
    {
        public static StoreHandle Open(LedgerOptions options)
        {
            var cluster = new ClusterState();
            if (options.Journal == LedgerJournalKind.File) return new StoreHandle(new FileJournalStore(options), cluster, null);
            var source = NpgsqlDataSource.Create(options.PostgresConnectionString!);
            try
            {
                PostgresSchema.Ensure(source);
                return new StoreHandle(new PostgresJournalStore(source, cluster), cluster, source);
            }
            catch
            {
                source.Dispose();
                throw;
            }
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

    /// <summary>Flushes, stops the writer and closes the journal; a PostgreSQL leader then releases its lease.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // The lease loop first: it may be waiting on the writer, which is still running.
            _keeper?.Stop();
            _queue.Writer.TryComplete();
            _expiry.Dispose();
            await _stopped.Task.ConfigureAwait(false);
            // Only after the last append: a standby that took over earlier would fence our final writes.
            _keeper?.Release();
            _keeper?.Dispose();
            if (_dataSource is not null) await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
        await _stopped.Task.ConfigureAwait(false);
    }

    /// <summary>This node's role in the ledger cluster (always <see cref="LedgerRole.Single"/> with the file journal), fencing token and lag.</summary>
    public LedgerClusterStatus Cluster
    {
        get
        {
            var applied = _writer.AppliedSequence;
            var role = _cluster.Role;
            var leader = role == LedgerRole.Leader;
            var seen = _cluster.LeaderSequence;
            return new LedgerClusterStatus(
                role, leader ? _cluster.Token : Interlocked.Read(ref _cluster.CurrentToken), _cluster.LeaderAddress, _cluster.LeaderNode,
                applied, leader || seen <= applied ? 0 : seen - applied, _cluster.LastError);
        }
    }

    internal bool IsFaulted => Volatile.Read(ref _fault) is not null;

    /// <summary>The last applied record (a standby's follow position): the durable head, which on a standby equals what it applied.</summary>
    internal (ulong Sequence, UInt128 Hash) FollowTail
    {
        get
        {
            var head = _flusher.Head;
            return (head.Sequence, head.Hash);
        }
    }

    /// <summary>Applies records read from the shared journal on the writer thread; returns once applied.</summary>
    internal void ApplyFollowed(List<FollowedRecord> records)
    {
        var request = new FollowRequest(records);
        // The lease keeper's own thread may block: it has nothing else to do until the writer applied this.
        Submit(request, request.Task, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Makes this caught-up standby the leader with <paramref name="token"/>; returns once writes are accepted.</summary>
    internal void Promote(long token)
    {
        var request = new PromoteRequest(token);
        // The lease keeper's own thread may block: it has nothing else to do until the writer applied this.
        Submit(request, request.Task, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The lease keeper found this node fenced (or the shared journal corrupt): stop, failing everything waiting.</summary>
    internal void FaultFromCluster(Exception error)
    {
        if (error is LedgerFencedException) _cluster.BecomeFenced();
        Fault(error);
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
        if (FindFenced(error) is not null) _cluster.BecomeFenced();
        var fault = error as LedgerFaultedException
            ?? (error is LedgerFencedException fenced ? new LedgerFaultedException(fenced.Message, fenced) : null)
            ?? new LedgerFaultedException("The ledger engine failed and refuses further work; restart to recover from the journal.", error);
        Interlocked.CompareExchange(ref _fault, fault, null);
        _queue.Writer.TryComplete();
    }

    /// <summary>The fencing error anywhere in <paramref name="error"/>'s inner chain.</summary>
    internal static LedgerFencedException? FindFenced(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is LedgerFencedException fenced) return fenced;
        }
        return null;
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
