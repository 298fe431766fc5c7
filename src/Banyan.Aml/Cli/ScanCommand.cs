using System.ComponentModel;
using System.Text.Json;
using Banyan.Platform;
using Spectre.Console.Cli;

namespace Banyan.Aml.Cli;

/// <summary><c>banyan aml scan</c>: the batch path. Progress and the summary go to stderr; with --json stdout holds one JSON summary.</summary>
internal sealed class ScanCommand : AsyncCommand<ScanCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--customers <FILE>")]
        [Description("customers.jsonl")]
        public string? Customers { get; init; }

        [CommandOption("--transactions <FILE>")]
        [Description("transactions.jsonl (any order)")]
        public string? Transactions { get; init; }

        [CommandOption("--sanctions <FILE>")]
        [Description("Sanctions list CSV: name,aliases,country,list")]
        public string? Sanctions { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("Where to write alerts.jsonl")]
        public string? Out { get; init; }

        [CommandOption("--large-value-out <FILE>")]
        [Description("Where to write the PBoC large-value transaction reports (JSONL); not written when absent")]
        public string? LargeValueOut { get; init; }

        [CommandOption("--config <FILE>")]
        [Description("Per-bank thresholds (JSON, snake_case); defaults are the CNY rules")]
        public string? Config { get; init; }

        [CommandOption("--strict")]
        [Description("Refuse the whole scan (exit 1) at the first malformed line instead of skipping it")]
        public bool Strict { get; init; }

        [CommandOption("--json")]
        [Description("Print only a JSON summary on stdout")]
        public bool Json { get; init; }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = Options(settings);
        var log = Console.Error;
        ScanResult result;
        try
        {
            result = Scanner.Run(options, log, log);
        }
        catch (AmlInputException e)
        {
            log.WriteLine("banyan: error: " + e.Message);
            return Task.FromResult(1);
        }
        WriteSummary(result, options, settings.Json);
        return Task.FromResult(0);
    }

    internal static ScanOptions Options(Settings s)
    {
        if (s.Customers is null) throw new CliUsageException("--customers <FILE> is required");
        if (s.Transactions is null) throw new CliUsageException("--transactions <FILE> is required");
        if (s.Out is null) throw new CliUsageException("--out <FILE> is required");
        foreach (var file in new[] { s.Customers, s.Transactions, s.Sanctions, s.Config }.OfType<string>())
            if (!File.Exists(file)) throw new CliUsageException($"file not found: {file}");
        foreach (var output in new[] { s.Out, s.LargeValueOut }.OfType<string>())
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(output));
            if (directory is not null && !Directory.Exists(directory)) throw new CliUsageException($"output directory not found: {directory}");
        }
        AmlConfig config;
        try
        {
            config = s.Config is null ? new AmlConfig() : AmlConfig.Load(s.Config);
        }
        catch (FormatException e)
        {
            throw new CliUsageException(e.Message);
        }
        return new ScanOptions(s.Customers, s.Transactions, s.Sanctions, s.Out, s.LargeValueOut, config, s.Strict);
    }

    private static void WriteSummary(ScanResult r, ScanOptions options, bool json)
    {
        var err = Console.Error;
        err.WriteLine($"aml scan: {r.Customers} customers, {r.Transactions} transactions in {r.Seconds:0.00} s ({r.TransactionsPerSecond:N0}/s); {r.MalformedLines} malformed line(s) skipped");
        err.WriteLine($"  phases: {string.Join(", ", r.Phases.Select(p => $"{p.Key} {p.Value:0.000} s"))}; cpu {r.CpuSeconds:0.00} s");
        foreach (var (file, count) in r.MalformedByFile) err.WriteLine($"  {file}: {count} malformed line(s)");
        err.WriteLine($"  {r.Alerts} alert(s) → {options.Out}" + (options.LargeValueOut is null ? "" : $"; {r.LargeValueReports} large-value report(s) → {options.LargeValueOut}"));
        foreach (var (typology, count) in r.AlertsByTypology.Where(p => p.Value > 0)) err.WriteLine($"    {typology,-24} {count}");
        if (!json) return;
        Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["customers"] = r.Customers,
            ["transactions"] = r.Transactions,
            ["malformed_lines"] = r.MalformedLines,
            ["malformed_by_file"] = r.MalformedByFile,
            ["alerts"] = r.Alerts,
            ["alerts_by_typology"] = r.AlertsByTypology,
            ["large_value_reports"] = options.LargeValueOut is null ? null : r.LargeValueReports,
            ["sanctions_names"] = r.SanctionsNames,
            ["seconds"] = Math.Round(r.Seconds, 3),
            ["transactions_per_second"] = Math.Round(r.TransactionsPerSecond),
            ["out"] = options.Out,
        }));
    }
}
