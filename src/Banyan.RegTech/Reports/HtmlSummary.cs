using System.Globalization;
using System.Net;
using System.Text;
using Banyan.RegTech.Compute;
using Banyan.RegTech.Warnings;

namespace Banyan.RegTech.Reports;

/// <summary>The readable summary: key figures, alerts and inline SVG trend charts (no script, no external resources).</summary>
internal static class HtmlSummary
{
    private const int MaxCharts = 12;
    private const int Width = 320;
    private const int Height = 120;
    private const int Pad = 20;

    public static string Render(ReportInput input, string id, string dataHash)
    {
        var set = input.Figures;
        var b = new StringBuilder();
        b.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(id)).Append("</title>\n<style>")
            .Append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
            .Append(".breach{background:#fdd}.warning,.buffer_shortfall{background:#ffd}.ok{background:#efe}.charts svg{margin:6px;border:1px solid #ddd}")
            .Append("</style></head><body>\n");
        b.Append("<h1>Regulatory return ").Append(E(id)).Append("</h1>\n<p>Profile <b>").Append(E(set.Profile)).Append("</b>, as of <b>")
            .Append(set.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append("</b>, version ").Append(input.Version)
            .Append(", currency ").Append(E(input.Currency)).Append(" (money in minor units). Data hash (SHA-256 of figures.csv): <code>").Append(dataHash).Append("</code></p>\n");
        var counts = set.Figures.GroupBy(f => f.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}");
        b.Append("<p>").Append(set.Figures.Count).Append(" indicators — ").Append(E(string.Join(", ", counts))).Append("</p>\n");
        Alerts(b, input.Alerts);
        Charts(b, input);
        Table(b, set);
        b.Append("</body></html>\n");
        return b.ToString();
    }

    private static void Alerts(StringBuilder b, IReadOnlyList<Alert> alerts)
    {
        b.Append("<h2>Alerts (").Append(alerts.Count).Append(")</h2>\n<ul>\n");
        foreach (var a in alerts)
            b.Append("<li class=\"").Append(a.Severity == "breach" ? "breach" : "warning").Append("\"><b>").Append(E(a.IndicatorId)).Append("</b> [")
                .Append(E(a.Kind)).Append("] ").Append(E(a.Explanation)).Append("</li>\n");
        b.Append("</ul>\n");
    }

    private static void Charts(StringBuilder b, ReportInput input)
    {
        b.Append("<h2>Trends</h2>\n<div class=\"charts\">\n");
        var keyed = input.Figures.Figures.Where(f => f.Value is not null && f.Indicator.Unit == "ratio" && (f.Indicator.Thresholds.Min is not null || f.Indicator.Thresholds.Max is not null)).Take(MaxCharts);
        foreach (var f in keyed)
        {
            var points = input.History(f.Indicator.Id).Where(h => h.AsOf < f.AsOf).OrderBy(h => h.AsOf).TakeLast(11).Append(new HistoryPoint(f.AsOf, f.Value!.Value)).ToList();
            b.Append(Chart(f, points));
        }
        b.Append("</div>\n");
    }

    /// <summary>A line chart of the points with the requirement as a dashed red line.</summary>
    internal static string Chart(Figure f, IReadOnlyList<HistoryPoint> points)
    {
        var requirement = f.Requirement;
        var values = points.Select(p => p.Value).ToList();
        if (requirement is { } r) values.Add(r);
        var lo = values.Min();
        var hi = values.Max();
        if (hi == lo) hi = lo + 0.01m;
        decimal X(int i) => Pad + (points.Count == 1 ? 0 : (Width - (2 * Pad)) * i / (decimal)(points.Count - 1));
        decimal Y(decimal v) => Height - Pad - ((Height - (2 * Pad)) * (v - lo) / (hi - lo));
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\">");
        b.Append("<title>").Append(E(f.Indicator.NameEn)).Append("</title>");
        b.Append("<text x=\"4\" y=\"14\" font-size=\"11\">").Append(E(f.Indicator.Id)).Append(' ').Append(E(FigureEngine.Show("ratio", f.Value!.Value))).Append("</text>");
        if (requirement is { } req)
            b.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Pad}\" x2=\"{Width - Pad}\" y1=\"{N(Y(req))}\" y2=\"{N(Y(req))}\" stroke=\"#c00\" stroke-dasharray=\"4 3\"/>");
        var path = string.Join(' ', points.Select((p, i) => $"{N(X(i))},{N(Y(p.Value))}"));
        b.Append("<polyline fill=\"none\" stroke=\"#06c\" stroke-width=\"2\" points=\"").Append(path).Append("\"/>");
        for (var i = 0; i < points.Count; i++)
            b.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(X(i))}\" cy=\"{N(Y(points[i].Value))}\" r=\"2.5\" fill=\"#06c\"><title>{points[i].AsOf:yyyy-MM-dd}: {E(FigureEngine.Show("ratio", points[i].Value))}</title></circle>");
        b.Append("</svg>\n");
        return b.ToString();
    }

    private static void Table(StringBuilder b, FigureSet set)
    {
        b.Append("<h2>All indicators</h2>\n<table><tr><th>Id</th><th>Indicator</th><th>指标</th><th>Value</th><th>Requirement</th><th>Status</th></tr>\n");
        foreach (var f in set.Figures)
            b.Append("<tr class=\"").Append(f.Status).Append("\"><td>").Append(E(f.Indicator.Id)).Append("</td><td>").Append(E(f.Indicator.NameEn)).Append("</td><td>")
                .Append(E(f.Indicator.NameZh)).Append("</td><td>").Append(f.Value is null ? "—" : E(FigureEngine.Show(f.Indicator.Unit, f.Value.Value)))
                .Append("</td><td>").Append(f.Requirement is null ? "" : E(FigureEngine.Show(f.Indicator.Unit, f.Requirement.Value))).Append("</td><td>").Append(f.Status).Append("</td></tr>\n");
        b.Append("</table>\n");
    }

    private static string N(decimal v) => Math.Round(v, 1).ToString("0.0", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
