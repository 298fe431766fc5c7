namespace Banyan.Credit.Learning;

/// <summary>Discrimination and calibration metrics. Label 1 = bad; a higher score means riskier.</summary>
internal static class Metrics
{
    /// <summary>Area under the ROC curve: P(score of a bad &gt; score of a good), ties counting one half.</summary>
    public static double Auc(IReadOnlyList<double> score, IReadOnlyList<int> bad)
    {
        var order = Enumerable.Range(0, score.Count).OrderBy(i => score[i]).ToArray();
        double rankSumBad = 0;
        long nBad = 0;
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            while (j + 1 < order.Length && score[order[j + 1]] == score[order[i]]) j++;
            var midRank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
                if (bad[order[k]] == 1) { rankSumBad += midRank; nBad++; }
            i = j + 1;
        }
        long nGood = score.Count - nBad;
        if (nBad == 0 || nGood == 0) return double.NaN;
        return (rankSumBad - (nBad * (nBad + 1) / 2.0)) / ((double)nBad * nGood);
    }

    /// <summary>Kolmogorov–Smirnov statistic: max over thresholds of |F_bad(t) − F_good(t)|.</summary>
    public static double Ks(IReadOnlyList<double> score, IReadOnlyList<int> bad)
    {
        var order = Enumerable.Range(0, score.Count).OrderBy(i => score[i]).ToArray();
        double nBad = bad.Count(b => b == 1), nGood = score.Count - nBad;
        if (nBad == 0 || nGood == 0) return double.NaN;
        double cb = 0, cg = 0, best = 0;
        for (var i = 0; i < order.Length; i++)
        {
            if (bad[order[i]] == 1) cb++; else cg++;
            // Only compare at the end of a run of equal scores: a threshold cannot split ties.
            if (i + 1 < order.Length && score[order[i + 1]] == score[order[i]]) continue;
            best = Math.Max(best, Math.Abs((cb / nBad) - (cg / nGood)));
        }
        return best;
    }

    /// <summary>Mean squared error of the probability of "bad".</summary>
    public static double Brier(IReadOnlyList<double> probability, IReadOnlyList<int> bad)
    {
        if (probability.Count == 0) return double.NaN;
        var sum = 0.0;
        for (var i = 0; i < probability.Count; i++) sum += (probability[i] - bad[i]) * (probability[i] - bad[i]);
        return sum / probability.Count;
    }

    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    public static double Logit(double p) => Math.Log(p / (1 - p));
}

/// <summary>Platt scaling: P(bad) = σ(A·margin + B), fitted on out-of-fold margins.</summary>
internal readonly record struct Calibration(double A, double B)
{
    public double Probability(double margin) => Metrics.Sigmoid((A * margin) + B);

    /// <summary>Newton's method on the two parameters with Platt's smoothed targets.</summary>
    public static Calibration Fit(IReadOnlyList<double> margin, IReadOnlyList<int> bad)
    {
        double nBad = bad.Count(b => b == 1), nGood = bad.Count - nBad;
        var hi = (nBad + 1) / (nBad + 2);
        var lo = 1 / (nGood + 2);
        double a = 1, b = 0;
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
            for (var i = 0; i < margin.Count; i++)
            {
                var t = bad[i] == 1 ? hi : lo;
                var p = Metrics.Sigmoid((a * margin[i]) + b);
                var s = Math.Max(p * (1 - p), 1e-12);
                ga += (p - t) * margin[i]; gb += p - t;
                haa += s * margin[i] * margin[i]; hab += s * margin[i]; hbb += s;
            }
            var det = (haa * hbb) - (hab * hab);
            if (!(Math.Abs(det) > 1e-18)) break;
            var da = ((hbb * ga) - (hab * gb)) / det;
            var db = ((haa * gb) - (hab * ga)) / det;
            a -= da; b -= db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-12) break;
        }
        if (!double.IsFinite(a) || !double.IsFinite(b) || a <= 0) return new Calibration(1, 0);
        return new Calibration(a, b);
    }
}
