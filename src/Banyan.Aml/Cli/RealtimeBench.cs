using System.Collections.Concurrent;
using System.Diagnostics;
using Banyan.Aml.Cases;
using Banyan.Aml.Live;
using Banyan.Aml.Screening;
using Banyan.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.Cli;

/// <summary>The AML tables alone on SQLite, for the real-time bench (the host uses its shared context instead).</summary>
internal sealed class RealtimeBenchDb(DbContextOptions<RealtimeBenchDb> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        CaseModel.Configure(modelBuilder);
        LiveModel.Configure(modelBuilder);
    }
}

/// <summary>
/// <c>banyan bench aml --realtime</c>: an in-process ledger engine and the real monitor (journal stream → rules → SQLite),
/// one client posting batches of transfers with planted structuring bursts. Latency is measured from submitting the
/// batch whose transfer completes a burst to the commit of the alert row (the monitor's <see cref="LiveMonitor.Stored"/>).
/// Printed, never asserted.
/// </summary>
internal static class RealtimeBench
{
    private const uint Tag = 0x414D4C42; // "AMLB": the bench's ids in the top 32 bits (docs/architecture.md)
    private const uint Cny = 156;
    private const int Batch = 100;

    /// <summary>A steady offered rate: one batch every <see cref="Interval"/> sized to <paramref name="Rate"/>, for <paramref name="Seconds"/>.</summary>
    internal sealed record Pace(int Rate, int Seconds)
    {
        public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

        /// <summary>Transfers per paced batch: the rate spread over 100 batches a second (at least one).</summary>
        public int BatchSize => Math.Max(1, (int)Math.Ceiling(Rate / 100.0));
    }

    public static async Task<Dictionary<string, object>> RunAsync(int transfers, int planted, int seed, TextWriter log, CancellationToken ct, Pace? pace = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-aml-rt-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            // Capacities sized to the run: the defaults preallocate for millions of transfers.
            await using var ledger = LedgerEngine.Open(new LedgerOptions
            {
                Directory = Path.Combine(directory, "ledger"), AccountCapacity = Math.Max(1024, (planted + transfers / 2 + 200) * 2), TransferCapacity = Math.Max(4096, (transfers + planted * 3) * 2L),
            });
            var services = new ServiceCollection()
                .AddLogging()
                .AddSingleton(TimeProvider.System)
                .AddSingleton(ledger)
                .AddSingleton<SanctionsLists>()
                .AddSingleton<LiveMonitor>()
                .AddDbContext<RealtimeBenchDb>(o => o.UseSqlite($"Data Source={Path.Combine(directory, "aml.db")}"))
                .AddScoped<DbContext>(sp => sp.GetRequiredService<RealtimeBenchDb>());
            await using var provider = services.BuildServiceProvider();
            // Enough customers that ordinary traffic stays ordinary: about two debits each, far from the 10 a velocity spike needs and two payees (no fan-in/out).
            var customers = planted + Math.Max(100, transfers / 2);
            var setup = Stopwatch.StartNew();
            await SetUpAsync(provider, ledger, customers, ct);
            log.WriteLine($"set-up (ledger open, {customers + 1} accounts, schema, registry): {setup.Elapsed.TotalSeconds:0.00} s");
            return await MeasureAsync(provider, ledger, Plan(transfers, customers, planted, seed), planted, pace, log, ct);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static UInt128 Id(ulong n) => ((UInt128)Tag << 96) | n;

    private static UInt128 Till => Id(uint.MaxValue);

    /// <summary>Ledger accounts for every customer and the cash till, the registry rows, and the schema.</summary>
    private static async Task SetUpAsync(IServiceProvider provider, LedgerEngine ledger, int customers, CancellationToken ct)
    {
        var accounts = Enumerable.Range(0, customers).Select(i => Id((ulong)i)).Append(Till).Select(id => new Account { Id = id, Ledger = Cny, Code = 1 }).ToArray();
        foreach (var chunk in accounts.Chunk(LedgerEngine.MaxBatchEvents)) await ledger.CreateAccountsAsync(chunk, ct);
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        await db.Database.EnsureCreatedAsync(ct);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        db.Add(new MonitoredAccountRow { AccountId = Till.ToString(), Kind = "external", Channel = "cash", Country = "CN" });
        for (var i = 0; i < customers; i++)
            db.Add(new MonitoredAccountRow { AccountId = Id((ulong)i).ToString(), CustomerId = $"RT{i:D6}", Kind = "individual", Country = "CN", Channel = "transfer" });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Ordinary transfers between customers, with three cash deposits of 45,000–49,000 CNY for each planted customer at random places.</summary>
    private static List<Transfer> Plan(int count, int customers, int planted, int seed)
    {
        var random = new Random(seed);
        var list = new List<Transfer>(count + planted * 3);
        for (var i = 0; i < count; i++)
        {
            // Customer k pays only k+1 and k+2 (a ring over the ordinary customers): two payers and two payees each.
            var ordinary = customers - planted;
            var from = random.Next(ordinary);
            var to = (from + 1 + random.Next(2)) % ordinary;
            list.Add(new Transfer { DebitAccountId = Id((ulong)(planted + from)), CreditAccountId = Id((ulong)(planted + to)), Amount = (UInt128)random.NextInt64(1_000, 300_000) });
        }
        for (var p = 0; p < planted; p++)
            for (var d = 0; d < 3; d++)
                list.Insert(random.Next(list.Count + 1), new Transfer { DebitAccountId = Till, CreditAccountId = Id((ulong)p), Amount = (UInt128)random.NextInt64(4_500_000, 4_900_000) });
        for (var i = 0; i < list.Count; i++) list[i] = list[i] with { Id = Id((ulong)i + (1UL << 32)), Ledger = Cny, Code = 1 };
        return list;
    }

    private static async Task<Dictionary<string, object>> MeasureAsync(IServiceProvider provider, LedgerEngine ledger, List<Transfer> plan, int planted, Pace? pace, TextWriter log, CancellationToken ct)
    {
        var monitor = provider.GetRequiredService<LiveMonitor>();
        // Each inserted alert with the journal record that raised it (a chunk commits many records at once).
        var stored = new ConcurrentQueue<(ulong RaisedAt, long At)>();
        monitor.Stored += (_, alerts) =>
        {
            var at = Stopwatch.GetTimestamp();
            foreach (var alert in alerts) stored.Enqueue((alert.RaisedAt, at));
        };
        await monitor.StartAsync(ct);
        var submitted = new Dictionary<ulong, long>();
        var start = Stopwatch.GetTimestamp();
        var (late, size) = (0, pace?.BatchSize ?? Batch);
        foreach (var (batch, k) in plan.Chunk(size).Select((b, k) => (b, k)))
        {
            if (pace is not null && !await WaitForSlotAsync(start, TimeSpan.FromSeconds((double)k * size / pace.Rate), ct)) late++;
            var at = Stopwatch.GetTimestamp();
            await ledger.CreateTransfersAsync(batch, ct);
            submitted[ledger.JournalHead.Sequence] = at; // one client: the head after the acknowledgement is this batch's record
        }
        var posted = Stopwatch.GetElapsedTime(start).TotalSeconds;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(TimeSpan.FromMinutes(4));
            await monitor.WaitForSequenceAsync(ledger.JournalHead.Sequence, timeout.Token);
        }
        var total = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await monitor.StopAsync(ct);
        var latencies = stored.Where(s => submitted.ContainsKey(s.RaisedAt))
            .Select(s => Stopwatch.GetElapsedTime(submitted[s.RaisedAt], s.At).TotalMilliseconds).Order().ToList();
        var alerts = stored.Count;
        double P(double q) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        var mode = pace is null ? "one burst" : $"paced at {pace.Rate:N0} transfers/s for {pace.Seconds} s, a batch every {Pace.Interval.TotalMilliseconds:0} ms ({late:N0} batches started late)";
        log.WriteLine($"aml bench --realtime ({mode}): {plan.Count:N0} transfers in batches of {size} from one client into an in-process ledger (fsync on), {planted} planted structuring bursts; monitor → SQLite");
        log.WriteLine($"posted in {posted:0.00} s ({plan.Count / posted:N0} transfers/s offered); monitor caught up after {total:0.00} s ({plan.Count / total:N0} transfers/s monitored, {monitor.Chunks:N0} chunks)");
        log.WriteLine($"alerts stored: {alerts} ({alerts / total:N1} alerts/s); latency submit → alert row committed: p50 {P(0.50):0.0} ms, p99 {P(0.99):0.0} ms, max {P(1.0):0.0} ms");
        return new Dictionary<string, object>
        {
            ["transfers"] = plan.Count, ["planted"] = planted, ["alerts"] = alerts, ["seconds"] = Math.Round(total, 3),
            ["transfers_per_second"] = Math.Round(plan.Count / total), ["alerts_per_second"] = Math.Round(alerts / total, 1),
            ["latency_p50_ms"] = Math.Round(P(0.50), 1), ["latency_p99_ms"] = Math.Round(P(0.99), 1), ["latency_max_ms"] = Math.Round(P(1.0), 1),
            ["chunks"] = monitor.Chunks, ["offered_per_second"] = Math.Round(plan.Count / posted), ["rate"] = pace?.Rate ?? 0, ["late_batches"] = late,
        };
    }

    /// <summary>
    /// Waits until <paramref name="offset"/> after <paramref name="start"/> (the batch's slot in a steady schedule); false when the
    /// slot has already passed (the client fell behind: the batch goes at once, and the printed offered rate shows the shortfall).
    /// </summary>
    private static async Task<bool> WaitForSlotAsync(long start, TimeSpan offset, CancellationToken ct)
    {
        var ahead = offset - Stopwatch.GetElapsedTime(start);
        if (ahead < -Pace.Interval) return false;
        if (ahead > TimeSpan.Zero) await Task.Delay(ahead, ct);
        return true;
    }
}
