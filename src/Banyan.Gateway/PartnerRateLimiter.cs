using System.Collections.Concurrent;

namespace Banyan.Gateway;

/// <summary>The limiter's answer: allowed, or which window is full and when it reopens.</summary>
internal readonly record struct LimitVerdict(bool Allowed, string? Window, long RetryAfterSeconds)
{
    public static LimitVerdict Allow { get; } = new(true, null, 0);
}

/// <summary>
/// Per-partner fixed windows (second, minute, hour, calendar month UTC), all checked on every call;
/// a call is counted in every window only when all of them have room, so rejected calls use no quota.
/// Decision 0751 explains fixed windows and what a restart forgets.
/// </summary>
internal sealed class PartnerRateLimiter(Func<string, PartnerLimits> limitsOf, int maxPartners = PartnerRateLimiter.DefaultMaxPartners)
{
    public const int DefaultMaxPartners = 100_000;
    private readonly ConcurrentDictionary<string, Counters> _partners = new(StringComparer.Ordinal);

    public LimitVerdict TryAcquire(string partner, DateTimeOffset now)
    {
        if (!_partners.TryGetValue(partner, out var counters))
        {
            counters = _partners.GetOrAdd(partner, static _ => new Counters());
            if (_partners.Count > maxPartners) Evict(now);
        }

        var limits = limitsOf(partner);
        lock (counters)
        {
            return counters.TryAcquire(limits, now);
        }
    }

    /// <summary>Calls counted in the partner's current month (in this process).</summary>
    public long MonthCount(string partner, DateTimeOffset now)
    {
        if (!_partners.TryGetValue(partner, out var counters)) return 0;
        lock (counters)
        {
            return counters.Month.CountAt(MonthIndex(now));
        }
    }

    /// <summary>Seeds the month's count (e.g. from stored metering after a restart) if it is higher than what this process counted.</summary>
    public void SeedMonth(string partner, DateTimeOffset now, long count)
    {
        var counters = _partners.GetOrAdd(partner, static _ => new Counters());
        lock (counters)
        {
            var month = MonthIndex(now);
            if (counters.Month.CountAt(month) < count) counters.Month = new Window(month, count);
        }
    }

    internal static long MonthIndex(DateTimeOffset now) => (now.UtcDateTime.Year * 12L) + now.UtcDateTime.Month - 1;

    private void Evict(DateTimeOffset now)
    {
        // Partners idle for more than an hour have nothing in their second/minute/hour windows;
        // forgetting them loses only their in-process month count, which metering keeps anyway.
        var hour = now.ToUnixTimeSeconds() / 3600;
        foreach (var (key, counters) in _partners)
        {
            if (counters.Hour.Index < hour) _partners.TryRemove(key, out _);
        }
    }

    private struct Window(long index, long count)
    {
        public long Index = index;
        public long Count = count;

        public readonly long CountAt(long index) => Index == index ? Count : 0;
    }

    private sealed class Counters
    {
        public Window Second;
        public Window Minute;
        public Window Hour;
        public Window Month;

        public LimitVerdict TryAcquire(PartnerLimits limits, DateTimeOffset now)
        {
            var seconds = now.ToUnixTimeSeconds();
            var month = MonthIndex(now);
            if (Second.CountAt(seconds) >= limits.PerSecond) return Full("second", 1);
            if (Minute.CountAt(seconds / 60) >= limits.PerMinute) return Full("minute", 60 - (seconds % 60));
            if (Hour.CountAt(seconds / 3600) >= limits.PerHour) return Full("hour", 3600 - (seconds % 3600));
            if (Month.CountAt(month) >= limits.PerMonth) return Full("month", SecondsToNextMonth(now));
            Second = new Window(seconds, Second.CountAt(seconds) + 1);
            Minute = new Window(seconds / 60, Minute.CountAt(seconds / 60) + 1);
            Hour = new Window(seconds / 3600, Hour.CountAt(seconds / 3600) + 1);
            Month = new Window(month, Month.CountAt(month) + 1);
            return LimitVerdict.Allow;
        }

        private static LimitVerdict Full(string window, long retryAfter) => new(false, window, Math.Max(1, retryAfter));

        private static long SecondsToNextMonth(DateTimeOffset now)
        {
            var utc = now.UtcDateTime;
            var next = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
            return (long)Math.Ceiling((next - now).TotalSeconds);
        }
    }
}
