using System.Collections.Concurrent;
using Banyan.Aml.RuleSets;
using Banyan.Aml.Screening;
using Banyan.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.Aml.Live;

/// <summary>
/// Real-time monitoring (decision 0407): tails the ledger's durable journal stream, turns each created transfer into
/// the rule engine's transaction and stores the alerts it raises, with the flows for the network view. Rule state lives
/// in memory, so on start (and when another rule set is activated) the stream is replayed from the first record to
/// rebuild the windows; records at or below the stored sequence only warm the rules up and write nothing, so a restart
/// stores no alert twice and counts no flow twice.
/// </summary>
internal sealed class LiveMonitor(IServiceProvider services, IServiceScopeFactory scopes, TimeProvider time, SanctionsLists sanctions, ILogger<LiveMonitor> log)
    : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly ConcurrentQueue<MonitoredAccountRow> _registrations = new();
    private readonly object _gate = new();
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _processed;
    private volatile bool _reload;

    /// <summary>The last journal record the rules have seen (stored or warm-up).</summary>
    public ulong ProcessedSequence => (ulong)Volatile.Read(ref _processed);

    /// <summary>The rule set the running engine uses.</summary>
    public RuleSet? ActiveRuleSet { get; private set; }

    /// <summary>
    /// Raised on the monitor's loop after a chunk's effects are committed: (last sequence of the chunk, the alerts inserted with
    /// the journal record that raised each). The bench measures latency with it.
    /// </summary>
    public event Action<ulong, IReadOnlyList<LiveAlert>>? Stored;

    /// <summary>A registry entry stored by the API: applied before the next journal record is processed.</summary>
    public void Enqueue(MonitoredAccountRow row) => _registrations.Enqueue(row);

    /// <summary>Asks the loop to rebuild the engine with the newly active rule set (replaying history into it).</summary>
    public void Reload() => _reload = true;

    /// <summary>Completes once the monitor has processed (and stored) journal record <paramref name="sequence"/>.</summary>
    public async Task WaitForSequenceAsync(ulong sequence, CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (ProcessedSequence >= sequence) return;
                wait = _progress.Task;
            }
            await wait.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<LedgerEngine>() is not { } ledger)
        {
            log.LogInformation("AML real-time monitoring is off: the host has no ledger engine");
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RunOnceAsync(ledger, stoppingToken)) return;
            }
            catch (Exception e) when (stoppingToken.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (Exception e) when (e is LedgerFaultedException or LedgerCorruptException)
            {
                log.LogError(e, "AML monitor stopped at sequence {Sequence}: the journal stream failed", ProcessedSequence);
                return;
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or IOException or FormatException or System.Data.Common.DbException)
            {
                log.LogWarning(e, "AML monitor failed after sequence {Sequence}; rebuilding from the stored sequence", ProcessedSequence);
                await Task.Delay(RetryDelay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>One subscription from the first record. True when the stream ended (engine disposed); false to rebuild.</summary>
    private async Task<bool> RunOnceAsync(LedgerEngine ledger, CancellationToken ct)
    {
        _reload = false;
        var (stored, engine) = await BuildAsync(ct);
        var run = new Run(engine, stored, warming: stored > 0);
        var chunk = new Chunk();
        await foreach (var commit in ledger.SubscribeAsync(1, ct))
        {
            if (_reload) return false;
            chunk.Add(commit, time.GetTimestamp());
            // Keep reading while more durable records are already there (a backlog), up to the chunk's limits; then
            // evaluate them in order and commit their effects with the stream position in one transaction (decision 0640).
            if (commit.Sequence < ledger.JournalHead.Sequence && !chunk.Full(time)) continue;
            await ProcessAsync(ledger, run, chunk, ct);
            chunk.Clear();
        }
        return true;
    }

    /// <summary>The engine being fed, the last stored sequence, and whether the records are still warm-up (at or below it).</summary>
    private sealed class Run(LiveEngine engine, ulong stored, bool warming)
    {
        public LiveEngine Engine { get; } = engine;
        public ulong Stored { get; set; } = stored;
        public bool Warming { get; set; } = warming;
    }

    /// <summary>Looks the chunk's transfers up in one go, runs them through the rules in journal order, and stores the effects.</summary>
    private async Task ProcessAsync(LedgerEngine ledger, Run run, Chunk chunk, CancellationToken ct)
    {
        var created = await CreatedTransfersAsync(ledger, chunk.Commits, ct);
        var engine = run.Engine;
        var flows = new List<Flow>();
        foreach (var commit in chunk.Commits)
        {
            if (run.Warming && commit.Sequence > run.Stored)
            {
                // Warm-up is over. Its alerts were stored before the restart (or, after a rule-set change, belong to
                // history the new version did not run on live); only episodes that continue from here are written.
                engine.Drain();
                flows.Clear();
                run.Warming = false;
            }
            while (_registrations.TryDequeue(out var row)) engine.Register(row);
            engine.Sequence = commit.Sequence;
            foreach (var transfer in created.GetValueOrDefault(commit.Sequence) ?? [])
                if (engine.Observe(transfer) is { } flow && !run.Warming) flows.Add(flow);
        }
        var last = chunk.Commits[^1].Sequence;
        // A chunk with no alert and no flow (no registered customer involved) writes nothing: re-processing it after a
        // restart has no effect either, so the stored sequence may lag behind such records.
        if (!run.Warming && (flows.Count > 0 || engine.Pending > 0))
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            var inserted = await LiveStore.SaveAsync(db, last, engine.Drain(), flows, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            run.Stored = last;
            Stored?.Invoke(last, inserted);
        }
        Chunks++;
        Advance(last);
    }

    /// <summary>Chunks committed since start (one database transaction at most each).</summary>
    public long Chunks { get; private set; }

    /// <summary>The journal records read since the last commit, bounded so a backlog cannot make one commit arbitrarily large or late.</summary>
    private sealed class Chunk
    {
        public const int MaxRecords = 512;
        public const int MaxTransfers = 4_096;
        public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(50);

        public List<LedgerCommit> Commits { get; } = [];
        private int _transfers;
        private long _startedAt;

        public void Add(LedgerCommit commit, long timestamp)
        {
            if (Commits.Count == 0) _startedAt = timestamp;
            Commits.Add(commit);
            if (commit.Kind == LedgerCommitKind.CreateTransfers) _transfers += commit.EventCount;
        }

        public bool Full(TimeProvider time) => Commits.Count >= MaxRecords || _transfers >= MaxTransfers || time.GetElapsedTime(_startedAt) >= MaxAge;

        public void Clear()
        {
            Commits.Clear();
            _transfers = 0;
        }
    }

    private async Task<(ulong Stored, LiveEngine Engine)> BuildAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        await sanctions.LoadNewestAsync(db, ct);
        var ruleSet = await RuleSetStore.LoadActiveAsync(db, ct);
        var engine = new LiveEngine(ruleSet, () => sanctions.Current?.Matcher);
        _registrations.Clear(); // everything queued so far is in the table read next
        foreach (var row in await db.Set<MonitoredAccountRow>().AsNoTracking().OrderBy(r => r.RegisteredAtUnixMs).ThenBy(r => r.AccountId).ToListAsync(ct))
            engine.Register(row);
        ActiveRuleSet = ruleSet;
        Volatile.Write(ref _processed, 0);
        return ((ulong)await LiveStore.LoadSequenceAsync(db, ct), engine);
    }

    private void Advance(ulong sequence)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            Volatile.Write(ref _processed, checked((long)sequence));
            done = _progress;
            _progress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.TrySetResult();
    }

    /// <summary>
    /// The transfers each record created, as stored, keyed by sequence (the journal holds inputs: an event created its
    /// transfer iff the stored transfer with its id carries the event's timestamp; a post stores the accounts and amount it
    /// inherited). One lookup per <see cref="LedgerEngine.MaxBatchEvents"/> ids for the whole chunk, not one per record.
    /// </summary>
    internal static async Task<Dictionary<ulong, List<Transfer>>> CreatedTransfersAsync(LedgerEngine ledger, IReadOnlyList<LedgerCommit> commits, CancellationToken ct)
    {
        var transfers = commits.Where(c => c.Kind == LedgerCommitKind.CreateTransfers).ToList();
        var found = new Dictionary<UInt128, Transfer>();
        foreach (var chunk in transfers.SelectMany(c => c.Requests).SelectMany(r => r.Transfers.Select(t => t.Id)).Distinct().Chunk(LedgerEngine.MaxBatchEvents))
            foreach (var t in await ledger.LookupTransfersAsync(chunk, ct)) found[t.Id] = t;
        var result = new Dictionary<ulong, List<Transfer>>();
        foreach (var commit in transfers)
        {
            var created = result[commit.Sequence] = [];
            foreach (var request in commit.Requests)
                for (var i = 0; i < request.Transfers.Count; i++)
                    if (found.TryGetValue(request.Transfers[i].Id, out var t) && t.Timestamp == request.EventTimestamp(i)) created.Add(t);
        }
        return result;
    }
}
