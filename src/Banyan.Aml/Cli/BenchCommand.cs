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
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = settings.Validated();
        var directory = settings.Out ?? Path.Combine(Path.GetTempPath(), "banyan-aml-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var report = Run(options, directory, Console.Error);
            if (settings.Json) Console.Out.WriteLine(JsonSerializer.Serialize(report));
            return Task.FromResult(0);
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
