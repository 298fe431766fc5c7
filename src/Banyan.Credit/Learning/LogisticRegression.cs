using Banyan.Credit.Data;

namespace Banyan.Credit.Learning;

/// <summary>
/// The linear baseline. Numeric features are standardised (missing → training mean, i.e. 0 after
/// standardising); categorical features are one-hot over the schema's categories (missing/unseen → all
/// zeros). <c>Groups[k]</c> names the input feature of design column k, so linear SHAP can sum a
/// one-hot block into one player.
/// </summary>
internal sealed record LinearModel(
    double Intercept,
    double[] Weights,
    int[] Groups,
    int[] Codes,
    double[] Centers,
    double[] Scales,
    double[] DesignMeans)
{
    public int Width => Weights.Length;

    /// <summary>Design value of column k for encoded row x.</summary>
    public double Design(ReadOnlySpan<double> x, int k)
    {
        var v = x[Groups[k]];
        if (Codes[k] >= 0) return !double.IsNaN(v) && (int)v == Codes[k] ? 1 : 0;
        return double.IsNaN(v) ? 0 : (v - Centers[k]) / Scales[k];
    }

    public double Margin(ReadOnlySpan<double> x)
    {
        var m = Intercept;
        for (var k = 0; k < Width; k++) m += Weights[k] * Design(x, k);
        return m;
    }

    /// <summary>E[margin] over the training design: the SHAP base value.</summary>
    public double ExpectedMargin()
    {
        var m = Intercept;
        for (var k = 0; k < Width; k++) m += Weights[k] * DesignMeans[k];
        return m;
    }
}

/// <summary>L2-regularised logistic regression fitted by Newton's method (IRLS) with a Cholesky solve.</summary>
internal static class LogisticRegression
{
    public const int MaxIterations = 50;

    public static LinearModel Train(double[][] x, int[] y, double[] w, FeatureSchema schema, double l2 = 1.0)
    {
        var (groups, codes, centers, scales) = Layout(x, schema);
        var width = groups.Length;
        var layout = new LinearModel(0, new double[width], groups, codes, centers, scales, new double[width]);
        var n = x.Length;
        var design = new double[n][];
        for (var i = 0; i < n; i++)
        {
            design[i] = new double[width + 1];
            design[i][0] = 1;
            for (var k = 0; k < width; k++) design[i][k + 1] = layout.Design(x[i], k);
        }
        var beta = Fit(design, y, w, l2);
        var means = new double[width];
        for (var k = 0; k < width; k++) means[k] = design.Average(r => r[k + 1]);
        return layout with { Intercept = beta[0], Weights = beta[1..], DesignMeans = means };
    }

    private static (int[] Groups, int[] Codes, double[] Centers, double[] Scales) Layout(double[][] x, FeatureSchema schema)
    {
        var groups = new List<int>();
        var codes = new List<int>();
        var centers = new List<double>();
        var scales = new List<double>();
        for (var f = 0; f < schema.Count; f++)
        {
            var spec = schema.Features[f];
            if (spec.Kind == FeatureKind.Categorical)
            {
                for (var c = 0; c < spec.Categories.Count; c++) { groups.Add(f); codes.Add(c); centers.Add(0); scales.Add(1); }
                continue;
            }
            var present = x.Select(r => r[f]).Where(v => !double.IsNaN(v)).ToArray();
            var mean = present.Length == 0 ? 0 : present.Average();
            var sd = present.Length < 2 ? 1 : Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)) / (present.Length - 1));
            groups.Add(f); codes.Add(-1); centers.Add(mean); scales.Add(sd > 1e-12 ? sd : 1);
        }
        return ([.. groups], [.. codes], [.. centers], [.. scales]);
    }

    private static double[] Fit(double[][] design, int[] y, double[] w, double l2)
    {
        var d = design[0].Length;
        var beta = new double[d];
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            var grad = new double[d];
            var hess = new double[d, d];
            for (var i = 0; i < design.Length; i++)
            {
                var row = design[i];
                var z = 0.0;
                for (var k = 0; k < d; k++) z += beta[k] * row[k];
                var p = 1 / (1 + Math.Exp(-z));
                var r = w[i] * (p - y[i]);
                var s = w[i] * Math.Max(p * (1 - p), 1e-10);
                for (var a = 0; a < d; a++)
                {
                    if (row[a] == 0) continue;
                    grad[a] += r * row[a];
                    for (var b = 0; b <= a; b++) hess[a, b] += s * row[a] * row[b];
                }
            }
            // The intercept is not penalised.
            for (var a = 1; a < d; a++) { grad[a] += l2 * beta[a]; hess[a, a] += l2; }
            hess[0, 0] += 1e-9;
            var step = Cholesky.Solve(hess, grad);
            var change = 0.0;
            for (var k = 0; k < d; k++) { beta[k] -= step[k]; change = Math.Max(change, Math.Abs(step[k])); }
            if (change < 1e-10) break;
        }
        return beta;
    }
}

/// <summary>Solves A·x = b for symmetric positive-definite A given by its lower triangle.</summary>
internal static class Cholesky
{
    public static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        var l = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = a[i, j];
                for (var k = 0; k < j; k++) sum -= l[i, k] * l[j, k];
                if (i == j)
                {
                    if (!(sum > 0)) throw new InvalidOperationException("matrix is not positive definite");
                    l[i, i] = Math.Sqrt(sum);
                }
                else l[i, j] = sum / l[j, j];
            }
        }
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            var sum = b[i];
            for (var k = 0; k < i; k++) sum -= l[i, k] * y[k];
            y[i] = sum / l[i, i];
        }
        var x = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = y[i];
            for (var k = i + 1; k < n; k++) sum -= l[k, i] * x[k];
            x[i] = sum / l[i, i];
        }
        return x;
    }
}
