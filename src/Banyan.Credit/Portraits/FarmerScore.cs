using System.Globalization;
using Banyan.Credit.Explain;
using Banyan.Credit.Learning;

namespace Banyan.Credit.Portraits;

/// <summary>One reason behind a farmer's score: the feature, its value, and its exact Shapley contribution (log-odds of bad).</summary>
internal sealed record FarmerReason(string Feature, double Value, double Contribution, string Text);

/// <summary>A farmer's score: P(bad), points (higher is safer), and the top reasons.</summary>
internal sealed record FarmerScoreResult(string Farmer, double ProbabilityBad, int Points, double BaseValue, double Margin, IReadOnlyList<FarmerReason> Reasons);

/// <summary>Held-out quality of the farmer model.</summary>
internal sealed record FarmerModelReport(int TrainRows, int TestRows, double BadRate, double Auc, double Accuracy, double MajorityAccuracy);

/// <summary>
/// Farmer score (decision 0354): the module's boosted trees on farm-portrait features, trained on a
/// generated population whose outcome follows a documented rule: bad when
/// <c>6·(0.45 − productivity) + 3·(1 − season shock) + N(0, 0.5) &gt; 0</c>. Reasons are exact TreeSHAP
/// contributions. Points: 600 at even odds, 20 more for every doubling of the good:bad odds.
/// </summary>
internal sealed class FarmerScorer
{
    private readonly TreeEnsemble model;
    private readonly TreeShap shap;
    private readonly IReadOnlyList<string> names;

    private FarmerScorer(TreeEnsemble model, IReadOnlyList<string> names, FarmerModelReport report)
    {
        this.model = model;
        this.names = names;
        shap = new TreeShap(model);
        Report = report;
    }

    public FarmerModelReport Report { get; }

    public static FarmerScorer Train(int seed, int farmers, BoostingOptions? options = null)
    {
        options ??= new BoostingOptions { Trees = 150, Seed = seed };
        var (feeds, truth) = FarmGenerator.Generate(seed, farmers);
        var builder = new FarmPortraitBuilder(feeds);
        var asOf = builder.LatestAsOf();
        var ids = builder.Ids.ToList();
        var portraits = ids.Select(id => builder.Build(id, asOf)).ToList();
        // Label noise gets its own stream derived from the seed; wrapping is harmless (any int is a valid seed).
        var labels = new Random(unchecked(seed * 31) ^ 0xfa);
        var y = ids.Select(id => LabelRule(truth[id], labels)).ToArray();
        var x = portraits.Select(p => p.Features.Select(f => f.Value).ToArray()).ToArray();
        var order = Enumerable.Range(0, x.Length).ToArray();
        new Random(seed).Shuffle(order);
        var testN = x.Length * 3 / 10;
        var (test, train) = (order[..testN], order[testN..]);
        var names = portraits[0].Features.Select(f => f.Name).ToList();
        var model = GradientBoosting.Train(train.Select(i => x[i]).ToArray(), train.Select(i => y[i]).ToArray(), Enumerable.Repeat(1.0, train.Length).ToArray(), names.Count, options);
        var margins = test.Select(i => model.Margin(x[i])).ToArray();
        var yTest = test.Select(i => y[i]).ToArray();
        var majority = train.Average(i => y[i]) >= 0.5 ? 1 : 0;
        var report = new FarmerModelReport(train.Length, test.Length, y.Average(), Metrics.Auc(margins, yTest),
            margins.Zip(yTest).Average(p => (p.First > 0 ? 1 : 0) == p.Second ? 1.0 : 0.0), yTest.Average(v => v == majority ? 1.0 : 0.0));
        return new FarmerScorer(model, names, report);
    }

    internal static int LabelRule(FarmerTruth t, Random random)
    {
        var noise = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return (6 * (0.45 - t.Productivity)) + (3 * (1 - t.SeasonShock)) + (0.5 * noise) > 0 ? 1 : 0;
    }

    public FarmerScoreResult Score(Portrait portrait, int top = 3)
    {
        if (!portrait.Features.Select(f => f.Name).SequenceEqual(names)) throw new ArgumentException("portrait features differ from the model's");
        var x = portrait.Features.Select(f => f.Value).ToArray();
        var phi = new double[x.Length];
        shap.Explain(x, phi);
        var margin = model.Margin(x);
        var p = Metrics.Sigmoid(margin);
        // Points from the odds of good: 600 at 1:1, +20 per doubling (PDO 20), within 300..900.
        var points = (int)Math.Round(Math.Clamp(600 - (20 / Math.Log(2) * margin), 300, 900));
        var reasons = Enumerable.Range(0, x.Length).OrderByDescending(k => Math.Abs(phi[k])).Take(top)
            .Select(k => new FarmerReason(names[k], x[k], phi[k], Text(portrait.Features[k], phi[k]))).ToList();
        return new FarmerScoreResult(portrait.Company, p, points, shap.BaseValue, margin, reasons);
    }

    private static string Text(PortraitFeature f, double contribution)
    {
        var value = double.IsNaN(f.Value) ? "missing" : f.Unit == FeatureUnit.Money ? ShellDetector.Major(f.Value) : f.Value.ToString("0.###", CultureInfo.InvariantCulture);
        var effect = contribution > 0 ? "raised" : "lowered";
        return $"{f.Description.TrimEnd('.')} = {value}: {effect} the risk by {Math.Abs(contribution):0.00} log-odds";
    }
}
