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
/// Tap to pay under concurrent load over real HTTP: N customers pay at the same time, each a sequence of
/// taps (the first with a coupon, some redeeming points). A few customers are funded too thinly on purpose,
/// so their last taps are declined for insufficient funds — counted as declines, not failures.
/// </summary>
internal static class TapBenchmark
{
    public static async Task<TapBenchFigures> RunAsync(IServiceProvider services, HttpClient api, int customers, int tapsPerCustomer, CancellationToken ct)
    {
        var (accounts, merchants) = await SetUpAsync(services, customers, ct);
        await WarmUpAsync(api, accounts[0], merchants[0], ct);
        var latencies = new ConcurrentBag<double>();
        var reasons = new ConcurrentDictionary<string, int>();
        int completed = 0, declined = 0, failed = 0;
        var committer = services.GetRequiredService<TapCommitter>();
        var (writes, groups) = (committer.WritesCommitted, committer.Groups);
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, customers), new ParallelOptions { MaxDegreeOfParallelism = customers, CancellationToken = ct }, async (c, token) =>
        {
            for (var t = 0; t < tapsPerCustomer; t++)
            {
                var body = new
                {
                    payment_id = $"bench-{c}-{t}", merchant_id = merchants[(c + t) % merchants.Count], amount = 2_000 + (t * 37 % 500), currency = "CNY",
                    account_id = accounts[c].ToString(CultureInfo.InvariantCulture), coupon = t == 0 ? "BENCH5" : null, redeem_points = t % 5 == 4 ? 10 : 0,
                };
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await api.PostAsJsonAsync(new Uri("v1/payments/tap", UriKind.Relative), body, token);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    if (response.IsSuccessStatusCode) Interlocked.Increment(ref completed);
                    else if ((int)response.StatusCode == 422)
                    {
                        Interlocked.Increment(ref declined);
                        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
                        reasons.AddOrUpdate(problem.RootElement.TryGetProperty("reason", out var r) ? r.GetString() ?? "?" : "?", 1, (_, n) => n + 1);
                    }
                    else Interlocked.Increment(ref failed);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        });
        clock.Stop();
        process.Refresh();
        var cpuMs = (process.TotalProcessorTime - cpu).TotalMilliseconds;
        var sorted = latencies.Order().ToArray();
        return new TapBenchFigures(checked(customers * tapsPerCustomer), completed, declined, failed,
            new Dictionary<string, int>(reasons), Percentile(sorted, 0.50), Percentile(sorted, 0.90), Percentile(sorted, 0.99), sorted.Length == 0 ? 0 : sorted[^1], clock.Elapsed.TotalSeconds,
            committer.WritesCommitted - writes, committer.Groups - groups, cpuMs);
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

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

    private static async Task WarmUpAsync(HttpClient api, UInt128 account, string merchant, CancellationToken ct)
    {
        for (var i = 0; i < 20; i++)
        {
            using var _ = await api.PostAsJsonAsync(new Uri("v1/payments/tap", UriKind.Relative),
                new { payment_id = $"warm-{i}", merchant_id = merchant, amount = 100, currency = "CNY", account_id = account.ToString(CultureInfo.InvariantCulture) }, ct);
        }
    }
}
