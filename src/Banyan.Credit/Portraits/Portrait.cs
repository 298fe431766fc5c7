namespace Banyan.Credit.Portraits;

/// <summary>What a feature's number means: money in minor units (exact integer), a count, a ratio, days, or a flag.</summary>
internal enum FeatureUnit
{
    Money,
    Count,
    Ratio,
    Days,
    Flag,
}

/// <summary>One named portrait feature. <c>NaN</c> means "not defined" (e.g. a ratio over zero).</summary>
internal readonly record struct PortraitFeature(string Name, FeatureUnit Unit, double Value, string Description);

/// <summary>A company's portrait at an as-of date: features in a fixed order (same names for every company).</summary>
internal sealed record Portrait(string Company, DateOnly AsOf, IReadOnlyList<PortraitFeature> Features)
{
    public double this[string name] => Features.First(f => string.Equals(f.Name, name, StringComparison.Ordinal)).Value;
}

/// <summary>Collects features, refusing duplicate names (a duplicate would silently shadow another).</summary>
internal sealed class FeatureSink
{
    private readonly List<PortraitFeature> features = [];
    private readonly HashSet<string> names = new(StringComparer.Ordinal);

    public IReadOnlyList<PortraitFeature> Features => features;

    public void Money(string name, long minor, string description) => Add(name, FeatureUnit.Money, minor, description);

    public void Count(string name, double count, string description) => Add(name, FeatureUnit.Count, count, description);

    public void Ratio(string name, double value, string description) => Add(name, FeatureUnit.Ratio, value, description);

    public void Days(string name, double days, string description) => Add(name, FeatureUnit.Days, days, description);

    public void Flag(string name, bool value, string description) => Add(name, FeatureUnit.Flag, value ? 1 : 0, description);

    private void Add(string name, FeatureUnit unit, double value, string description)
    {
        if (!names.Add(name)) throw new InvalidOperationException($"duplicate portrait feature '{name}'");
        features.Add(new PortraitFeature(name, unit, double.IsFinite(value) ? value : double.NaN, description));
    }
}

/// <summary>Small statistics used by several feature families.</summary>
internal static class Stats
{
    public static double Ratio(double numerator, double denominator) => denominator == 0 ? double.NaN : numerator / denominator;

    /// <summary>Herfindahl–Hirschman index of shares (0..1): 1 means one counterparty takes everything.</summary>
    public static double Hhi(IEnumerable<long> amounts)
    {
        var list = amounts.Where(a => a > 0).ToList();
        double total = list.Sum(a => (double)a);
        return total == 0 ? double.NaN : list.Sum(a => (a / total) * (a / total));
    }

    /// <summary>Share of the largest <paramref name="k"/> amounts in the total.</summary>
    public static double TopShare(IEnumerable<long> amounts, int k)
    {
        var list = amounts.Where(a => a > 0).OrderDescending().ToList();
        double total = list.Sum(a => (double)a);
        return total == 0 ? double.NaN : list.Take(k).Sum(a => (double)a) / total;
    }

    /// <summary>Coefficient of variation (population sd / mean); NaN for a zero mean.</summary>
    public static double Cv(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var mean = values.Average();
        if (mean == 0) return double.NaN;
        var variance = values.Sum(v => (v - mean) * (v - mean)) / values.Count;
        return Math.Sqrt(variance) / mean;
    }

    /// <summary>Least-squares slope of values against their index, divided by the mean (relative trend per step).</summary>
    public static double RelativeSlope(IReadOnlyList<double> values)
    {
        var n = values.Count;
        if (n < 2) return double.NaN;
        var mean = values.Average();
        var xm = (n - 1) / 2.0;
        double num = 0, den = 0;
        for (var i = 0; i < n; i++) { num += (i - xm) * (values[i] - mean); den += (i - xm) * (i - xm); }
        return mean == 0 ? double.NaN : num / den / mean;
    }

    /// <summary>(current − previous) / previous.</summary>
    public static double Growth(double current, double previous) => previous == 0 ? double.NaN : (current - previous) / previous;

    public static long Sum(IEnumerable<long> values)
    {
        long s = 0;
        foreach (var v in values) s = checked(s + v);
        return s;
    }
}
