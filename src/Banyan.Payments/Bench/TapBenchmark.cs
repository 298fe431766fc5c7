using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Payments.Contracts;
using Banyan.Payments.Retail;
using Banyan.Platform.Money;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Bench;

/// <summary>Figures of one tap-to-pay run. Declines (business answers) are counted apart from failures (errors).</summary>
internal sealed record TapBenchFigures(int Requests, int Completed, int Declined, int Failed, IReadOnlyDictionary<string, int> DeclineReasons, double P50Ms, double P90Ms, double P99Ms, double MaxMs, double Seconds, long Writes, long Groups, double CpuMs)
{
    /// <summary>Process CPU time (server, EF Core, JSON and the in-process client together) per tap, in ms: robust to other load on the machine.</summary>
    public double CpuMsPerTap => Requests == 0 ? 0 : CpuMs / Requests;

    /// <summary>Share of answered payments that did not fail (declines are correct answers, not failures).</summary>
    public double SuccessRate => Requests == 0 ? 0 : (double)(Requests - Failed) / Requests;
}

/// <summary>
/// Tap to pay under load over real HTTP, two ways. Closed loop (<see cref="RunAsync"/>): N customers pay at the
/// same time, each tapping again as soon as its last tap is answered — the saturated throughput and tail. Open
/// loop (<see cref="PacedAsync"/>): taps arrive at a set rate whatever the host does (Poisson arrivals, the way
/// independent shoppers arrive), and each latency is counted from the tap's scheduled time, so a host that falls
/// behind is charged for the wait (no coordinated omission) — the latency a shop sees at that traffic. Every
/// fifth tap redeems points and every 20th customer is funded too thinly on purpose: its later taps are
/// declines (business answers), counted apart from failures.
/// </summary>
internal static class TapBenchmark
{
    /// <summary>Most taps in flight in an open-loop run: beyond it the generator waits (and the wait counts as latency).</summary>
    private const int MaxInFlight = 2_048;

    /// <summary>Opens and funds the customers and registers the merchants, programme and coupon both runs use.</summary>
    public static Task<(List<UInt128> Accounts, List<string> Merchants)> PrepareAsync(IServiceProvider services, int customers, CancellationToken ct) => SetUpAsync(services, customers, ct);

    /// <summary>
    /// Concurrent taps before anything is measured, so the JIT has compiled the hot paths at full optimisation
    /// (tiered compilation needs calls and time) and the pools are filled. Only well-funded customers tap, small
    /// amounts, no coupon: the measured runs meet the same coupon and funding rules as without it.
    /// </summary>
    public static async Task WarmUpAsync(HttpClient api, (List<UInt128> Accounts, List<string> Merchants) setUp, TimeSpan duration, CancellationToken ct)
    {
        var (accounts, merchants) = setUp;
        var funded = Enumerable.Range(0, accounts.Count).Where(c => c % 20 != 19).ToArray();
        var clock = Stopwatch.StartNew();
        var next = -1;
        await Parallel.ForEachAsync(funded, new ParallelOptions { MaxDegreeOfParallelism = funded.Length, CancellationToken = ct }, async (c, token) =>
        {
            while (clock.Elapsed < duration)
            {
                var i = Interlocked.Increment(ref next);
                using var _ = await api.PostAsJsonAsync(new Uri("v1/payments/tap", UriKind.Relative), Tap($"warm-{i}", merchants[i % merchants.Count], 100, accounts[c], null, 0), token);
            }
        });
    }

    /// <summary>
    /// Closed loop: every customer taps again as soon as its last tap is answered, so the host is saturated and
    /// the latency is mostly queueing (concurrency ÷ throughput). The first tap of each customer uses a coupon.
    /// </summary>
    public static async Task<TapBenchFigures> RunAsync(IServiceProvider services, HttpClient api, (List<UInt128> Accounts, List<string> Merchants) setUp, int tapsPerCustomer, CancellationToken ct)
    {
        var (accounts, merchants) = setUp;
        var run = new Recorder(services);
        await Parallel.ForEachAsync(Enumerable.Range(0, accounts.Count), new ParallelOptions { MaxDegreeOfParallelism = accounts.Count, CancellationToken = ct }, async (c, token) =>
        {
            for (var t = 0; t < tapsPerCustomer; t++)
            {
                var body = Tap($"bench-{c}-{t}", merchants[(c + t) % merchants.Count], 2_000 + (t * 37 % 500), accounts[c], t == 0 ? "BENCH5" : null, t % 5 == 4 ? 10 : 0);
                await run.TapAsync(api, body, Stopwatch.GetTimestamp(), token);
            }
        });
        return run.Finish(checked(accounts.Count * tapsPerCustomer));
    }

    /// <summary>
    /// Open loop at <paramref name="rate"/> taps per second for <paramref name="duration"/>: arrivals are a seeded
    /// Poisson process spread over the customers in turn; each tap is sent at its scheduled time without waiting
    /// for earlier answers, and its latency runs from that scheduled time.
    /// </summary>
    public static async Task<TapBenchFigures> PacedAsync(IServiceProvider services, HttpClient api, (List<UInt128> Accounts, List<string> Merchants) setUp, int rate, TimeSpan duration, int seed, CancellationToken ct)
    {
        var (accounts, merchants) = setUp;
        var arrivals = Arrivals(rate, duration, seed);
        var run = new Recorder(services);
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        var tasks = new List<Task>(arrivals.Length);
        var origin = Stopwatch.GetTimestamp();
        for (var i = 0; i < arrivals.Length; i++)
        {
            var due = origin + (long)(arrivals[i] * Stopwatch.Frequency);
            await WaitUntilAsync(due, ct);
            await inFlight.WaitAsync(ct);
            var start = Math.Min(due, Stopwatch.GetTimestamp()); // late: from the scheduled time; early: from the send
            var body = Tap($"paced-{rate}-{seed}-{i}", merchants[i % merchants.Count], 2_000 + (i * 37 % 500), accounts[i % accounts.Count], null, i % 5 == 4 ? 10 : 0);
            tasks.Add(SendAsync(body, start));
        }

        await Task.WhenAll(tasks);
        return run.Finish(arrivals.Length);

        async Task SendAsync(object body, long scheduled)
        {
            try
            {
                await run.TapAsync(api, body, scheduled, ct);
            }
            finally
            {
                inFlight.Release();
            }
        }
    }

    /// <summary>Arrival times in seconds from the start: exponential gaps with mean 1/rate (a Poisson process), seeded.</summary>
    internal static double[] Arrivals(int rate, TimeSpan duration, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, 1);
        var random = new Random(seed);
        var times = new List<double>(checked((int)(rate * duration.TotalSeconds * 1.2) + 16));
        for (var t = Gap(); t < duration.TotalSeconds; t += Gap()) times.Add(t);
        return [.. times];

        double Gap() => -Math.Log(1 - random.NextDouble()) / rate;
    }

    /// <summary>
    /// Sleeps until at most a millisecond before the due time (timers tick in milliseconds; spinning for the rest
    /// would take a core from the host under test). A tap sent early has its latency counted from its send.
    /// </summary>
    private static async Task WaitUntilAsync(long due, CancellationToken ct)
    {
        while (Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due) is var left && left > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(left - TimeSpan.FromMilliseconds(0.5), ct);
        }
    }

    private static object Tap(string paymentId, string merchant, long amount, UInt128 account, string? coupon, long redeemPoints) => new
    {
        payment_id = paymentId, merchant_id = merchant, amount, currency = "CNY",
        account_id = account.ToString(CultureInfo.InvariantCulture), coupon, redeem_points = redeemPoints,
    };

    /// <summary>Counts one run's answers and latencies, and the process CPU and group-commit figures over it.</summary>
    private sealed class Recorder
    {
        private readonly ConcurrentBag<double> _latencies = [];
        private readonly ConcurrentDictionary<string, int> _reasons = new(StringComparer.Ordinal);
        private readonly TapCommitter _committer;
        private readonly (long Writes, long Groups) _before;
        private readonly TimeSpan _cpu;
        private readonly Stopwatch _clock;
        private int _completed, _declined, _failed;

        public Recorder(IServiceProvider services)
        {
            _committer = services.GetRequiredService<TapCommitter>();
            _before = (_committer.WritesCommitted, _committer.Groups);
            using var process = Process.GetCurrentProcess();
            _cpu = process.TotalProcessorTime;
            _clock = Stopwatch.StartNew();
        }

        public async Task TapAsync(HttpClient api, object body, long started, CancellationToken ct)
        {
            try
            {
                using var response = await api.PostAsJsonAsync(new Uri("v1/payments/tap", UriKind.Relative), body, ct);
                _latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.IsSuccessStatusCode) Interlocked.Increment(ref _completed);
                else if ((int)response.StatusCode == 422)
                {
                    Interlocked.Increment(ref _declined);
                    using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                    _reasons.AddOrUpdate(problem.RootElement.TryGetProperty("reason", out var r) ? r.GetString() ?? "?" : "?", 1, (_, n) => n + 1);
                }
                else Interlocked.Increment(ref _failed);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref _failed);
            }
        }

        public TapBenchFigures Finish(int requests)
        {
            _clock.Stop();
            using var process = Process.GetCurrentProcess();
            var cpuMs = (process.TotalProcessorTime - _cpu).TotalMilliseconds;
            var sorted = _latencies.Order().ToArray();
            return new TapBenchFigures(requests, _completed, _declined, _failed, new Dictionary<string, int>(_reasons),
                Percentiles.Of(sorted, 0.50), Percentiles.Of(sorted, 0.90), Percentiles.Of(sorted, 0.99), sorted.Length == 0 ? 0 : sorted[^1], _clock.Elapsed.TotalSeconds,
                _committer.WritesCommitted - _before.Writes, _committer.Groups - _before.Groups, cpuMs);
        }
    }

    private static async Task<(List<UInt128> Accounts, List<string> Merchants)> SetUpAsync(IServiceProvider services, int customers, CancellationToken ct)
    {
        var catalog = services.GetRequiredService<Catalog>();
        var cny = Currencies.Cny;
        var programme = await catalog.CreateProgrammeAsync(new ProgrammeRequest("bench-points", cny, 100, new Dictionary<string, int> { ["5411"] = 200, ["5812"] = 300 }, 365, false), ct);
        var merchants = new List<string>();
        foreach (var (mcc, i) in new[] { "5411", "5812", "5999", "5912", "4111" }.Select((m, i) => (m, i)))
        {
            var m = await catalog.RegisterMerchantAsync(new MerchantRequest($"bench-m{i}", $"Bench merchant {i}", mcc, cny, 38, programme.Id), ct);
            merchants.Add(m.MerchantId);
        }

        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        await catalog.CreateCouponAsync(new CouponRequest("BENCH5", cny, "amount_off", 500, 0, 1_000, now.AddDays(-1), now.AddDays(1), 1, checked(500L * customers)), ct);
        var accounts = services.GetRequiredService<ICustomerAccounts>();
        var ids = new List<UInt128>(customers);
        for (var c = 0; c < customers; c++)
        {
            var a = await accounts.OpenAsync($"bench-c{c}", cny, ct);
            // Every 20th customer can afford only a few taps: its later taps are business declines.
            var funds = c % 20 == 19 ? 5_000 : 10_000_000;
            var deposit = await accounts.DepositAsync(a.AccountId, funds, $"bench-fund-{c}", ct);
            if (!deposit.Succeeded) throw new InvalidOperationException("Funding a benchmark customer failed: " + deposit.Reason);
            ids.Add(a.AccountId);
        }

        return (ids, merchants);
    }
}
