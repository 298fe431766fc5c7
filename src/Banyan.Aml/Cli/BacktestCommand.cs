using System.ComponentModel;
using System.Text.Json;
using Banyan.Aml.RuleSets;
using Banyan.Platform;
using Spectre.Console.Cli;

namespace Banyan.Aml.Cli;

/// <summary>
/// <c>banyan aml backtest</c> (decision 0408): replays history with a candidate rule set and with the baseline (the
/// built-in defaults or <c>--baseline</c>), and prints alerts per typology, recall/precision against the ground truth
/// when there is one, and which alerts the candidate adds or removes.
/// </summary>
internal sealed class BacktestCommand : AsyncCommand<BacktestCommand.Settings>
{
    private const int Examples = 5;

    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--rules <FILE>")]
        [Description("Candidate rule set (JSON: id, version, effective_from?, enabled?, parameters)")]
        public string? Rules { get; init; }

        [CommandOption("--baseline <FILE>")]
        [Description("Rule set to compare with; default: every rule on with the built-in thresholds (default@0)")]
        public string? Baseline { get; init; }

        [CommandOption("--from <DIR>")]
        [Description("A directory written by banyan aml generate (customers.jsonl, transactions.jsonl, sanctions.csv, ground_truth.jsonl)")]
        public string? From { get; init; }

        [CommandOption("--journal <DIR>")]
        [Description("A stopped host's data directory (banyan serve --data DIR): replay its ledger journal with its AML account registry; baseline = its active rule set unless --baseline")]
        public string? Journal { get; init; }

        [CommandOption("--customers <FILE>")]
        public string? Customers { get; init; }

        [CommandOption("--transactions <FILE>")]
        public string? Transactions { get; init; }

        [CommandOption("--sanctions <FILE>")]
        public string? Sanctions { get; init; }

        [CommandOption("--ground-truth <FILE>")]
        [Description("ground_truth.jsonl for recall and precision")]
        public string? GroundTruth { get; init; }

        [CommandOption("--json")]
        [Description("Print only a JSON summary on stdout")]
        public bool Json { get; init; }
    }

    internal sealed record Inputs(string Customers, string Transactions, string? Sanctions, string? GroundTruth, RuleSet Candidate, RuleSet Baseline);

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Journal is not null) return JournalAsync(settings, cancellationToken);
        var inputs = Validate(settings);
        var directory = Path.Combine(Path.GetTempPath(), "banyan-aml-backtest-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            var report = Run(inputs, directory, Console.Error);
            if (settings.Json) Console.Out.WriteLine(JsonSerializer.Serialize(report, AmlConfig.Json));
            return Task.FromResult(0);
        }
        catch (AmlInputException e)
        {
            Console.Error.WriteLine("banyan: error: " + e.Message);
            return Task.FromResult(1);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary><c>--journal DIR</c>: the host's ledger (DIR/ledger) and its SQLite database (DIR/banyan.db) for the registry, active rule set and sanctions list.</summary>
    private static async Task<int> JournalAsync(Settings s, CancellationToken ct)
    {
        if (s.Rules is null) throw new CliUsageException("--rules <FILE> is required");
        if (s.From is not null || s.Customers is not null || s.Transactions is not null) throw new CliUsageException("--journal replaces --from/--customers/--transactions");
        var (ledgerDir, database) = (Path.Combine(s.Journal!, "ledger"), Path.Combine(s.Journal!, "banyan.db"));
        if (!Directory.Exists(ledgerDir) || !File.Exists(database))
            throw new CliUsageException($"{s.Journal} is not a host data directory with SQLite storage (expected ledger/ and banyan.db)");
        foreach (var file in new[] { s.Rules, s.Baseline }.OfType<string>())
            if (!File.Exists(file)) throw new CliUsageException($"file not found: {file}");
        RuleSet candidate;
        RuleSet? baseline;
        try
        {
            (candidate, baseline) = (RuleSet.Load(s.Rules), s.Baseline is null ? null : RuleSet.Load(s.Baseline));
        }
        catch (FormatException e)
        {
            throw new CliUsageException(e.Message);
        }
        var report = await Live.JournalFile.BacktestAsync(ledgerDir, database, candidate, baseline, Console.Error, ct);
        if (s.Json) Console.Out.WriteLine(JsonSerializer.Serialize(report, AmlConfig.Json));
        return 0;
    }

    internal static Inputs Validate(Settings s)
    {
        if (s.Rules is null) throw new CliUsageException("--rules <FILE> is required");
        string? Under(string name) => s.From is null ? null : Path.Combine(s.From, name);
        var customers = s.Customers ?? Under("customers.jsonl") ?? throw new CliUsageException("--customers <FILE> (or --from <DIR>) is required");
        var transactions = s.Transactions ?? Under("transactions.jsonl") ?? throw new CliUsageException("--transactions <FILE> (or --from <DIR>) is required");
        var sanctions = s.Sanctions ?? (Under("sanctions.csv") is { } sc && File.Exists(sc) ? sc : null);
        var truth = s.GroundTruth ?? (Under("ground_truth.jsonl") is { } gt && File.Exists(gt) ? gt : null);
        foreach (var file in new[] { s.Rules, s.Baseline, customers, transactions, sanctions, truth }.OfType<string>())
            if (!File.Exists(file)) throw new CliUsageException($"file not found: {file}");
        try
        {
            return new Inputs(customers, transactions, sanctions, truth, RuleSet.Load(s.Rules), s.Baseline is null ? RuleSet.Baseline : RuleSet.Load(s.Baseline));
        }
        catch (FormatException e)
        {
            throw new CliUsageException(e.Message);
        }
    }

    internal static Dictionary<string, object?> Run(Inputs inputs, string directory, TextWriter log)
    {
        var truth = inputs.GroundTruth is null ? null : Evaluation.ReadTruth(inputs.GroundTruth);
        var baseline = Scan(inputs, inputs.Baseline, Path.Combine(directory, "baseline.jsonl"));
        var candidate = Scan(inputs, inputs.Candidate, Path.Combine(directory, "candidate.jsonl"));
        var baseEval = truth is null ? null : Evaluation.Evaluate(truth, baseline.AlertList, baseline.Bank);
        var candEval = truth is null ? null : Evaluation.Evaluate(truth, candidate.AlertList, candidate.Bank);
        var side = (ScanResult scan, EvaluationResult? eval) => new BacktestSide(scan.AlertsByTypology, Keys(scan),
            eval is null ? null : Typology.All.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => (eval.Typologies[x.i].Recall, eval.Typologies[x.i].Precision)));
        var header = $"aml backtest: {candidate.Transactions:N0} transactions; baseline {inputs.Baseline.Label} vs candidate {inputs.Candidate.Label}{(truth is null ? "" : $", {truth.Count} ground-truth cases")}";
        return Report(header, inputs.Baseline.Label, inputs.Candidate.Label, candidate.Transactions, side(baseline, baseEval), side(candidate, candEval), log);
    }

    /// <summary>One side of a comparison: alert counts per typology, the alerts by key (with a reason), and recall/precision when there is ground truth.</summary>
    internal sealed record BacktestSide(IReadOnlyDictionary<string, int> AlertsByTypology, Dictionary<(string Typology, string Subject, string First), string> Keys,
        Dictionary<string, (double Recall, double Precision)>? Quality);

    /// <summary>Prints the comparison table and examples (the file and the journal backtests share it) and returns the JSON summary.</summary>
    internal static Dictionary<string, object?> Report(string header, string baselineLabel, string candidateLabel, long transactions, BacktestSide baseline, BacktestSide candidate, TextWriter log)
    {
        var added = candidate.Keys.Where(k => !baseline.Keys.ContainsKey(k.Key)).ToList();
        var removed = baseline.Keys.Where(k => !candidate.Keys.ContainsKey(k.Key)).ToList();
        var quality = baseline.Quality is not null && candidate.Quality is not null;
        log.WriteLine(header);
        log.WriteLine($"{"typology",-24} {"baseline",9} {"candidate",10} {"added",6} {"removed",8}{(quality ? $" {"recall b→c",14} {"precision b→c",16}" : "")}");
        var rows = new List<Dictionary<string, object?>>();
        foreach (var t in Typology.All)
        {
            var (b, c) = (baseline.AlertsByTypology.GetValueOrDefault(t), candidate.AlertsByTypology.GetValueOrDefault(t));
            var (plus, minus) = (added.Count(k => k.Key.Typology == t), removed.Count(k => k.Key.Typology == t));
            var (bq, cq) = quality ? (baseline.Quality![t], candidate.Quality![t]) : default;
            log.WriteLine($"{t,-24} {b,9} {c,10} {plus,6} {minus,8}{(quality ? $" {bq.Recall,6:0.000}→{cq.Recall,-7:0.000} {bq.Precision,7:0.000}→{cq.Precision,-8:0.000}" : "")}");
            rows.Add(new() { ["typology"] = t, ["baseline_alerts"] = b, ["candidate_alerts"] = c, ["added"] = plus, ["removed"] = minus,
                ["baseline_recall"] = quality ? bq.Recall : null, ["candidate_recall"] = quality ? cq.Recall : null,
                ["baseline_precision"] = quality ? bq.Precision : null, ["candidate_precision"] = quality ? cq.Precision : null });
        }
        var (baseTotal, candTotal) = (baseline.AlertsByTypology.Values.Sum(), candidate.AlertsByTypology.Values.Sum());
        log.WriteLine($"total: baseline {baseTotal} alerts, candidate {candTotal} alerts; {added.Count} added, {removed.Count} removed");
        foreach (var (label, list) in new[] { ("added", added), ("removed", removed) })
            foreach (var (key, reason) in list.Take(Examples))
                log.WriteLine($"  {label} {key.Typology} {key.Subject}: {reason}");
        return new Dictionary<string, object?>
        {
            ["baseline"] = baselineLabel, ["candidate"] = candidateLabel, ["transactions"] = transactions,
            ["baseline_alerts"] = baseTotal, ["candidate_alerts"] = candTotal, ["added"] = added.Count, ["removed"] = removed.Count,
            ["typologies"] = rows,
            ["added_examples"] = ExampleList(added), ["removed_examples"] = ExampleList(removed),
        };
    }

    private static List<Dictionary<string, string>> ExampleList(List<KeyValuePair<(string Typology, string Subject, string First), string>> list) =>
        list.Take(Examples).Select(k => new Dictionary<string, string> { ["typology"] = k.Key.Typology, ["subject_account"] = k.Key.Subject, ["first_transaction_id"] = k.Key.First, ["reason"] = k.Value }).ToList();

    private static ScanResult Scan(Inputs inputs, RuleSet rules, string output) =>
        Scanner.Run(new ScanOptions(inputs.Customers, inputs.Transactions, inputs.Sanctions, output, null, rules.Parameters, Strict: false) { Enabled = rules.EnabledSet }, null);

    /// <summary>An alert is "the same" in both runs when typology, subject and first transaction agree (episode boundaries may shift).</summary>
    private static Dictionary<(string Typology, string Subject, string First), string> Keys(ScanResult scan)
    {
        var keys = new Dictionary<(string, string, string), string>();
        foreach (var alert in scan.AlertList)
        {
            var subject = alert.Subject >= 0 ? scan.Bank.Accounts[alert.Subject].Id : "";
            var first = alert.TransactionSeqs.Count > 0 ? scan.Bank.TransactionIds[alert.TransactionSeqs[0]] : "";
            keys.TryAdd((alert.Typology, subject, first), AlertSink.FullReason(alert));
        }
        return keys;
    }
}
