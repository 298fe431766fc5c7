using Banyan.RegTech.Compute;

namespace Banyan.RegTech.Warnings;

/// <summary>An alert on a figure: a threshold breach, a trend towards a threshold, or a jump beyond k σ of its history.</summary>
internal sealed record Alert(string IndicatorId, string NameEn, string NameZh, DateOnly AsOf, string Kind, string Severity, decimal? Value, string Explanation);

/// <summary>One earlier value of an indicator (from <c>regtech_figures</c>).</summary>
internal readonly record struct HistoryPoint(DateOnly AsOf, decimal Value);

/// <summary>Warning settings (<c>Banyan:RegTech:Warnings</c>).</summary>
internal sealed class WarningOptions
{
    /// <summary>Points (including the current one) the trend is fitted over.</summary>
    public int TrendPoints { get; init; } = 4;
    /// <summary>Periods ahead: a trend reaching the requirement within this many periods warns.</summary>
    public int TrendHorizon { get; init; } = 3;
    /// <summary>A period-on-period change further than K standard deviations from the mean change is a jump.</summary>
    public decimal JumpSigma { get; init; } = 3m;
    /// <summary>Earlier changes needed before jumps are judged.</summary>
    public int JumpMinimumHistory { get; init; } = 5;
}

/// <summary>Turns figures and their history into alerts with explanations. Pure: no clock, no storage.</summary>
internal sealed class WarningEngine(WarningOptions options)
{
    public IReadOnlyList<Alert> Evaluate(IReadOnlyList<Figure> figures, Func<string, IReadOnlyList<HistoryPoint>> historyBefore)
    {
        var alerts = new List<Alert>();
        foreach (var f in figures)
        {
            if (Threshold(f) is { } t) alerts.Add(t);
            if (f.Value is not { } value) continue;
            var history = historyBefore(f.Indicator.Id).Where(h => h.AsOf < f.AsOf).OrderBy(h => h.AsOf).ToList();
            if (f.Status == FigureStatus.Ok && Trend(f, value, history) is { } trend) alerts.Add(trend);
            if (Jump(f, value, history) is { } jump) alerts.Add(jump);
        }
        return alerts;
    }

    private static Alert? Threshold(Figure f) => f.Status switch
    {
        FigureStatus.Breach => Make(f, "threshold", "breach", f.Explanation),
        FigureStatus.BufferShortfall => Make(f, "threshold", "high", f.Explanation),
        FigureStatus.Warning => Make(f, "threshold", "warning", f.Explanation),
        _ => null,
    };

    /// <summary>Least-squares slope over the last points; warns when the line reaches the requirement within the horizon.</summary>
    private Alert? Trend(Figure f, decimal value, List<HistoryPoint> history)
    {
        var t = f.Indicator.Thresholds;
        if (t.Min is null && t.Max is null) return null;
        var points = history.TakeLast(options.TrendPoints - 1).Select(h => h.Value).Append(value).ToList();
        if (points.Count < 3) return null;
        var slope = Slope(points);
        var unit = f.Indicator.Unit;
        if (t.MinWithBuffers is { } floor && slope < 0 && value >= floor)
        {
            var periods = (value - floor) / -slope;
            if (periods <= options.TrendHorizon)
                return Make(f, "trend", "warning", $"{f.Indicator.NameEn} fell from {FigureEngine.Show(unit, points[0])} to {FigureEngine.Show(unit, value)} over {points.Count} periods; at this pace it reaches the requirement {FigureEngine.Show(unit, floor)} in {Math.Ceiling(periods)} period(s)");
        }
        if (t.Max is { } max && slope > 0 && value <= max)
        {
            var periods = (max - value) / slope;
            if (periods <= options.TrendHorizon)
                return Make(f, "trend", "warning", $"{f.Indicator.NameEn} rose from {FigureEngine.Show(unit, points[0])} to {FigureEngine.Show(unit, value)} over {points.Count} periods; at this pace it exceeds the maximum {FigureEngine.Show(unit, max)} in {Math.Ceiling(periods)} period(s)");
        }
        return null;
    }

    /// <summary>The latest change against the mean and standard deviation of the earlier changes.</summary>
    private Alert? Jump(Figure f, decimal value, List<HistoryPoint> history)
    {
        if (history.Count < options.JumpMinimumHistory + 1) return null;
        var values = history.Select(h => h.Value).ToList();
        var changes = values.Zip(values.Skip(1), (a, b) => b - a).ToList();
        var latest = value - values[^1];
        var mean = changes.Average();
        var variance = changes.Sum(c => (c - mean) * (c - mean)) / changes.Count;
        var sigma = DecimalMath.Sqrt(variance);
        if (sigma == 0 ? latest == mean : Math.Abs(latest - mean) <= options.JumpSigma * sigma) return null;
        var unit = f.Indicator.Unit;
        var k = sigma == 0 ? "∞" : Math.Round(Math.Abs(latest - mean) / sigma, 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Make(f, "jump", "warning", $"{f.Indicator.NameEn} moved {FigureEngine.Show(unit, latest)} in one period ({FigureEngine.Show(unit, values[^1])} → {FigureEngine.Show(unit, value)}), {k} σ from its usual change of {FigureEngine.Show(unit, mean)} ± {FigureEngine.Show(unit, sigma)} over {changes.Count} periods");
    }

    public static decimal Slope(IReadOnlyList<decimal> ys)
    {
        var n = ys.Count;
        var meanX = (n - 1) / 2m;
        var meanY = ys.Average();
        decimal num = 0, den = 0;
        for (var i = 0; i < n; i++)
        {
            num += (i - meanX) * (ys[i] - meanY);
            den += (i - meanX) * (i - meanX);
        }
        return den == 0 ? 0 : num / den;
    }

    private static Alert Make(Figure f, string kind, string severity, string explanation) =>
        new(f.Indicator.Id, f.Indicator.NameEn, f.Indicator.NameZh, f.AsOf, kind, severity, f.Value, explanation);
}

/// <summary>Square root in decimal (Newton's method), so statistics stay off floating point.</summary>
internal static class DecimalMath
{
    public static decimal Sqrt(decimal x)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        if (x == 0) return 0;
        var guess = x > 1 ? x / 2 : 1m;
        for (var i = 0; i < 100; i++)
        {
            var next = (guess + (x / guess)) / 2;
            if (Math.Abs(next - guess) < 0.0000000000000001m) return next;
            guess = next;
        }
        return guess;
    }
}
