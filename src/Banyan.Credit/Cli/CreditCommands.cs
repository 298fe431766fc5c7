using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Banyan.Credit.Data;
using Banyan.Credit.Fairness;
using Banyan.Credit.Learning;
using Banyan.Credit.Model;
using Banyan.Platform;
using Spectre.Console.Cli;

namespace Banyan.Credit.Cli;

/// <summary>Settings shared by credit commands that read a data file.</summary>
internal class DataSettings : CommandSettings
{
    [CommandOption("--data <FILE>")]
    [Description("CSV (with a header) or ARFF file.")]
    public string? Data { get; init; }

    [CommandOption("--json")]
    [Description("Print only a JSON document on stdout.")]
    public bool Json { get; init; }
}

/// <summary>Helpers that turn bad words into usage errors and write results where the CLI contract says.</summary>
internal static class CliSupport
{
    public static Table LoadData(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new CliUsageException("--data <FILE> is required");
        if (!File.Exists(path)) throw new CliUsageException($"data file '{path}' does not exist");
        return Table.Load(path);
    }

    public static CreditModel LoadModel(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new CliUsageException("--model <FILE> is required");
        if (!File.Exists(path)) throw new CliUsageException($"model file '{path}' does not exist");
        return CreditModel.Load(path);
    }

    public static void WriteJson<T>(T document) => Console.Out.WriteLine(JsonSerializer.Serialize(document, ModelDocument.Json));

    public static string F(double? v) => v is { } d ? d.ToString("F4", CultureInfo.InvariantCulture) : "n/a";
}

/// <summary><c>banyan credit train</c>: cross-validate, calibrate, audit, mitigate, and write the model file.</summary>
internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    internal sealed class Settings : DataSettings
    {
        [CommandOption("--label <COLUMN>")] [Description("Outcome column.")] public string? Label { get; init; }
        [CommandOption("--bad <VALUE>")] [Description("Label value that means the loan went bad.")] public string? Bad { get; init; }
        [CommandOption("--protected <COLUMN>")] [Description("Protected attribute to audit (left out of the features).")] public string? Protected { get; init; }
        [CommandOption("--privileged <VALUE>")] [Description("Privileged value, or a comparison such as '>25'.")] public string? Privileged { get; init; }
        [CommandOption("--target-approval-rate <R>")] [Description("Cut-off that approves this fraction (else cost-based).")] public double? TargetApprovalRate { get; init; }
        [CommandOption("--max-parity-gap <G>")] [Description("Largest allowed |approval-rate difference| (default 0.05).")] public double MaxParityGap { get; init; } = 0.05;
        [CommandOption("--algorithm <NAME>")] [Description("gradient_boosted_trees (default) or logistic_regression.")] public string Algorithm { get; init; } = CreditModel.TreesAlgorithm;
        [CommandOption("--trees <N>")] [Description("Number of trees (default 200).")] public int Trees { get; init; } = 200;
        [CommandOption("--learning-rate <ETA>")] [Description("Boosting learning rate (default 0.05).")] public double LearningRate { get; init; } = 0.05;
        [CommandOption("--max-depth <D>")] [Description("Tree depth (default 3).")] public int MaxDepth { get; init; } = 3;
        [CommandOption("--cost-bad-approved <C>")] [Description("Cost of approving a bad applicant, for the cost-based cut-off (default 5).")] public double CostBadApproved { get; init; } = 5;
        [CommandOption("--cost-good-declined <C>")] [Description("Cost of declining a good applicant (default 1).")] public double CostGoodDeclined { get; init; } = 1;
        [CommandOption("--seed <N>")] [Description("Random seed (default 42).")] public int Seed { get; init; } = 42;
        [CommandOption("--folds <K>")] [Description("Cross-validation folds (default 5).")] public int Folds { get; init; } = 5;
        [CommandOption("--out <FILE>")] [Description("Where to write the model JSON.")] public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Out)) throw new CliUsageException("--out <FILE> is required");
        if (settings.Protected is null != settings.Privileged is null) throw new CliUsageException("--protected and --privileged go together");
        var table = CliSupport.LoadData(settings.Data);
        var request = new TrainRequest
        {
            Label = settings.Label ?? throw new CliUsageException("--label <COLUMN> is required"),
            BadValue = settings.Bad ?? throw new CliUsageException("--bad <VALUE> is required"),
            Protected = settings.Protected is null ? null : new ProtectedGroup(settings.Protected, settings.Privileged!),
            TargetApprovalRate = settings.TargetApprovalRate,
            MaxParityGap = settings.MaxParityGap,
            Algorithm = settings.Algorithm,
            Folds = settings.Folds,
            CostBadApproved = settings.CostBadApproved,
            CostGoodDeclined = settings.CostGoodDeclined,
            Boosting = new BoostingOptions { Trees = settings.Trees, Seed = settings.Seed, LearningRate = settings.LearningRate, MaxDepth = settings.MaxDepth },
            TrainingDataSha256 = Table.Sha256(settings.Data!),
        };
        ModelDocument document;
        try { document = Trainer.Train(table, Enumerable.Range(0, table.Rows.Count).ToArray(), request, Console.Error); }
        catch (ArgumentException e) { throw new CliUsageException(e.Message); }
        CreditModel.Save(document, settings.Out);
        Report(document, settings);
        return 0;
    }

    private static void Report(ModelDocument d, Settings settings)
    {
        var m = d.Metrics;
        Console.Error.WriteLine($"credit: wrote {settings.Out}: {d.Algorithm}, cv AUC {CliSupport.F(m.CvAuc)}, KS {CliSupport.F(m.CvKs)}, Brier {CliSupport.F(m.CvBrier)}, baseline AUC {CliSupport.F(m.BaselineCvAuc)}, approval {CliSupport.F(m.ApprovalRate)}");
        if (d.Fairness is { } f)
        {
            foreach (var c in f.Candidates)
                Console.Error.WriteLine($"  {c.Name,-28} AUC {CliSupport.F(c.Auc)}  parity gap {CliSupport.F(c.DemographicParityDifference)}  DI {CliSupport.F(c.DisparateImpact)}  {(c.MeetsGap ? "meets" : "exceeds")} {f.MaxParityGap}");
            Console.Error.WriteLine($"credit: mitigation chosen: {f.Mitigation}");
        }
        if (settings.Json)
            CliSupport.WriteJson(new { model = settings.Out, algorithm = d.Algorithm, metrics = d.Metrics, fairness = d.Fairness, training_data_sha256 = d.TrainingDataSha256 });
    }
}

/// <summary><c>banyan credit evaluate</c>: AUC, KS, approval rate and the fairness audit on labelled data.</summary>
internal sealed class EvaluateCommand : Command<EvaluateCommand.Settings>
{
    internal sealed class Settings : DataSettings
    {
        [CommandOption("--model <FILE>")] [Description("Model JSON written by 'credit train'.")] public string? Model { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var model = CliSupport.LoadModel(settings.Model);
        var table = CliSupport.LoadData(settings.Data);
        var result = Scoring.Evaluate(model, table);
        if (settings.Json) CliSupport.WriteJson(result);
        else
        {
            Console.Error.WriteLine($"n {result.N}  AUC {CliSupport.F(result.Auc)}  KS {CliSupport.F(result.Ks)}  Brier {CliSupport.F(result.Brier)}  approval rate {CliSupport.F(result.ApprovalRate)}");
            if (result.Groups is { } groups)
            {
                foreach (var g in groups)
                    Console.Error.WriteLine($"  {g.Group,-24} n {g.N,6}  approval {CliSupport.F(g.ApprovalRate)}  TPR {CliSupport.F(g.Tpr)}  FPR {CliSupport.F(g.Fpr)}");
                Console.Error.WriteLine($"  parity difference {CliSupport.F(result.DemographicParityDifference)}  equal opportunity difference {CliSupport.F(result.EqualOpportunityDifference)}  disparate impact {CliSupport.F(result.DisparateImpact)}");
            }
        }
        return 0;
    }
}

/// <summary><c>banyan credit explain</c>: exact Shapley contributions per row, in log-odds of "bad".</summary>
internal sealed class ExplainCommand : Command<ExplainCommand.Settings>
{
    internal sealed class Settings : DataSettings
    {
        [CommandOption("--model <FILE>")] [Description("Model JSON written by 'credit train'.")] public string? Model { get; init; }
        [CommandOption("--top <N>")] [Description("How many reasons per row (default 3).")] public int Top { get; init; } = 3;
        [CommandOption("--reasons")] [Description("Add plain-language top reasons to each row.")] public bool Reasons { get; init; }
        [CommandOption("--language <LANG>")] [Description("Language of the reasons: en (default) or zh-CN.")] public string Language { get; init; } = "en";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var model = CliSupport.LoadModel(settings.Model);
        var table = CliSupport.LoadData(settings.Data);
        if (!Explain.Reasons.Languages.Contains(settings.Language)) throw new CliUsageException("--language must be en or zh-CN");
        if (settings.Top is < 0 or > 100) throw new CliUsageException("--top must be 0..100");
        var result = Scoring.Explain(model, table, settings.Reasons ? settings.Language : null, settings.Top);
        if (settings.Json) { CliSupport.WriteJson(result); return 0; }
        foreach (var row in result.Rows)
        {
            var reasons = row.Reasons?.Select(r => r.Text) ?? row.Contributions.OrderByDescending(c => Math.Abs(c.Value)).Take(settings.Top)
                .Select(c => $"{c.Key} {c.Value:+0.000;-0.000}");
            Console.Error.WriteLine($"row {row.Row}: P(bad) {CliSupport.F(row.ProbabilityBad)} {(row.Approved ? "approve" : "decline")}; base {row.BaseValue:F3} margin {row.Margin:F3}; {string.Join(" ", reasons)}");
        }
        return 0;
    }
}
