using Banyan.Platform;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Banyan.Aml.Cases;

/// <summary>The alerts-and-cases API under <c>/v1/aml</c> (scope <c>aml</c>), documented in docs/aml.md.</summary>
internal static class CaseEndpoints
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public static RouteGroupBuilder Map(IEndpointRouteBuilder v1)
    {
        var aml = v1.MapGroup("/aml").RequireAuthorization(ScopePolicy.For("aml")).WithTags("AML");
        aml.MapPost("/alerts/import", (Func<HttpContext, Task<IResult>>)CaseCommands.ImportAsync).WithRequestBodyLimit(AlertImport.MaxBodyBytes).WithName("ImportAmlAlerts")
            .WithSummary("Import alerts.jsonl lines (as written by banyan aml scan); alerts join one open case per customer or subject account.")
            .Produces<ImportResult>().ProducesProblem(StatusCodes.Status400BadRequest);
        aml.MapGet("/cases", ListAsync).WithName("ListAmlCases").WithSummary("Cases by id, paged: ?status=open|escalated|closed&limit=1..200&after=<last id>.")
            .Produces<CasePage>().ProducesProblem(StatusCodes.Status400BadRequest);
        aml.MapGet("/cases/{id:long}", GetAsync).WithName("GetAmlCase").WithSummary("A case with its alerts, comments, evidence and history.")
            .Produces<CaseDetail>().ProducesProblem(StatusCodes.Status404NotFound);
        aml.MapGet("/cases/{id:long}/str", CaseCommands.StrAsync).WithName("ExportAmlCaseStr")
            .WithSummary("The suspicious transaction report (JSON) of an escalated case or one closed as suspicious_reported.")
            .Produces<SuspiciousTransactionReport>().ProducesProblem(StatusCodes.Status409Conflict);
        aml.MapPost("/cases/{id:long}/assign", CaseCommands.AssignAsync).WithName("AssignAmlCase").WithSummary("Body {assignee}.");
        aml.MapPost("/cases/{id:long}/comments", CaseCommands.CommentAsync).WithName("CommentAmlCase").WithSummary("Body {text}.");
        aml.MapPost("/cases/{id:long}/evidence", CaseCommands.EvidenceAsync).WithName("AddAmlCaseEvidence").WithSummary("Body {name, sha256, note}.");
        aml.MapPost("/cases/{id:long}/escalate", CaseCommands.EscalateAsync).WithName("EscalateAmlCase").WithSummary("Body {reason}; open cases only.");
        aml.MapPost("/cases/{id:long}/close", CaseCommands.CloseAsync).WithName("CloseAmlCase")
            .WithSummary("Body {disposition: false_positive|suspicious_reported|no_action, reason}.");
        return aml;
    }

    private static async Task<IResult> ListAsync(HttpContext http, string? status, string? limit, string? after)
    {
        var errors = new List<(string, string)>();
        if (status is not null && !CaseStatus.IsValid(status)) errors.Add(("status", "must be open, escalated or closed"));
        var size = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, null, out size) || size is < 1 or > MaxPageSize))
            errors.Add(("limit", $"must be an integer from 1 to {MaxPageSize}"));
        long afterId = 0;
        if (after is not null && (!long.TryParse(after, System.Globalization.NumberStyles.None, null, out afterId) || afterId < 0))
            errors.Add(("after", "must be a case id (non-negative integer)"));
        if (errors.Count > 0) return CaseBody.Invalid(errors);

        var request = new CaseRequest(http);
        var query = request.Db.Set<CaseRow>().AsNoTracking().Where(c => c.Id > afterId);
        if (status is not null) query = query.Where(c => c.Status == status);
        var rows = await query.OrderBy(c => c.Id).Take(size + 1).ToListAsync(http.RequestAborted);
        var page = rows.Take(size).ToList();
        var ids = page.Select(c => c.Id).ToList();
        var counts = await request.Db.Set<AlertRow>().AsNoTracking().Where(a => ids.Contains(a.CaseId))
            .GroupBy(a => a.CaseId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, http.RequestAborted);
        var items = page.Select(c => CaseSummary.Of(c, counts.GetValueOrDefault(c.Id))).ToList();
        return TypedResults.Ok(new CasePage(items, rows.Count > size ? page[^1].Id : null));
    }

    private static async Task<IResult> GetAsync(HttpContext http, long id)
    {
        var request = new CaseRequest(http);
        var detail = await LoadAsync(request.Db, id, http.RequestAborted);
        return detail is null ? BanyanProblems.NotFound($"no AML case {id}") : TypedResults.Ok(detail);
    }

    internal static async Task<CaseDetail?> LoadAsync(DbContext db, long id, CancellationToken ct)
    {
        var c = await db.Set<CaseRow>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (c is null) return null;
        var alerts = await db.Set<AlertRow>().AsNoTracking().Where(a => a.CaseId == id).OrderBy(a => a.Id).ToListAsync(ct);
        var comments = await db.Set<CaseCommentRow>().AsNoTracking().Where(a => a.CaseId == id).OrderBy(a => a.Id).ToListAsync(ct);
        var evidence = await db.Set<CaseEvidenceRow>().AsNoTracking().Where(a => a.CaseId == id).OrderBy(a => a.Id).ToListAsync(ct);
        var events = await db.Set<CaseEventRow>().AsNoTracking().Where(a => a.CaseId == id).OrderBy(a => a.Id).ToListAsync(ct);
        var alertIds = alerts.Select(a => a.Id).ToList();
        var live = await db.Set<Live.LiveAlertRow>().AsNoTracking().Where(l => alertIds.Contains(l.AlertRowId)).ToDictionaryAsync(l => l.AlertRowId, ct);
        return new CaseDetail(
            CaseSummary.Of(c, alerts.Count), c.CloseReason,
            alerts.Select(a => live.TryGetValue(a.Id, out var l) ? AlertView.Of(a) with { Source = "live", RuleSet = $"{l.RuleSetId}@{l.RuleSetVersion}" } : AlertView.Of(a)).ToList(),
            comments.Select(m => new CommentView(m.Id, m.Author, CaseSummary.Time(m.AtUnixMs), m.Text)).ToList(),
            evidence.Select(EvidenceOf).ToList(),
            events.Select(e => new EventView(e.Id, e.Actor, CaseSummary.Time(e.AtUnixMs), e.Action, e.Detail)).ToList());
    }

    internal static EvidenceView EvidenceOf(CaseEvidenceRow v) => new(v.Id, v.Name, v.Sha256, v.Note, v.AddedBy, CaseSummary.Time(v.AtUnixMs));
}
