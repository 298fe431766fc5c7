using System.Threading.Channels;

namespace Banyan.Ledger.Engine;

/// <summary>
/// Wakes the writer when the earliest pending-transfer deadline passes and no traffic would otherwise
/// make it look: a timer on the engine's <see cref="TimeProvider"/> queues one <see cref="PulseRequest"/>.
/// The writer decides whether a pulse record is really due (the timer may fire early), so this class
/// never touches the state machine. <see cref="Reschedule"/> and <see cref="Fired"/> run on the writer thread.
/// </summary>
internal sealed class ExpiryScheduler : IDisposable
{
    // System timers refuse due times beyond ~49 days; a far deadline just re-arms when the timer fires.
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(1);
    private readonly TimeProvider _time;
    private readonly ChannelWriter<Request> _queue;
    private readonly ITimer _timer;
    private readonly PulseRequest _pulse = new();
    private int _queued;
    private ulong _scheduledFor;

    public ExpiryScheduler(TimeProvider time, ChannelWriter<Request> queue)
    {
        _time = time;
        _queue = queue;
        _timer = time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Arms the timer for <paramref name="expiryNs"/> (0 = nothing pending) if that changed.</summary>
    public void Reschedule(ulong expiryNs)
    {
        if (expiryNs == _scheduledFor) return;
        _scheduledFor = expiryNs;
        if (expiryNs == 0)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        var now = TimeUnits.ToUnixNanoseconds(_time.GetUtcNow());
        if (expiryNs <= now)
        {
            OnTimer(); // already due: no timer, whose clock might not move again (an idle ledger)
            return;
        }
        var delayTicks = Math.Min((expiryNs - now + 99) / 100, (ulong)MaxDelay.Ticks);
        _timer.Change(TimeSpan.FromTicks((long)delayTicks), Timeout.InfiniteTimeSpan);
    }

    /// <summary>The writer took the pulse request: allow the next one and re-arm on the next reschedule.</summary>
    public void Fired()
    {
        Volatile.Write(ref _queued, 0);
        _scheduledFor = 0;
    }

    private void OnTimer()
    {
        // One pulse request in the queue at a time; if the queue is full, traffic is flowing and the
        // writer checks the deadline before every record anyway.
        if (Interlocked.CompareExchange(ref _queued, 1, 0) != 0) return;
        if (!_queue.TryWrite(_pulse)) Volatile.Write(ref _queued, 0);
    }

    public void Dispose() => _timer.Dispose();
}
