using System.Globalization;
using System.Net.Http.Json;
using Banyan.Platform;
using Banyan.Platform.Http;
using Banyan.RegTech.Api;
using Spectre.Console;

namespace Banyan.RegTech.Demo;

/// <summary>The RegTech part of <c>banyan demo</c>: catalogue size, the dashboard of key indicators with trends, alerts, a drill-down and a generated return.</summary>
internal static class RegTechWalkthrough
{
    private static readonly string[] Key =
        ["cn.cet1_ratio", "cn.car", "cn.leverage_ratio", "cn.lcr", "cn.nsfr", "cn.npl_ratio", "cn.provision_coverage", "cn.top10_concentration", "cn.mortgage_share", "cn.large_value_reports"];

    public static async Task RunAsync(DemoContext demo, CancellationToken cancellationToken)
    {
        var console = demo.Console;
        var catalogue = await Get<CatalogueResponse>(demo, "v1/regtech/indicators", cancellationToken);
        console.MarkupLineInterpolated($"GET /v1/regtech/indicators → [bold]{catalogue.Count}[/] indicators (catalogue {catalogue.Version}), every one computed from ledger / loan-book data");
        var time = (TimeProvider?)demo.Services.GetService(typeof(TimeProvider)) ?? TimeProvider.System;
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var asOf = new DateOnly(today.Year, today.Month, 1).AddDays(-1);
        var dates = Enumerable.Range(0, 4).Select(i => new DateOnly(asOf.Year, asOf.Month, 1).AddMonths(i - 3).AddMonths(1).AddDays(-1)).ToList();
        var sets = new List<FiguresResponse>();
        foreach (var d in dates) sets.Add(await Get<FiguresResponse>(demo, $"v1/regtech/figures?profile=cn&as_of={Iso(d)}", cancellationToken));
        var table = new Table().Title($"China profile dashboard (as of {Iso(asOf)}, trend over the last four month-ends)");
        table.AddColumns("indicator", "指标", "trend", "value", "status");
        foreach (var id in Key)
        {
            var row = sets.Select(s => s.Figures.First(f => f.IndicatorId == id)).ToList();
            var last = row[^1];
            table.AddRow(Markup.Escape(id), Markup.Escape(last.NameZh), Markup.Escape(string.Join(" → ", row.Select(f => Short(f)))), Markup.Escape(Short(last)), Colour(last.Status));
        }
        console.Write(table);
        var warnings = await Get<WarningsResponse>(demo, $"v1/regtech/warnings?profile=cn&as_of={Iso(asOf)}", cancellationToken);
        console.MarkupLineInterpolated($"GET /v1/regtech/warnings → [bold]{warnings.Count}[/] alerts; the most important:");
        foreach (var a in warnings.Alerts.OrderBy(a => a.Severity == "breach" ? 0 : 1).Take(6))
            console.MarkupLineInterpolated($"  [{(a.Severity == "breach" ? "red" : "yellow")}]{a.Kind}[/] {a.IndicatorId}: {a.Explanation}");
        await TrendAndStrAsync(demo, asOf, cancellationToken);
        var drill = await Get<DrilldownResponse>(demo, $"v1/regtech/figures/cn.lcr/drilldown?as_of={Iso(asOf)}", cancellationToken);
        console.MarkupLineInterpolated($"GET /v1/regtech/figures/cn.lcr/drilldown → {drill.Expression} = {Short(drill.Figure)}, from {drill.Quantities.Count} quantities and {drill.Quantities.Sum(q => q.Contributions.Count)} account lines");
        using var response = await demo.Api.PostAsJsonAsync("v1/regtech/reports", new { profile = "basel", as_of = Iso(asOf) }, BanyanJson.Options, cancellationToken);
        response.EnsureSuccessStatusCode();
        var report = await response.Content.ReadFromJsonAsync<ReportResponse>(BanyanJson.Options, cancellationToken) ?? throw new InvalidOperationException("empty report");
        console.MarkupLineInterpolated($"POST /v1/regtech/reports → {report.ReportId}: {report.Files.Count} files ({string.Join(", ", report.Files.Select(f => f.Name))}), data hash {report.DataHash[..16]}…");
    }

    /// <summary>The LCR's stored trend (what the console draws) and this month's STR count from AML cases.</summary>
    private static async Task TrendAndStrAsync(DemoContext demo, DateOnly asOf, CancellationToken cancellationToken)
    {
        var console = demo.Console;
        var lcr = await Get<IndicatorHistoryDto>(demo, $"v1/regtech/indicators/cn.lcr/history?to={Iso(asOf)}&points=12", cancellationToken);
        var line = string.Join(" ", lcr.Points.Select(p => p.Value is null ? "n/a" : (decimal.Parse(p.Value, CultureInfo.InvariantCulture) * 100m).ToString("0", CultureInfo.InvariantCulture)));
        var breaches = lcr.Points.Where(p => p.Status == "breach").Select(p => p.AsOf).ToList();
        console.MarkupLineInterpolated($"GET /v1/regtech/indicators/cn.lcr/history → {lcr.Points.Count} stored month-ends, LCR % {line} (requirement {lcr.Required}); breaches: {(breaches.Count == 0 ? "none" : string.Join(", ", breaches))}");
        var now = await Get<FiguresResponse>(demo, "v1/regtech/figures?profile=cn", cancellationToken);
        var str = now.Figures.First(f => f.IndicatorId == "cn.suspicious_reports");
        console.MarkupLineInterpolated($"cn.suspicious_reports (month to date, from AML cases closed as suspicious_reported): [bold]{Short(str)}[/] {(str.Value is null ? str.Explanation : "")}");
    }

    private static async Task<T> Get<T>(DemoContext demo, string path, CancellationToken cancellationToken)
    {
        using var response = await demo.Api.GetAsync(path, cancellationToken);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        return await response.Content.ReadFromJsonAsync<T>(BanyanJson.Options, cancellationToken) ?? throw new InvalidOperationException($"GET {path}: empty body");
    }

    internal static string Short(FigureDto f)
    {
        if (f.Value is null) return "n/a";
        var v = decimal.Parse(f.Value, CultureInfo.InvariantCulture);
        return f.Unit switch
        {
            "ratio" => (v * 100m).ToString("0.00", CultureInfo.InvariantCulture) + "%",
            "money" => (v / 100m).ToString("#,0", CultureInfo.InvariantCulture),
            _ => v.ToString("0", CultureInfo.InvariantCulture),
        };
    }

    private static string Colour(string status) => status switch
    {
        "breach" => "[red]breach[/]",
        "ok" => "[green]ok[/]",
        "undefined" => "[grey]undefined[/]",
        _ => "[yellow]" + status + "[/]",
    };

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
