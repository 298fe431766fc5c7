namespace Banyan.Payments.Bench;

/// <summary>Latency percentiles of the payments benchmarks.</summary>
internal static class Percentiles
{
    /// <summary>Nearest-rank percentile <paramref name="p"/> (0..1] of ascending <paramref name="sorted"/> values; 0 when there are none.</summary>
    public static double Of(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
