using Banyan.Credit.Data;
using Banyan.Credit.Fairness;
using Banyan.Credit.Learning;

namespace Banyan.Credit.Model;

/// <summary>A fitted scorer for one training set: its schema and its margin function.</summary>
internal sealed record Fitted(FeatureSchema Schema, TreeEnsemble? Ensemble, LinearModel? Linear)
{
    public double Margin(ReadOnlySpan<double> x) => Ensemble?.Margin(x) ?? Linear!.Margin(x);
}

/// <summary>The labelled rows a pipeline works on: table row numbers, 1 = bad, groups (or −1s).</summary>
internal sealed record LabelledRows(Table Table, int[] Rows, int[] Bad, int[] Group, int[] FeatureColumns);

/// <summary>Fitting and cross-validation shared by training, tests and the bench.</summary>
internal static class Pipeline
{
    public static LabelledRows Prepare(Table table, IReadOnlyList<int> candidateRows, TrainRequest request)
    {
        var label = table.ColumnIndex(request.Label);
        if (label < 0) throw new ArgumentException($"--label '{request.Label}' is not a column of the data ({string.Join(", ", table.Columns)})");
        var protectedColumn = request.Protected is { } p ? table.ColumnIndex(p.Column) : -1;
        if (request.Protected is not null && protectedColumn < 0) throw new ArgumentException($"--protected '{request.Protected.Column}' is not a column of the data");
        var rows = candidateRows.Where(r => table.Rows[r][label] is not null).ToArray();
        var bad = rows.Select(r => table.Rows[r][label] == request.BadValue ? 1 : 0).ToArray();
        var nBad = bad.Sum();
        if (nBad < request.Folds || rows.Length - nBad < request.Folds)
            throw new ArgumentException($"--bad '{request.BadValue}' leaves {nBad} bad and {rows.Length - nBad} good rows; each needs at least {request.Folds}");
        var group = request.Protected?.Classify(table, rows) ?? rows.Select(_ => ProtectedGroup.UnknownGroup).ToArray();
        var features = Enumerable.Range(0, table.Columns.Count).Where(c => c != label && c != protectedColumn).ToArray();
        if (features.Length == 0) throw new ArgumentException("the data has no feature columns besides the label");
        return new LabelledRows(table, rows, bad, group, features);
    }

    /// <summary>Fits on the subset <paramref name="subset"/> (indices into <paramref name="data"/>.Rows).</summary>
    public static Fitted Fit(LabelledRows data, int[] subset, double[]? weights, string algorithm, BoostingOptions options)
    {
        var rows = subset.Select(i => data.Rows[i]).ToArray();
        var bad = subset.Select(i => data.Bad[i]).ToArray();
        var schema = FeatureSchema.Infer(data.Table, data.FeatureColumns, bad, rows);
        var x = schema.Encode(data.Table, rows);
        var w = weights is null ? Enumerable.Repeat(1.0, subset.Length).ToArray() : subset.Select(i => weights[i]).ToArray();
        return algorithm == CreditModel.LinearAlgorithm
            ? new Fitted(schema, null, LogisticRegression.Train(x, bad, w, schema))
            : new Fitted(schema, GradientBoosting.Train(x, bad, w, schema.Count, options), null);
    }

    /// <summary>Out-of-fold margins for every row (stratified k-fold, seeded).</summary>
    public static double[] CrossValidate(LabelledRows data, int folds, int seed, bool reweigh, string algorithm, BoostingOptions options)
    {
        var fold = StratifiedFolds(data.Bad, folds, seed);
        var margins = new double[data.Rows.Length];
        for (var k = 0; k < folds; k++)
        {
            var train = Enumerable.Range(0, fold.Length).Where(i => fold[i] != k).ToArray();
            var test = Enumerable.Range(0, fold.Length).Where(i => fold[i] == k).ToArray();
            var weights = reweigh ? Reweighing.Weights(data.Bad, data.Group, train) : null;
            var fitted = Fit(data, train, weights, algorithm, options);
            var x = fitted.Schema.Encode(data.Table, test.Select(i => data.Rows[i]).ToArray());
            for (var j = 0; j < test.Length; j++) margins[test[j]] = fitted.Margin(x[j]);
        }
        return margins;
    }

    /// <summary>Fold number per row: each class shuffled with the seed and dealt round-robin.</summary>
    public static int[] StratifiedFolds(int[] bad, int folds, int seed)
    {
        var random = new Random(seed);
        var fold = new int[bad.Length];
        foreach (var cls in new[] { 0, 1 })
        {
            var members = Enumerable.Range(0, bad.Length).Where(i => bad[i] == cls).ToArray();
            random.Shuffle(members);
            for (var j = 0; j < members.Length; j++) fold[members[j]] = j % folds;
        }
        return fold;
    }
}

/// <summary>
/// Kamiran &amp; Calders reweighing: weight(g, y) = P(g)·P(y) / P(g, y) over the training rows, so group
/// and outcome look independent to the learner. Rows with an unknown group keep weight 1.
/// </summary>
internal static class Reweighing
{
    public static double[] Weights(int[] bad, int[] group, int[] trainRows)
    {
        var weights = Enumerable.Repeat(1.0, bad.Length).ToArray();
        var known = trainRows.Where(i => group[i] >= 0).ToArray();
        if (known.Length == 0) return weights;
        double n = known.Length;
        for (var g = 0; g <= 1; g++)
        {
            for (var y = 0; y <= 1; y++)
            {
                double ng = known.Count(i => group[i] == g), ny = known.Count(i => bad[i] == y);
                double ngy = known.Count(i => group[i] == g && bad[i] == y);
                if (ngy == 0) continue;
                var w = ng / n * (ny / n) / (ngy / n);
                foreach (var i in known) if (group[i] == g && bad[i] == y) weights[i] = w;
            }
        }
        return weights;
    }
}
