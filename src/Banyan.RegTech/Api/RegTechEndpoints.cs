using System.Globalization;
using Banyan.Platform;
using Banyan.Platform.Http;
using Banyan.RegTech.Catalogue;
using Banyan.RegTech.Compute;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.RegTech.Api;

/// <summary>The RegTech API under <c>/v1/regtech</c> (scope <c>regtech</c>), documented in docs/regtech.md.</summary>
internal static class RegTechEndpoints
{
    private static readonly DateOnly Earliest = new(2000, 1, 1);

    public static void Map(IEndpointRouteBuilder v1)
    {
        var g = v1.MapGroup("/regtech").RequireAuthorization(ScopePolicy.For("regtech")).WithTags("RegTech");
        g.MapGet("/indicators", Indicators).WithName("ListRegTechIndicators").WithSummary("The indicator catalogue (?profile=cn|basel).").ProducesProblem(StatusCodes.Status400BadRequest);
        g.MapGet("/figures", FiguresAsync).WithName("GetRegTechFigures").WithSummary("Every indicator of a profile computed as of a date (?profile=cn|basel&as_of=YYYY-MM-DD).").ProducesProblem(StatusCodes.Status400BadRequest);
        g.MapGet("/figures/{id}/drilldown", DrilldownAsync).WithName("GetRegTechDrilldown").WithSummary("A figure with the quantities, accounts and transfers behind it (?as_of=).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        g.MapGet("/warnings", WarningsAsync).WithName("GetRegTechWarnings").WithSummary("Threshold, trend and jump alerts for a profile as of a date.").ProducesProblem(StatusCodes.Status400BadRequest);
        g.MapPost("/reports", ReportAsync).WithName("CreateRegTechReport").WithSummary("Generate a return (CSV, JSON, XBRL-CSV package, HTML) and log its submission.").ProducesProblem(StatusCodes.Status400BadRequest);
        g.MapGet("/history", HistoryAsync).WithName("GetRegTechHistory")
            .WithSummary("Stored history of every indicator of a profile, with thresholds, for trend charts (?profile=&to=YYYY-MM-DD&points=1..60, default 12).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        g.MapGet("/indicators/{id}/history", IndicatorHistoryAsync).WithName("GetRegTechIndicatorHistory")
            .WithSummary("Stored history of one indicator, with thresholds (?to=YYYY-MM-DD&points=1..60, default 12).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        g.MapGet("/submissions", SubmissionsAsync).WithName("ListRegTechSubmissions").WithSummary("The submission log (?regulator=NFRA|PBoC|BCBS).");
    }

    private static Results<Ok<CatalogueResponse>, ProblemHttpResult> Indicators(HttpContext http, string? profile)
    {
        var catalogue = http.RequestServices.GetRequiredService<IndicatorCatalogue>();
        if (profile is not null && !IndicatorCatalogue.Profiles.Contains(profile)) return Invalid("profile", "must be cn or basel");
        var list = profile is null ? catalogue.Indicators : catalogue.ForProfile(profile).ToList();
        return TypedResults.Ok(new CatalogueResponse(catalogue.Version, list.Count, list));
    }

    private static async Task<Results<Ok<FiguresResponse>, ProblemHttpResult>> FiguresAsync(HttpContext http, string? profile, string? as_of)
    {
        var service = http.RequestServices.GetRequiredService<RegTechService>();
        if (Validate(service, profile, as_of, out var date) is { } problem) return problem;
        var set = await service.ComputeAsync(profile!, date, store: false, http.RequestAborted);
        return TypedResults.Ok(new FiguresResponse(set.Profile, Iso(date), service.Mapping.Version, set.Evaluation.Currency, set.Figures.Select(FigureDto.Of).ToList()));
    }

    private static async Task<Results<Ok<DrilldownResponse>, ProblemHttpResult>> DrilldownAsync(HttpContext http, string id, string? as_of)
    {
        var service = http.RequestServices.GetRequiredService<RegTechService>();
        if (!service.Catalogue.TryGet(id, out var indicator)) return BanyanProblems.NotFound($"no indicator '{id}'");
        if (Validate(service, indicator.Profile, as_of, out var date) is { } problem) return problem;
        var set = await service.ComputeAsync(indicator.Profile, date, store: false, http.RequestAborted);
        var drill = FigureEngine.Drill(set, set.Figures.First(f => f.Indicator.Id == id));
        return TypedResults.Ok(new DrilldownResponse(FigureDto.Of(drill.Figure), Iso(date), drill.Expression, drill.Quantities.Select(QuantityDto.Of).ToList()));
    }

    private static async Task<Results<Ok<WarningsResponse>, ProblemHttpResult>> WarningsAsync(HttpContext http, string? profile, string? as_of)
    {
        var service = http.RequestServices.GetRequiredService<RegTechService>();
        if (Validate(service, profile ?? IndicatorCatalogue.ProfileCn, as_of, out var date) is { } problem) return problem;
        var set = await service.ComputeAsync(profile ?? IndicatorCatalogue.ProfileCn, date, store: false, http.RequestAborted);
        var alerts = await service.WarningsAsync(set, http.RequestAborted);
        return TypedResults.Ok(new WarningsResponse(set.Profile, Iso(date), alerts.Count, alerts.Select(AlertDto.Of).ToList()));
    }

    private static async Task<Results<Created<ReportResponse>, ProblemHttpResult>> ReportAsync(HttpContext http, ReportRequest body)
    {
        var service = http.RequestServices.GetRequiredService<RegTechService>();
        if (Validate(service, body.Profile, body.AsOf, out var date) is { } problem) return problem;
        var directory = http.RequestServices.GetRequiredService<RegTechDirectory>().Path;
        var report = await service.ReportAsync(body.Profile!, date, "api", directory, http.RequestAborted);
        return TypedResults.Created($"/v1/regtech/submissions?report_id={report.ReportId}", ReportResponse.Of(report));
    }

    private static async Task<Results<Ok<HistoryResponse>, ProblemHttpResult>> HistoryAsync(HttpContext http, string? profile, string? to, string? points)
    {
        var service = http.RequestServices.GetRequiredService<RegTechService>();
        if (Validate(service, profile, to, out var date, "to") is { } problem) return problem;
        if (Points(points, out var n) is { } bad) return bad;
        var indicators = service.Catalogue.ForProfile(profile!).ToList();
        var history = await service.StoredHistoryAsync(profile!, indicators.Select(i => i.Id).ToList(), date, n, http.RequestAborted);
        return TypedResults.Ok(new HistoryResponse(profile!, Iso(date), n, indicators.Select(i => IndicatorHistoryDto.Of(i, history.GetValueOrDefault(i.Id) ?? [])).ToList()));
    }

    private static async Task<Results<Ok<IndicatorHistoryDto>, ProblemHttpResult>> IndicatorHistoryAsync(HttpContext http, string id, string? to, string? points)
    {
        var service = http.RequestServices.GetRequiredService<RegTechService>();
        if (!service.Catalogue.TryGet(id, out var indicator)) return BanyanProblems.NotFound($"no indicator '{id}'");
        if (Validate(service, indicator.Profile, to, out var date, "to") is { } problem) return problem;
        if (Points(points, out var n) is { } bad) return bad;
        var history = await service.StoredHistoryAsync(indicator.Profile, [id], date, n, http.RequestAborted);
        return TypedResults.Ok(IndicatorHistoryDto.Of(indicator, history.GetValueOrDefault(id) ?? []));
    }

    private static ProblemHttpResult? Points(string? text, out int points)
    {
        points = 12;
        if (text is null) return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out points) && points is >= 1 and <= RegTechService.MaxHistoryPoints
            ? null : Invalid("points", $"must be a whole number from 1 to {RegTechService.MaxHistoryPoints}");
    }

    private static async Task<Ok<SubmissionsResponse>> SubmissionsAsync(HttpContext http, string? regulator)
    {
        var service = http.RequestServices.GetRequiredService<RegTechService>();
        var rows = await service.SubmissionsAsync(regulator, http.RequestAborted);
        return TypedResults.Ok(new SubmissionsResponse(rows.Select(SubmissionDto.Of).ToList()));
    }

    /// <summary>Profile must be known; as_of an ISO date from 2000-01-01 to today (default: today).</summary>
    private static ProblemHttpResult? Validate(RegTechService service, string? profile, string? asOf, out DateOnly date, string field = "as_of")
    {
        date = service.Today;
        if (profile is null || !IndicatorCatalogue.Profiles.Contains(profile)) return Invalid("profile", "must be cn or basel");
        if (asOf is null) return null;
        if (!DateOnly.TryParseExact(asOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date)) return Invalid(field, "must be a date YYYY-MM-DD");
        if (date > service.Today || date < Earliest) return Invalid(field, $"must be from {Iso(Earliest)} to today ({Iso(service.Today)})");
        return null;
    }

    private static ProblemHttpResult Invalid(string field, string message) =>
        BanyanProblems.Validation($"{field} {message}", new Dictionary<string, string[]> { [field] = [$"{field} {message}"] });

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>Where reports are written: <c>&lt;data&gt;/regtech</c>.</summary>
internal sealed record RegTechDirectory(string Path);
