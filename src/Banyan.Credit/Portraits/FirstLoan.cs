using Banyan.Credit.Data;
using Banyan.Credit.Explain;
using Banyan.Credit.Learning;

namespace Banyan.Credit.Portraits;

/// <summary>Portrait features and a generated outcome for applicants with no credit history.</summary>
internal sealed record FirstLoanData(IReadOnlyList<string> Companies, IReadOnlyList<string> FeatureNames, double[][] X, int[] Bad);

/// <summary>Held-out quality of the first-loan model and of the logistic baseline on the same split.</summary>
internal sealed record FirstLoanReport(int TrainRows, int TestRows, double BadRate, double Auc, double Accuracy, double BaselineAuc,
    double BaselineAccuracy, double MajorityAccuracy, IReadOnlyList<(string Feature, double MeanAbsShap)> TopFeatures);

/// <summary>
/// First-loan scoring (decision 0353): applicants without credit history are scored on their SME
/// portrait (alternative data from partner feeds) with the module's own gradient-boosted trees.
/// Training outcomes come from a documented label rule applied to the generator's hidden health:
/// bad when <c>8·(0.4 − health) + N(0, 0.6) &gt; 0</c>, drawn from a generator seeded separately from the feeds.
/// </summary>
internal static class FirstLoan
{
    public static FirstLoanData Generate(int seed, int companies)
    {
        var (feeds, truth) = FeedGenerator.Generate(new GeneratorOptions { Seed = seed, Companies = companies, PlantSpecialCases = false });
        var builder = new PortraitBuilder(feeds);
        var asOf = builder.LatestAsOf();
        var ids = feeds.Companies.Select(c => c.Id).ToList();
        var portraits = ids.Select(id => builder.Build(id, asOf)).ToList();
        // Label noise gets its own stream derived from the seed; wrapping is harmless (any int is a valid seed).
        var labels = new Random(unchecked(seed * 7919) ^ 0x5eed);
        var bad = ids.Select(id => LabelRule(truth[id].Health, labels)).ToArray();
        var x = portraits.Select(p => p.Features.Select(f => f.Value).ToArray()).ToArray();
        return new FirstLoanData(ids, portraits[0].Features.Select(f => f.Name).ToList(), x, bad);
    }

    /// <summary>The documented label rule: weak health goes bad, with Gaussian noise so the outcome is not a pure function of features.</summary>
    internal static int LabelRule(double health, Random random)
    {
        var u1 = 1 - random.NextDouble();
        var noise = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * random.NextDouble());
        return (8 * (0.4 - health)) + (0.6 * noise) > 0 ? 1 : 0;
    }

    public static (TreeEnsemble Model, FirstLoanReport Report) TrainAndEvaluate(FirstLoanData data, BoostingOptions options, double testFraction = 0.3)
    {
        if (!(testFraction is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(testFraction));
        var order = Enumerable.Range(0, data.X.Length).ToArray();
        new Random(options.Seed).Shuffle(order);
        var testN = (int)(order.Length * testFraction);
        var test = order[..testN];
        var train = order[testN..];
        double[][] Rows(int[] idx) => idx.Select(i => data.X[i]).ToArray();
        int[] Labels(int[] idx) => idx.Select(i => data.Bad[i]).ToArray();
        var (xTrain, yTrain, xTest, yTest) = (Rows(train), Labels(train), Rows(test), Labels(test));
        var weights = Enumerable.Repeat(1.0, train.Length).ToArray();
        var model = GradientBoosting.Train(xTrain, yTrain, weights, data.FeatureNames.Count, options);
        var score = xTest.Select(r => model.Margin(r)).ToArray();
        var schema = new FeatureSchema(data.FeatureNames.Select(n => new FeatureSpec(n, FeatureKind.Numeric, [])).ToList());
        var linear = LogisticRegression.Train(xTrain, yTrain, weights, schema);
        var baseline = xTest.Select(r => linear.Margin(r)).ToArray();
        var majority = yTrain.Average() >= 0.5 ? 1 : 0;
        var report = new FirstLoanReport(train.Length, test.Length, data.Bad.Average(), Metrics.Auc(score, yTest), Accuracy(score, yTest),
            Metrics.Auc(baseline, yTest), Accuracy(baseline, yTest), yTest.Average(y => y == majority ? 1.0 : 0.0), TopFeatures(model, xTest, data.FeatureNames));
        return (model, report);
    }

    /// <summary>
    /// The labelled table as CSV (features, then <c>bad</c> = 0/1; undefined values empty) so that
    /// <c>credit train --label bad --bad 1</c> can build a registry model from portraits.
    /// </summary>
    public static void WriteCsv(FirstLoanData data, string path)
    {
        var text = new System.Text.StringBuilder();
        text.AppendJoin(',', data.FeatureNames).Append(",bad\n");
        for (var i = 0; i < data.X.Length; i++)
        {
            text.AppendJoin(',', data.X[i].Select(v => double.IsNaN(v) ? "" : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            text.Append(',').Append(data.Bad[i]).Append('\n');
        }
        File.WriteAllText(path, text.ToString(), new System.Text.UTF8Encoding(false));
    }

    /// <summary>Share of rows where "margin &gt; 0" (P(bad) &gt; ½) matches the outcome.</summary>
    private static double Accuracy(double[] margin, int[] bad) => margin.Zip(bad).Average(p => (p.First > 0 ? 1 : 0) == p.Second ? 1.0 : 0.0);

    /// <summary>Mean |SHAP| per feature on the held-out rows: which portrait features carry the decision.</summary>
    private static List<(string, double)> TopFeatures(TreeEnsemble model, double[][] x, IReadOnlyList<string> names)
    {
        var shap = new TreeShap(model);
        var phi = new double[names.Count];
        var sum = new double[names.Count];
        foreach (var row in x)
        {
            shap.Explain(row, phi);
            for (var f = 0; f < phi.Length; f++) sum[f] += Math.Abs(phi[f]);
        }
        return Enumerable.Range(0, names.Count).OrderByDescending(f => sum[f]).Take(10).Select(f => (names[f], sum[f] / x.Length)).ToList();
    }
}
