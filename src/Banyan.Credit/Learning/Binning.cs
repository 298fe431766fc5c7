namespace Banyan.Credit.Learning;

/// <summary>
/// Per-feature quantisation for split finding. Bin 0 holds missing values; bins 1..B hold ascending
/// value ranges. <c>Upper[b]</c> is the threshold that separates bin b from bin b+1, chosen so that every
/// training value in bins ≤ b satisfies <c>x &lt;= Upper[b]</c> and every value above does not.
/// </summary>
internal sealed class Binning
{
    private Binning(double[][] upper, byte[][] bins)
    {
        Upper = upper;
        Bins = bins;
    }

    /// <summary>Upper[f][b] for b in 1..B-1 (index 0 unused).</summary>
    public double[][] Upper { get; }

    /// <summary>Bins[f][row].</summary>
    public byte[][] Bins { get; }

    public int BinCount(int feature) => Upper[feature].Length;

    public static Binning Build(double[][] x, int featureCount, int maxBins)
    {
        if (maxBins is < 2 or > 255) throw new ArgumentOutOfRangeException(nameof(maxBins));
        var upper = new double[featureCount][];
        var bins = new byte[featureCount][];
        for (var f = 0; f < featureCount; f++) (upper[f], bins[f]) = BuildFeature(x, f, maxBins);
        return new Binning(upper, bins);
    }

    private static (double[] Upper, byte[] Bins) BuildFeature(double[][] x, int f, int maxBins)
    {
        var present = x.Select(r => r[f]).Where(v => !double.IsNaN(v)).Order().ToArray();
        var distinct = present.Distinct().ToArray();
        // Cut points: every distinct value when few, else values at row quantiles (duplicates merged).
        var cuts = new List<double>();
        if (distinct.Length <= maxBins) cuts.AddRange(distinct.Take(Math.Max(0, distinct.Length - 1)));
        else
        {
            for (var k = 1; k < maxBins; k++)
            {
                var v = present[(int)((long)k * present.Length / maxBins)];
                if (v < distinct[^1] && (cuts.Count == 0 || v > cuts[^1])) cuts.Add(v);
            }
        }
        // upper[b] separates bin b (values <= cut) from b+1; use the midpoint to the next value when it is exact.
        var upper = new double[cuts.Count + 2];
        for (var b = 0; b < cuts.Count; b++)
        {
            var next = NextAbove(distinct, cuts[b]);
            var mid = cuts[b] + ((next - cuts[b]) / 2);
            upper[b + 1] = mid >= next || mid < cuts[b] ? cuts[b] : mid;
        }
        upper[^1] = double.PositiveInfinity;
        var bins = new byte[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var v = x[i][f];
            if (double.IsNaN(v)) continue;
            var b = cuts.BinarySearch(v);
            bins[i] = checked((byte)((b >= 0 ? b : ~b) + 1));
        }
        return (upper, bins);
    }

    private static double NextAbove(double[] sortedDistinct, double v)
    {
        var i = Array.BinarySearch(sortedDistinct, v);
        return sortedDistinct[i + 1];
    }
}
