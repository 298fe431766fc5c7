using System.Diagnostics;

namespace Banyan.Gateway;

/// <summary>
/// Lock-free histogram of the gateway middleware's own time per call (excluding the endpoint), in
/// 1 µs buckets up to 2 ms and 100 µs buckets up to 100 ms; slower calls land in the last bucket.
/// </summary>
internal sealed class OverheadStats
{
    private const int FineBuckets = 2_000;
    private const int CoarseBuckets = 980;
    private readonly long[] _buckets = new long[FineBuckets + CoarseBuckets + 1];
    private long _count;
    private long _blocked;
    private long _rateLimited;
    private long _stepUps;

    public long Count => Interlocked.Read(ref _count);

    public long Blocked => Interlocked.Read(ref _blocked);

    public long RateLimited => Interlocked.Read(ref _rateLimited);

    public long StepUps => Interlocked.Read(ref _stepUps);

    public void Record(long stopwatchTicks)
    {
        var micros = (long)(stopwatchTicks * 1_000_000.0 / Stopwatch.Frequency);
        var bucket = micros < FineBuckets ? micros : Math.Min(FineBuckets + ((micros - FineBuckets) / 100), _buckets.Length - 1);
        Interlocked.Increment(ref _buckets[bucket]);
        Interlocked.Increment(ref _count);
    }

    public void CountBlocked() => Interlocked.Increment(ref _blocked);

    public void CountRateLimited() => Interlocked.Increment(ref _rateLimited);

    public void CountStepUp() => Interlocked.Increment(ref _stepUps);

    /// <summary>The upper edge (µs) of the bucket holding the <paramref name="quantile"/> call, or 0 with no calls.</summary>
    public double PercentileMicros(double quantile)
    {
        var total = Count;
        if (total == 0) return 0;
        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank) return i < FineBuckets ? i + 1 : FineBuckets + ((i - FineBuckets + 1) * 100.0);
        }

        return FineBuckets + (CoarseBuckets * 100.0);
    }

    public void Reset()
    {
        for (var i = 0; i < _buckets.Length; i++) Interlocked.Exchange(ref _buckets[i], 0);
        Interlocked.Exchange(ref _count, 0);
    }
}
