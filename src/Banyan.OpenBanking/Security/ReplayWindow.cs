using System.Collections.Concurrent;

namespace Banyan.OpenBanking.Security;

/// <summary>
/// In-memory one-time values with an expiry: a concurrent dictionary (lock-striped internally) keyed by
/// 128 bits of the value's SHA-256, plus expiry buckets of <see cref="BucketMs"/> so expired entries are
/// dropped a bucket at a time instead of by scanning. Bounded by <see cref="Capacity"/>; when full the caller
/// must fall back to the database (never accept unchecked). Decision 0620.
/// </summary>
internal sealed class ReplayWindow(int capacity = ReplayWindow.DefaultCapacity)
{
    public const int DefaultCapacity = 2_000_000;
    public const long BucketMs = 5_000;

    private readonly ConcurrentDictionary<UInt128, long> _seen = new();
    private readonly ConcurrentDictionary<long, ConcurrentQueue<UInt128>> _buckets = new();
    private long _nextSweepMs;

    public int Capacity { get; } = capacity;

    public int Count => _seen.Count;

    /// <summary>
    /// True when <paramref name="key"/> was not seen, or its earlier use has expired, and it is now remembered until
    /// <paramref name="expiresAtMs"/>; false for a replay; null when the window is full (ask the database instead).
    /// </summary>
    public bool? TryUse(UInt128 key, long expiresAtMs, long nowMs)
    {
        Sweep(nowMs);
        while (true)
        {
            if (_seen.TryGetValue(key, out var until))
            {
                if (until >= nowMs)
                {
                    return false;
                }

                if (!_seen.TryUpdate(key, expiresAtMs, until))
                {
                    continue; // another caller renewed it first; look again
                }
            }
            else
            {
                if (_seen.Count >= Capacity)
                {
                    return null;
                }

                if (!_seen.TryAdd(key, expiresAtMs))
                {
                    continue;
                }
            }

            _buckets.GetOrAdd(expiresAtMs / BucketMs, _ => new ConcurrentQueue<UInt128>()).Enqueue(key);
            return true;
        }
    }

    /// <summary>Remembers a value already used elsewhere (loaded from the database on start).</summary>
    public void Remember(UInt128 key, long expiresAtMs, long nowMs) => TryUse(key, expiresAtMs, nowMs);

    /// <summary>Drops the buckets that ended before <paramref name="nowMs"/> (at most once per bucket length).</summary>
    private void Sweep(long nowMs)
    {
        var due = Interlocked.Read(ref _nextSweepMs);
        if (nowMs < due || Interlocked.CompareExchange(ref _nextSweepMs, nowMs + BucketMs, due) != due)
        {
            return;
        }

        foreach (var bucket in _buckets.Keys.Where(b => ((b + 1) * BucketMs) <= nowMs).ToList())
        {
            if (!_buckets.TryRemove(bucket, out var keys))
            {
                continue;
            }

            while (keys.TryDequeue(out var key))
            {
                // Only if still expired: the value may have been legitimately reused later with a new expiry.
                if (_seen.TryGetValue(key, out var until) && until < nowMs)
                {
                    _seen.TryRemove(new KeyValuePair<UInt128, long>(key, until));
                }
            }
        }
    }
}
