using Microsoft.Extensions.Logging;

namespace Banyan.StaffConsole.Api;

/// <summary>
/// One dashboard feed for the whole host (decision 0667): while at least one dashboard is open, a single
/// <see cref="PeriodicTimer"/> samples the API every <see cref="Interval"/> and pushes the snapshot to every
/// subscribed circuit, so N open dashboards cost one set of API calls per tick, not N. With no subscriber the
/// timer stops. The throughput history is kept here too, so a newly opened dashboard shows it at once.
/// </summary>
internal sealed class DashboardBroadcaster : IAsyncDisposable
{
    /// <summary>How often the shared feed samples while someone is watching.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>Throughput points kept for the line chart (two minutes at the interval).</summary>
    public const int HistoryLength = 60;

    /// <summary>Open dashboards one host serves; a limit on everything (each is a circuit anyway).</summary>
    public const int MaxSubscribers = 10_000;

    /// <summary>The actor the shared feed reads as (<c>console:dashboard-feed</c>): it is no staff member's read.</summary>
    public const string FeedActor = "dashboard-feed";

    private readonly Func<CancellationToken, Task<DashboardSnapshot>> _sample;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _sampling = new(1, 1);
    private readonly List<Subscription> _subscribers = [];
    private readonly Queue<double> _history = new();
    private CancellationTokenSource? _loopStop;
    private Task _loop = Task.CompletedTask;
    private DashboardState? _latest;

    public DashboardBroadcaster(ConsoleApi api, TimeProvider time, ILogger<DashboardBroadcaster> log)
        : this(CreateSampler(api, time), time, log)
    {
    }

    /// <summary>For tests: any sampler (the real one goes through the API).</summary>
    internal DashboardBroadcaster(Func<CancellationToken, Task<DashboardSnapshot>> sample, TimeProvider time, ILogger log)
    {
        _sample = sample;
        _time = time;
        _log = log;
    }

    private static Func<CancellationToken, Task<DashboardSnapshot>> CreateSampler(ConsoleApi api, TimeProvider time)
    {
        var feed = new DashboardFeed(api, time);
        return ct => feed.SampleAsync(FeedActor, ct);
    }

    /// <summary>How many circuits are subscribed now.</summary>
    public int SubscriberCount
    {
        get { lock (_gate) return _subscribers.Count; }
    }

    /// <summary>The latest state, sampling once if nobody has sampled yet (the first page load).</summary>
    public async Task<DashboardState> CurrentAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _latest) is { } latest) return latest;
        return await SampleAsync(ct);
    }

    /// <summary>
    /// Pushes every new state to <paramref name="onState"/> (called on the feed's thread: marshal to the
    /// renderer with <c>InvokeAsync</c>). Dispose the result to stop; the last one out stops the timer.
    /// </summary>
    public IDisposable Subscribe(Func<DashboardState, Task> onState)
    {
        var subscription = new Subscription(this, onState);
        lock (_gate)
        {
            if (_subscribers.Count >= MaxSubscribers) throw new InvalidOperationException($"At most {MaxSubscribers} open dashboards.");
            _subscribers.Add(subscription);
            if (_loopStop is null)
            {
                // The timer exists before Subscribe returns, so no tick between now and the loop's first wait is lost.
                _loopStop = new CancellationTokenSource();
                _loop = LoopAsync(new PeriodicTimer(Interval, _time), _loopStop);
            }
        }

        return subscription;
    }

    private void Unsubscribe(Subscription subscription)
    {
        CancellationTokenSource? stop = null;
        lock (_gate)
        {
            if (!_subscribers.Remove(subscription) || _subscribers.Count > 0) return;
            (stop, _loopStop) = (_loopStop, null);
        }

        // The loop disposes its own source when it ends.
        stop?.Cancel();
    }

    private async Task LoopAsync(PeriodicTimer timer, CancellationTokenSource stop)
    {
        // Yield first so Subscribe never runs the loop's body under its lock.
        await Task.Yield();
        using var owned = stop;
        using var ownedTimer = timer;
        var ct = stop.Token;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var state = await SampleAsync(ct);
                await PublishAsync(state);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The last dashboard closed or the host stops.
        }
    }

    private async Task<DashboardState> SampleAsync(CancellationToken ct)
    {
        // One sampler at a time: the feed's throughput is a difference between consecutive samples.
        await _sampling.WaitAsync(ct);
        try
        {
            var snapshot = await _sample(ct);
            if (snapshot.TransfersPerSecond is { } tps)
            {
                _history.Enqueue(tps);
                while (_history.Count > HistoryLength) _history.Dequeue();
            }

            var state = new DashboardState(snapshot, [.. _history]);
            Volatile.Write(ref _latest, state);
            return state;
        }
        catch (HttpRequestException e)
        {
            // A failed tick keeps the last state; the next tick tries again.
            _log.LogWarning(e, "Dashboard feed sample failed");
            return _latest ?? throw new InvalidOperationException("The dashboard feed has no sample yet.", e);
        }
        finally
        {
            _sampling.Release();
        }
    }

    private async Task PublishAsync(DashboardState state)
    {
        Subscription[] targets;
        lock (_gate) targets = [.. _subscribers];
        foreach (var target in targets)
        {
            try
            {
                await target.OnState(state);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One broken circuit must not stop the others' feed.
                _log.LogDebug(e, "A dashboard subscriber failed to render");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        CancellationTokenSource? stop;
        lock (_gate)
        {
            _subscribers.Clear();
            (stop, _loopStop) = (_loopStop, null);
        }

        if (stop is not null) await stop.CancelAsync();
        await _loop;
    }

    private sealed class Subscription(DashboardBroadcaster owner, Func<DashboardState, Task> onState) : IDisposable
    {
        public Func<DashboardState, Task> OnState { get; } = onState;

        public void Dispose() => owner.Unsubscribe(this);
    }
}

/// <summary>What every open dashboard shows: the latest snapshot and the recent throughput points.</summary>
internal sealed record DashboardState(DashboardSnapshot Snapshot, IReadOnlyList<double> Throughput);
