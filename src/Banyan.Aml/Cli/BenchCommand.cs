using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Spectre.Console.Cli;

namespace Banyan.Aml.Cli;

/// <summary><c>banyan aml bench</c> (also <c>banyan bench aml</c>): generate, scan with every rule on, score against the ground truth.</summary>
internal sealed class BenchCommand : AsyncCommand<BenchCommand.Settings>
{
    internal sealed class Settings : GenerateCommand.Settings
    {
        [CommandOption("--keep")]
        [Description("Keep the generated files and alerts (printed path) instead of deleting them")]
        public bool Keep { get; init; }

        [CommandOption("--realtime")]
        [Description("Real-time mode: an in-process ledger and the live monitor; prints alerts/s and alert latency p50/p99 instead of the batch scan")]
        public bool Realtime { get; init; }

        [CommandOption("--realtime-transfers <N>")]
        [Description("Ordinary transfers posted in real-time mode (default 50,000); 10 planted structuring bursts per --cases")]
        public int RealtimeTransfers { get; init; } = 50_000;

        [CommandOption("--rate <TRANSFERS_PER_SECOND>")]
        [Description("Real-time mode at a steady offered rate (paced batches every 10 ms for --seconds) instead of one burst; prints latency p50/p99/max")]
        public int? Rate { get; init; }

        [CommandOption("--seconds <N>")]
        [Description("Duration of a --rate run (default 10)")]
        public int Seconds { get; init; } = 10;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = settings.Validated();
        if (settings.Realtime)
        {
            if (settings.RealtimeTransfers is < 1 or > 5_000_000) throw new Banyan.Platform.CliUsageException("--realtime-transfers must be 1..5000000");
            if (settings.Rate is < 1 or > 200_000) throw new Banyan.Platform.CliUsageException("--rate must be 1..200000 transfers/s");
            if (settings.Seconds is < 1 or > 600) throw new Banyan.Platform.CliUsageException("--seconds must be 1..600");
            var pace = settings.Rate is { } rate ? new RealtimeBench.Pace(rate, settings.Seconds) : null;
            var transfers = pace is null ? settings.RealtimeTransfers : checked(pace.Rate * pace.Seconds);
            var live = await RealtimeBench.RunAsync(transfers, Math.Min(options.CasesPerTypology * 10, 100_000), options.Seed, Console.Error, cancellationToken, pace);
            if (settings.Json) await Console.Out.WriteLineAsync(JsonSerializer.Serialize(live));
            return 0;
        }
        var directory = settings.Out ?? Path.Combine(Path.GetTempPath(), "banyan-aml-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var report = Run(options, directory, Console.Error);
            if (settings.Json) Console.Out.WriteLine(JsonSerializer.Serialize(report));
            return 0;
        }
        finally
        {
            if (!settings.Keep && settings.Out is null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    internal static Dictionary<string, object> Run(GeneratorOptions options, string directory, TextWriter log)
    {
        var generator = new Generator(options);
        generator.Write(directory);
        var scan = Scanner.Run(new ScanOptions(
            Path.Combine(directory, "customers.jsonl"), Path.Combine(directory, "transactions.jsonl"), Path.Combine(directory, "sanctions.csv"),
            Path.Combine(directory, "alerts.jsonl"), Path.Combine(directory, "large_value.jsonl"), new AmlConfig(), Strict: true), null);
        var evaluation = Evaluation.Evaluate(Evaluation.ReadTruth(Path.Combine(directory, "ground_truth.jsonl")), scan.AlertList, scan.Bank);
        log.WriteLine($"aml bench: {options.Customers} normal customers, {generator.NormalTransactions} normal + {generator.PlantedTransactions} planted transactions, seed {options.Seed}; {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        log.WriteLine($"{"typology",-24} {"planted",8} {"detected",9} {"alerts",7} {"recall",7} {"precision",10}");
        foreach (var t in evaluation.Typologies)
            log.WriteLine($"{t.Typology,-24} {t.Planted,8} {t.Detected,9} {t.Alerts,7} {t.Recall,7:0.000} {t.Precision,10:0.000}");
        log.WriteLine($"alerts pointing at planted activity: {evaluation.AlertsOnPlanted}/{evaluation.Alerts} ({evaluation.PlantedShare:P1}); large-value reports: {scan.LargeValueReports}");
        log.WriteLine($"scan: {scan.Transactions:N0} transactions in {scan.Seconds:0.000} s = {scan.TransactionsPerSecond:N0} transactions/s wall (read, sort, all 11 typologies, write); {scan.CpuSeconds:0.000} s CPU = {scan.Transactions / Math.Max(1e-9, scan.CpuSeconds):N0} transactions per CPU-second");
        log.WriteLine($"phases: {string.Join(", ", scan.Phases.Select(p => $"{p.Key} {p.Value:0.000} s"))}");
        return new Dictionary<string, object>
        {
            ["transactions"] = scan.Transactions,
            ["seconds"] = Math.Round(scan.Seconds, 3),
            ["transactions_per_second"] = Math.Round(scan.TransactionsPerSecond),
            ["cpu_seconds"] = Math.Round(scan.CpuSeconds, 3),
            ["alerts"] = evaluation.Alerts,
            ["alerts_on_planted_share"] = Math.Round(evaluation.PlantedShare, 4),
            ["typologies"] = evaluation.Typologies.ToDictionary(t => t.Typology, t => new Dictionary<string, object>
            {
                ["planted"] = t.Planted, ["detected"] = t.Detected, ["alerts"] = t.Alerts,
                ["recall"] = Math.Round(t.Recall, 4), ["precision"] = Math.Round(t.Precision, 4),
            }),
            ["machine"] = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}".ToString(CultureInfo.InvariantCulture),
        };
    }
}
