using System.Globalization;
using Banyan.RegTech.Catalogue;

namespace Banyan.RegTech.Compute;

/// <summary>The status of a figure against its thresholds.</summary>
internal static class FigureStatus
{
    public const string Ok = "ok";
    public const string Warning = "warning";
    /// <summary>Above the minimum but below minimum + buffers (Basel: distributions restricted).</summary>
    public const string BufferShortfall = "buffer_shortfall";
    public const string Breach = "breach";
    public const string Undefined = "undefined";
}

/// <summary>One computed indicator value. Ratios are fractions rounded half-up to 8 decimals; money (minor units) and counts are integers.</summary>
internal sealed record Figure(Indicator Indicator, DateOnly AsOf, decimal? Value, string Status, string Explanation, decimal? Requirement);

/// <summary>All figures of a profile as of a date, with the evaluation behind them (for drill-down).</summary>
internal sealed record FigureSet(string Profile, DateOnly AsOf, IReadOnlyList<Figure> Figures, Evaluation Evaluation);

/// <summary>A figure with the quantities behind it: expression nodes and leaves with their contributions.</summary>
internal sealed record Drilldown(Figure Figure, string Expression, IReadOnlyList<QuantityValue> Quantities);

/// <summary>Computes the catalogue's indicators from base quantities (deterministic: same data, same figures).</summary>
internal sealed class FigureEngine(IndicatorCatalogue catalogue, ComputeInputs inputs)
{
    public const int RatioDecimals = 8;

    public IndicatorCatalogue Catalogue => catalogue;

    public ComputeInputs Inputs => inputs;

    public async Task<FigureSet> ComputeAsync(string profile, DateOnly asOf, CancellationToken cancellationToken)
    {
        var indicators = catalogue.ForProfile(profile).ToList();
        var parsed = indicators.Select(i => Expr.Parse(i.Formula.Expr)).ToList();
        var evaluation = await Evaluation.RunAsync(inputs, asOf, inputs.CurrencyFor(profile), parsed, cancellationToken);
        var figures = new List<Figure>(indicators.Count);
        for (var i = 0; i < indicators.Count; i++) figures.Add(Evaluate(indicators[i], parsed[i], evaluation));
        return new FigureSet(profile, asOf, figures, evaluation);
    }

    public static Drilldown Drill(FigureSet set, Figure figure)
    {
        var expr = set.Evaluation.ParsedExpression("indicator:" + figure.Indicator.Id, figure.Indicator.Formula.Expr);
        var included = new List<QuantityValue>();
        var stack = new Stack<QuantityRef>(expr.References().Reverse());
        while (stack.Count > 0)
        {
            var r = stack.Pop();
            if (!set.Evaluation.Values.TryGetValue(r, out var v) || included.Contains(v)) continue;
            included.Add(v);
            if (v.Expr is not null)
                foreach (var inner in Expr.Parse(v.Expr).References().Reverse()) stack.Push(inner with { At = inner.At ?? r.At });
        }
        return new Drilldown(figure, figure.Indicator.Formula.Expr, included);
    }

    private static Figure Evaluate(Indicator indicator, Expr expr, Evaluation evaluation)
    {
        try
        {
            var raw = expr.Evaluate(evaluation.Resolve, evaluation.MonthsElapsed(evaluation.AsOf));
            var value = indicator.Unit == "ratio"
                ? Math.Round(raw, RatioDecimals, MidpointRounding.AwayFromZero)
                : Math.Round(raw, 0, MidpointRounding.AwayFromZero);
            var (status, explanation, requirement) = Assess(indicator, value);
            return new Figure(indicator, evaluation.AsOf, value, status, explanation, requirement);
        }
        catch (UndefinedFigureException e)
        {
            return new Figure(indicator, evaluation.AsOf, null, FigureStatus.Undefined, e.Message, indicator.Thresholds.MinWithBuffers);
        }
        catch (OverflowException)
        {
            return new Figure(indicator, evaluation.AsOf, null, FigureStatus.Undefined, "arithmetic overflow", indicator.Thresholds.MinWithBuffers);
        }
    }

    /// <summary>Status, explanation and the requirement (minimum + buffers, or maximum) of a value.</summary>
    public static (string Status, string Explanation, decimal? Requirement) Assess(Indicator indicator, decimal value)
    {
        var t = indicator.Thresholds;
        var shown = Show(indicator.Unit, value);
        if (t.Min is { } min)
        {
            var required = t.MinWithBuffers!.Value;
            if (value < min) return (FigureStatus.Breach, $"{shown} is below the regulatory minimum {Show(indicator.Unit, min)}", required);
            if (value < required)
                return (FigureStatus.BufferShortfall, $"{shown} meets the minimum {Show(indicator.Unit, min)} but not minimum + buffers {Show(indicator.Unit, required)}", required);
            if (t.WarningBand is { } band && value < required + band)
                return (FigureStatus.Warning, $"{shown} is within {Show(indicator.Unit, band)} of the requirement {Show(indicator.Unit, required)}", required);
        }
        if (t.Max is { } max)
        {
            if (value > max) return (FigureStatus.Breach, $"{shown} is above the regulatory maximum {Show(indicator.Unit, max)}", max);
            if (t.WarningBand is { } band && value > max - band)
                return (FigureStatus.Warning, $"{shown} is within {Show(indicator.Unit, band)} of the maximum {Show(indicator.Unit, max)}", max);
            if (t.Min is null) return (FigureStatus.Ok, $"{shown} is within the maximum {Show(indicator.Unit, max)}", max);
        }
        return (FigureStatus.Ok, t.Min is null ? shown : $"{shown} meets the requirement {Show(indicator.Unit, t.MinWithBuffers!.Value)}", t.MinWithBuffers ?? t.Max);
    }

    /// <summary>A value for people: ratios as percentages with two decimals, money in major units of minor units given, counts plain.</summary>
    public static string Show(string unit, decimal value) => unit switch
    {
        "ratio" => (value * 100m).ToString("0.00", CultureInfo.InvariantCulture) + "%",
        "money" => value.ToString("#,0", CultureInfo.InvariantCulture) + " (minor units)",
        _ => value.ToString("0", CultureInfo.InvariantCulture),
    };
}
