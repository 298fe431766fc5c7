using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;

namespace Banyan.Payments.Bench;

/// <summary><c>banyan bench payments [--concurrency N] [--taps N]</c>: tap-to-pay latency and success rate under concurrent load.</summary>
internal sealed class PaymentsBenchCommand : AsyncCommand<PaymentsBenchCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--customers <N>")]
        [Description("Customers paying concurrently (default 64); same as --concurrency.")]
        public int Customers { get; init; } = 64;

        [CommandOption("--concurrency <N>")]
        [Description("Concurrent clients, one customer each (default 64); overrides --customers.")]
        public int? Concurrency { get; init; }

        /// <summary>Concurrent clients: <c>--concurrency</c> if given, else <c>--customers</c>.</summary>
        public int Clients => Concurrency ?? Customers;

        [CommandOption("--taps <N>")]
        [Description("Taps per customer (default 50).")]
        public int Taps { get; init; } = 50;

        public override Spectre.Console.ValidationResult Validate() =>
            Clients is < 1 or > 1_000 || Taps is < 1 or > 10_000
                ? Spectre.Console.ValidationResult.Error("--concurrency (--customers) must be 1..1000 and --taps 1..10000")
                : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-payments-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var (app, api) = await BenchHost.StartAsync(directory, cancellationToken);
            await using (app)
            using (api)
            {
                var f = await TapBenchmark.RunAsync(app.Services, api, settings.Clients, settings.Taps, cancellationToken);
                Print(f, settings);

                var x = await CrossBorder.CrossBorderBench.RunAsync(app.Services, payments: 200, cancellationToken);
                PrintCrossBorder(x);
                await app.StopAsync(cancellationToken);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void PrintCrossBorder(CrossBorder.CrossBorderBenchFigures x)
    {
        var c = CultureInfo.InvariantCulture;
        Console.Out.WriteLine(string.Create(c, $"cross-border: {x.Payments:N0} CNY payments quoted → accepted → credited (pacs.002) one after another in {x.Elapsed.TotalSeconds:F1} s"));
        Console.Out.WriteLine(string.Create(c, $"  quote → credit p50 {x.P50Milliseconds:F1} ms, p99 {x.P99Milliseconds:F1} ms (report: 10 minutes; BIS Nexus aim: 60 s)"));
        Console.Out.WriteLine(string.Create(c, $"  total cost mean {x.MeanTotalCostPercent:F2} %, max {x.MaxTotalCostPercent:F2} %, within the G20 1 % target: {x.ShareWithinG20Cost:P1}"));
    }

    private static void Print(TapBenchFigures f, Settings s)
    {
        var o = Console.Out;
        var c = CultureInfo.InvariantCulture;
        o.WriteLine($"payments bench: tap to pay over HTTP, in-process host (durable ledger, SQLite), {s.Clients} concurrent clients (one customer each) x {s.Taps} taps");
        o.WriteLine(string.Create(c, $"  requests {f.Requests:N0} in {f.Seconds:F1} s ({f.Requests / Math.Max(f.Seconds, 1e-9):N0}/s): completed {f.Completed:N0}, declined {f.Declined:N0}, failed {f.Failed:N0}"));
        o.WriteLine(string.Create(c, $"  latency p50 {f.P50Ms:F2} ms, p90 {f.P90Ms:F2} ms, p99 {f.P99Ms:F2} ms, max {f.MaxMs:F2} ms (target p99 <= 30 ms)"));
        o.WriteLine(string.Create(c, $"  success rate {f.SuccessRate * 100:F3}% (declines are answers, not failures; target >= 99.98%)"));
        o.WriteLine(string.Create(c, $"  CPU per tap {f.CpuMsPerTap:F2} ms (process CPU time {f.CpuMs / 1000:F1} s / {f.Requests:N0} taps: server and in-process client; {f.CpuMs / Math.Max(f.Seconds * 1000, 1e-9):F2} cores busy)"));
        o.WriteLine(string.Create(c, $"  group commit: {f.Writes:N0} tap writes in {f.Groups:N0} database transactions ({f.Writes / (double)Math.Max(f.Groups, 1):F1} per transaction)"));
        foreach (var (reason, n) in f.DeclineReasons.OrderByDescending(x => x.Value)) o.WriteLine(string.Create(c, $"  declined {reason}: {n:N0}"));
    }
}
