namespace Banyan.Credit.Learning;

/// <summary>Hyper-parameters of the gradient-boosted tree learner (logistic loss, Newton leaves).</summary>
internal sealed record BoostingOptions
{
    public int Trees { get; init; } = 200;
    public double LearningRate { get; init; } = 0.05;
    public int MaxDepth { get; init; } = 3;
    public int MinSamplesLeaf { get; init; } = 10;
    public double Lambda { get; init; } = 1.0;
    public double MinGain { get; init; }
    public double Subsample { get; init; } = 0.8;
    public double ColumnSample { get; init; } = 0.8;
    public int MaxBins { get; init; } = 64;
    public int Seed { get; init; } = 42;

    public void Validate()
    {
        if (Trees is < 1 or > 5000) throw new ArgumentOutOfRangeException(nameof(Trees), "trees must be 1..5000");
        if (MaxDepth is < 1 or > 12) throw new ArgumentOutOfRangeException(nameof(MaxDepth), "depth must be 1..12");
        if (!(LearningRate is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(LearningRate));
        if (!(Subsample is > 0 and <= 1) || !(ColumnSample is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(Subsample));
        if (MinSamplesLeaf < 1 || Lambda < 0 || MinGain < 0) throw new ArgumentOutOfRangeException(nameof(MinSamplesLeaf));
    }
}

/// <summary>A trained ensemble: margin = BaseScore + Σ tree(x), in log-odds of "bad".</summary>
internal sealed record TreeEnsemble(double BaseScore, IReadOnlyList<Tree> Trees)
{
    public double Margin(ReadOnlySpan<double> x)
    {
        var m = BaseScore;
        foreach (var t in Trees) m += t.Predict(x);
        return m;
    }

    /// <summary>E[margin] under the covers: the SHAP base value.</summary>
    public double ExpectedMargin() => BaseScore + Trees.Sum(t => t.ExpectedValue());
}

/// <summary>
/// Our own gradient-boosted trees (decision 0300): histogram split finding with a learned direction
/// for missing values, row and column subsampling from a seeded generator, so training is exactly
/// reproducible and every node records its cover.
/// </summary>
internal static class GradientBoosting
{
    public static TreeEnsemble Train(double[][] x, int[] y, double[] w, int featureCount, BoostingOptions options)
    {
        options.Validate();
        var n = x.Length;
        if (n < 2 || y.Length != n || w.Length != n) throw new ArgumentException("need at least two rows with labels and weights");
        var binning = Binning.Build(x, featureCount, options.MaxBins);
        var random = new Random(options.Seed);
        var totalW = w.Sum();
        var bad = Enumerable.Range(0, n).Sum(i => w[i] * y[i]);
        var prior = Math.Clamp(bad / totalW, 1e-6, 1 - 1e-6);
        var baseScore = Math.Log(prior / (1 - prior));
        var margin = Enumerable.Repeat(baseScore, n).ToArray();
        var g = new double[n];
        var h = new double[n];
        var trees = new List<Tree>(options.Trees);
        for (var t = 0; t < options.Trees; t++)
        {
            for (var i = 0; i < n; i++)
            {
                var p = 1 / (1 + Math.Exp(-margin[i]));
                g[i] = w[i] * (p - y[i]);
                h[i] = w[i] * Math.Max(p * (1 - p), 1e-12);
            }
            var rows = Sample(n, options.Subsample, random);
            var features = Sample(featureCount, options.ColumnSample, random);
            var tree = new TreeBuilder(binning, g, h, options, features).Build(rows);
            trees.Add(tree);
            for (var i = 0; i < n; i++) margin[i] += tree.Predict(x[i]);
        }
        return new TreeEnsemble(baseScore, trees);
    }

    /// <summary>A sorted subset of 0..n-1 of size ⌈fraction·n⌉ (partial Fisher–Yates).</summary>
    private static int[] Sample(int n, double fraction, Random random)
    {
        var k = Math.Max(1, (int)Math.Ceiling(fraction * n));
        var all = Enumerable.Range(0, n).ToArray();
        if (k >= n) return all;
        for (var i = 0; i < k; i++)
        {
            var j = random.Next(i, n);
            (all[i], all[j]) = (all[j], all[i]);
        }
        var chosen = all[..k];
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>Grows one tree depth-first from gradient statistics.</summary>
    private sealed class TreeBuilder(Binning binning, double[] g, double[] h, BoostingOptions options, int[] features)
    {
        private readonly List<int> feature = [];
        private readonly List<double> threshold = [];
        private readonly List<bool> missingLeft = [];
        private readonly List<int> left = [];
        private readonly List<int> right = [];
        private readonly List<double> value = [];
        private readonly List<double> cover = [];

        public Tree Build(int[] rows)
        {
            Grow(rows, 0);
            return new Tree([.. feature], [.. threshold], [.. missingLeft], [.. left], [.. right], [.. value], [.. cover]);
        }

        private int Grow(int[] rows, int depth)
        {
            var node = feature.Count;
            double sg = 0, sh = 0;
            foreach (var r in rows) { sg += g[r]; sh += h[r]; }
            feature.Add(-1); threshold.Add(0); missingLeft.Add(false); left.Add(-1); right.Add(-1);
            value.Add(-sg / (sh + options.Lambda) * options.LearningRate);
            cover.Add(rows.Length);
            if (depth >= options.MaxDepth || rows.Length < 2 * options.MinSamplesLeaf) return node;
            var best = FindSplit(rows, sg, sh);
            if (best.Feature < 0) return node;
            var (leftRows, rightRows) = Partition(rows, best);
            feature[node] = best.Feature;
            threshold[node] = binning.Upper[best.Feature][best.Bin];
            missingLeft[node] = best.MissingLeft;
            value[node] = 0;
            left[node] = Grow(leftRows, depth + 1);
            right[node] = Grow(rightRows, depth + 1);
            return node;
        }

        private (int[] Left, int[] Right) Partition(int[] rows, Split split)
        {
            var bins = binning.Bins[split.Feature];
            var l = new List<int>(rows.Length);
            var r = new List<int>(rows.Length);
            foreach (var row in rows)
            {
                var b = bins[row];
                var goLeft = b == 0 ? split.MissingLeft : b <= split.Bin;
                (goLeft ? l : r).Add(row);
            }
            return ([.. l], [.. r]);
        }

        private readonly record struct Split(int Feature, int Bin, bool MissingLeft, double Gain);

        private Split FindSplit(int[] rows, double sg, double sh)
        {
            var best = new Split(-1, 0, false, options.MinGain);
            var parent = sg * sg / (sh + options.Lambda);
            foreach (var f in features)
            {
                var count = binning.BinCount(f);
                if (count < 3) continue; // one value only (plus the missing bin): nothing to split
                var hg = new double[count];
                var hh = new double[count];
                var hn = new int[count];
                var bins = binning.Bins[f];
                foreach (var r in rows) { var b = bins[r]; hg[b] += g[r]; hh[b] += h[r]; hn[b]++; }
                best = BestForFeature(f, hg, hh, hn, rows.Length, sg, sh, parent, best);
            }
            return best;
        }

        private Split BestForFeature(int f, double[] hg, double[] hh, int[] hn, int n, double sg, double sh, double parent, Split best)
        {
            double lg = 0, lh = 0;
            var ln = 0;
            for (var b = 1; b < hg.Length - 1; b++)
            {
                lg += hg[b]; lh += hh[b]; ln += hn[b];
                foreach (var missLeft in (ReadOnlySpan<bool>)[true, false])
                {
                    var gl = lg + (missLeft ? hg[0] : 0);
                    var hl = lh + (missLeft ? hh[0] : 0);
                    var nl = ln + (missLeft ? hn[0] : 0);
                    if (nl < options.MinSamplesLeaf || n - nl < options.MinSamplesLeaf) continue;
                    var gain = (gl * gl / (hl + options.Lambda)) + ((sg - gl) * (sg - gl) / (sh - hl + options.Lambda)) - parent;
                    if (gain > best.Gain + 1e-12) best = new Split(f, b, missLeft, gain);
                    if (hn[0] == 0) break; // no missing rows: both directions are the same split
                }
            }
            return best;
        }
    }
}
