using System.Collections.Concurrent;

namespace Banyan.Gateway;

/// <summary>
/// An exponentially decayed event count: each event adds 1, and the total decays with time constant
/// τ. Divided by τ it estimates the recent rate; O(1) memory whatever the traffic.
/// </summary>
internal struct DecayingCounter
{
    private double _value;
    private long _atTicks;

    public double ValueAt(DateTimeOffset now, double tauSeconds)
    {
        var elapsed = (now.UtcTicks - _atTicks) / (double)TimeSpan.TicksPerSecond;
        // Out-of-order timestamps (clock steps, concurrent callers) never make the count grow.
        return elapsed <= 0 ? _value : _value * Math.Exp(-elapsed / tauSeconds);
    }

    public void Add(DateTimeOffset now, double tauSeconds, double weight = 1)
    {
        _value = ValueAt(now, tauSeconds) + weight;
        if (now.UtcTicks > _atTicks) _atTicks = now.UtcTicks;
    }

    public double RatePerSecond(DateTimeOffset now, double tauSeconds) => ValueAt(now, tauSeconds) / tauSeconds;
}

/// <summary>
/// Decayed counts per category (region, hour of day, endpoint) with a fixed number of slots: when
/// full, the weakest category is replaced, so memory stays bounded and stale categories fade.
/// </summary>
internal sealed class DecayingHistogram(int slots)
{
    private readonly string[] _keys = new string[slots];
    private readonly DecayingCounter[] _counts = new DecayingCounter[slots];
    private DecayingCounter _total;
    private int _used;

    /// <summary>All calls ever learned (undecayed), to know whether the baseline is established.</summary>
    public long Observations { get; private set; }

    public void Add(string key, DateTimeOffset now, double tau)
    {
        Observations++;
        _total.Add(now, tau);
        var slot = Array.IndexOf(_keys, key, 0, _used);
        if (slot < 0) slot = _used < _keys.Length ? _used++ : Weakest(now, tau);
        if (_keys[slot] != key)
        {
            _keys[slot] = key;
            _counts[slot] = default;
        }

        _counts[slot].Add(now, tau);
    }

    /// <summary>Share (0–1) of the decayed total that <paramref name="key"/> has.</summary>
    public double Share(string key, DateTimeOffset now, double tau)
    {
        var total = _total.ValueAt(now, tau);
        if (total <= 0) return 0;
        var slot = Array.IndexOf(_keys, key, 0, _used);
        return slot < 0 ? 0 : _counts[slot].ValueAt(now, tau) / total;
    }

    private int Weakest(DateTimeOffset now, double tau)
    {
        var weakest = 0;
        for (var i = 1; i < _used; i++)
        {
            if (_counts[i].ValueAt(now, tau) < _counts[weakest].ValueAt(now, tau)) weakest = i;
        }

        return weakest;
    }
}

/// <summary>
/// The distinct keys seen within a sliding window, keeping at most <c>capacity</c> of them (the
/// thresholds that read it are far smaller, so a full set already means "too many").
/// </summary>
internal sealed class RecentDistinct(int capacity)
{
    private readonly Dictionary<string, long> _lastSeen = new(StringComparer.Ordinal);

    public int CountAfterAdding(string key, DateTimeOffset now, double windowSeconds)
    {
        var cutoff = now.UtcTicks - (long)(windowSeconds * TimeSpan.TicksPerSecond);
        if (!_lastSeen.ContainsKey(key) && _lastSeen.Count >= capacity) Prune(cutoff);
        if (_lastSeen.ContainsKey(key) || _lastSeen.Count < capacity) _lastSeen[key] = now.UtcTicks;
        var count = 0;
        foreach (var seen in _lastSeen.Values)
        {
            if (seen >= cutoff) count++;
        }

        return count;
    }

    public bool Contains(string key) => _lastSeen.ContainsKey(key);

    private void Prune(long cutoff)
    {
        foreach (var (key, seen) in _lastSeen)
        {
            if (seen < cutoff) _lastSeen.Remove(key);
        }
    }
}

/// <summary>A concurrent map with a size bound (checked every 64 inserts): past it, the least recently touched half is dropped.</summary>
internal sealed class BoundedMap<TState>(int capacity, Func<TState> create)
    where TState : class, ITouched
{
    private readonly ConcurrentDictionary<string, TState> _map = new(StringComparer.Ordinal);
    private int _evicting;
    private long _inserts;

    public int Count => _map.Count;

    public TState Get(string key, DateTimeOffset now)
    {
        // Only an insert checks the bound: ConcurrentDictionary.Count takes every lock, too dear per call.
        if (!_map.TryGetValue(key, out var state))
        {
            var created = create();
            state = _map.GetOrAdd(key, created);
            if (ReferenceEquals(state, created) && Interlocked.Increment(ref _inserts) % 64 == 0 && _map.Count > capacity) Evict();
        }

        state.LastTouchedTicks = now.UtcTicks;
        return state;
    }

    public TState? Find(string key) => _map.TryGetValue(key, out var state) ? state : null;

    public void RemoveWhere(Func<string, bool> predicate)
    {
        foreach (var key in _map.Keys)
        {
            if (predicate(key)) _map.TryRemove(key, out _);
        }
    }

    private void Evict()
    {
        // One evictor at a time; others carry on (the bound is soft by at most the concurrent inserts).
        if (Interlocked.Exchange(ref _evicting, 1) == 1) return;
        try
        {
            var ticks = _map.Values.Select(s => s.LastTouchedTicks).Order().ToArray();
            var cutoff = ticks[ticks.Length / 2];
            foreach (var (key, state) in _map)
            {
                if (state.LastTouchedTicks <= cutoff) _map.TryRemove(key, out _);
            }
        }
        finally
        {
            Volatile.Write(ref _evicting, 0);
        }
    }
}

/// <summary>State that remembers when it was last used, for eviction.</summary>
internal interface ITouched
{
    long LastTouchedTicks { get; set; }
}
