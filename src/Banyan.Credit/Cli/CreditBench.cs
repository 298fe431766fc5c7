using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Banyan.Credit.Data;
using Banyan.Credit.Explain;
using Banyan.Credit.Fairness;
using Banyan.Credit.Learning;
using Banyan.Credit.Model;
using Banyan.Platform;
using Spectre.Console.Cli;

namespace Banyan.Credit.Cli;

internal sealed record DatasetFigures(string Dataset, int Rows, double GbtCvAuc, double LogisticCvAuc, double Seconds);

internal sealed record BenchFigures(
    string Machine,
    IReadOnlyList<DatasetFigures> Datasets,
    string FairnessProtected,
    double ParityGapBefore,
    double ParityGapAfter,
    string Mitigation,
    double AucBefore,
    double AucAfter,
    double HeldOutParityGapBefore,
    double HeldOutParityGapAfter,
    double HeldOutAucBefore,
    double HeldOutAucAfter,
    int ShapTrees,
    int ShapRows,
    double ShapMaxAdditivityError,
    double ShapRowsPerSecond,
    double ShapRowsPerCpuSecond,
    double RecursiveShapMaxAdditivityError,
    double RecursiveShapRowsPerSecond,
    double RecursiveShapRowsPerCpuSecond);

/// <summary>The credit figures recorded in docs/credit.md: CV AUC, parity before/after, TreeSHAP additivity and speed.</summary>
internal static class CreditBench
{
    public static BenchFigures Run(string dataDirectory, TextWriter log)
    {
        var datasets = new List<DatasetFigures>
        {
            CrossValidated(Path.Combine(dataDirectory, "credit-g.csv"), "class", "bad", log),
            CrossValidated(Path.Combine(dataDirectory, "credit_data.csv"), "Status", "bad", log),
        };
        var table = Table.Load(Path.Combine(dataDirectory, "credit-g.csv"));
        var request = new TrainRequest { Label = "class", BadValue = "bad", Protected = new ProtectedGroup("age", ">25"), TargetApprovalRate = 0.7 };
        var document = Trainer.Train(table, Enumerable.Range(0, table.Rows.Count).ToArray(), request, log);
        var fairness = document.Fairness!;
        var before = fairness.Candidates[0];
        var after = fairness.Candidates.Single(c => c.Name == fairness.Mitigation);
        var heldOutBefore = HeldOut.Evaluate(table, request with { MaxParityGap = 1.0 }, 5, 2024);
        var heldOutAfter = HeldOut.Evaluate(table, request, 5, 2024);
        log.WriteLine($"bench credit: held-out (outer 5-fold) parity gap {heldOutBefore.ParityGap:F4} -> {heldOutAfter.ParityGap:F4}, decision AUC {heldOutBefore.Auc:F4} -> {heldOutAfter.Auc:F4} (mitigations per fold: {string.Join(", ", heldOutAfter.Mitigations)})");
        var model = new CreditModel(document);
        var (error, perSecond, perCpu) = Shap(model, table, allowTables: true, log);
        var (recursiveError, recursivePerSecond, recursivePerCpu) = Shap(model, table, allowTables: false, log);
        return new BenchFigures(Machine(), datasets, "credit-g age>25 vs age<=25 (target approval 0.70)",
            before.DemographicParityDifference, after.DemographicParityDifference, fairness.Mitigation, before.Auc, after.Auc,
            heldOutBefore.ParityGap, heldOutAfter.ParityGap, heldOutBefore.Auc, heldOutAfter.Auc,
            document.Ensemble!.Trees.Count, table.Rows.Count, error, perSecond, perCpu, recursiveError, recursivePerSecond, recursivePerCpu);
    }

    private static DatasetFigures CrossValidated(string path, string label, string bad, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var table = Table.Load(path);
        var request = new TrainRequest { Label = label, BadValue = bad };
        var data = Pipeline.Prepare(table, Enumerable.Range(0, table.Rows.Count).ToArray(), request);
        var o = request.Boosting;
        var gbt = Metrics.Auc(Pipeline.CrossValidate(data, request.Folds, o.Seed, false, CreditModel.TreesAlgorithm, o), data.Bad);
        var lr = Metrics.Auc(Pipeline.CrossValidate(data, request.Folds, o.Seed, false, CreditModel.LinearAlgorithm, o), data.Bad);
        var figures = new DatasetFigures(Path.GetFileName(path), data.Rows.Length, gbt, lr, clock.Elapsed.TotalSeconds);
        log.WriteLine($"bench credit: {figures.Dataset}: 5-fold AUC trees {gbt:F4}, logistic {lr:F4} ({figures.Seconds:F1} s)");
        return figures;
    }

    /// <summary>Explains every row repeatedly for at least a second; returns the worst |base + Σφ − margin| and rows/s.</summary>
    private static (double MaxError, double RowsPerSecond, double RowsPerCpuSecond) Shap(CreditModel model, Table table, bool allowTables, TextWriter log)
    {
        var x = model.Schema.Encode(table, Enumerable.Range(0, table.Rows.Count).ToArray());
        var explainer = new TreeExplainer(model.Ensemble!, allowTables);
        var phi = new double[model.Schema.Count];
        var maxError = 0.0;
        long rows = 0;
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        while (clock.Elapsed < TimeSpan.FromSeconds(1) || rows < x.Length)
        {
            foreach (var row in x)
            {
                var margin = explainer.Explain(row, phi);
                var sum = explainer.BaseValue;
                foreach (var c in phi) sum += c;
                maxError = Math.Max(maxError, Math.Abs(sum - margin));
                rows++;
            }
        }
        var perSecond = rows / clock.Elapsed.TotalSeconds;
        var perCpuSecond = rows / (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        log.WriteLine($"bench credit: TreeSHAP ({(allowTables ? "leaf tables" : "recursion")}) {model.Ensemble!.Trees.Count} trees: {perSecond:F0} rows/s wall, {perCpuSecond:F0} rows per CPU-second, max additivity error {maxError:E2}");
        return (maxError, perSecond, perCpuSecond);
    }

    private static string Machine() =>
        $"{Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}";

    /// <summary>datasets/credit found upward from the working directory or the binaries.</summary>
    public static string? FindDataDirectory()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "datasets", "credit");
                if (File.Exists(Path.Combine(candidate, "credit-g.csv"))) return candidate;
            }
        }
        return null;
    }
}

/// <summary><c>banyan credit bench</c> (and <c>banyan bench credit</c> when the lead wires it).</summary>
internal sealed class BenchCommand : Command<BenchCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--data-dir <DIR>")] [Description("Directory with credit-g.csv and credit_data.csv (default: datasets/credit found upward).")] public string? DataDir { get; init; }
        [CommandOption("--json")] [Description("Print only a JSON document on stdout.")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var dir = settings.DataDir ?? CreditBench.FindDataDirectory()
            ?? throw new CliUsageException("datasets/credit not found; pass --data-dir <DIR>");
        if (!File.Exists(Path.Combine(dir, "credit-g.csv")) || !File.Exists(Path.Combine(dir, "credit_data.csv")))
            throw new CliUsageException($"'{dir}' must contain credit-g.csv and credit_data.csv");
        var figures = CreditBench.Run(dir, Console.Error);
        Console.Error.WriteLine($"bench credit: parity gap {figures.ParityGapBefore:F4} -> {figures.ParityGapAfter:F4} ({figures.Mitigation}), decision AUC {figures.AucBefore:F4} -> {figures.AucAfter:F4}; {figures.Machine}");
        if (settings.Json) CliSupport.WriteJson(figures);
        return 0;
    }
}
