using System.Text.Json;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.Cases;

/// <summary>
/// The case workflow: open → (escalated) → closed. Assign, comment and evidence are allowed until the case
/// is closed. Every step validates the whole body first (400), then checks the state (409), and only then
/// writes the change together with its <c>aml_case_events</c> row in one SaveChanges.
/// </summary>
internal static partial class CaseCommands
{
    private delegate string? Step(CaseRequest request, CaseRow row);

    internal static readonly string[] Dispositions = ["false_positive", "suspicious_reported", "no_action"];

    public static Task<IResult> AssignAsync(HttpContext http, long id) => RunAsync(http, id, (body, errors) =>
    {
        var assignee = CaseBody.Text(body, "assignee", CaseLimits.Id, errors);
        return (r, c) =>
        {
            if (c.Status == CaseStatus.Closed) return $"case {c.Id} is closed";
            var previous = c.Assignee;
            c.Assignee = assignee;
            r.Audit(c.Id, "assigned", previous is null ? $"assigned to {assignee}" : $"reassigned from {previous} to {assignee}");
            return null;
        };
    });

    public static Task<IResult> CommentAsync(HttpContext http, long id) => RunAsync(http, id, (body, errors) =>
    {
        var text = CaseBody.Text(body, "text", CaseLimits.Text, errors);
        return (r, c) =>
        {
            if (c.Status == CaseStatus.Closed) return $"case {c.Id} is closed; comments are no longer accepted";
            r.Db.Set<CaseCommentRow>().Add(new CaseCommentRow { CaseId = c.Id, Author = r.Actor, AtUnixMs = r.NowUnixMs, Text = text! });
            r.Audit(c.Id, "commented", CaseRequest.Truncate(text!, 200));
            return null;
        };
    });

    public static Task<IResult> EvidenceAsync(HttpContext http, long id) => RunAsync(http, id, (body, errors) =>
    {
        var name = CaseBody.Text(body, "name", CaseLimits.Name, errors);
        var sha = CaseBody.Text(body, "sha256", 64, errors)?.ToLowerInvariant();
        if (sha is not null && (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit))) errors.Add(("sha256", "must be 64 hexadecimal characters"));
        var note = CaseBody.Text(body, "note", CaseLimits.Text, errors, required: false) ?? "";
        return (r, c) =>
        {
            if (c.Status == CaseStatus.Closed) return $"case {c.Id} is closed; evidence is no longer accepted";
            r.Db.Set<CaseEvidenceRow>().Add(new CaseEvidenceRow { CaseId = c.Id, Name = name!, Sha256 = sha!, Note = note, AddedBy = r.Actor, AtUnixMs = r.NowUnixMs });
            r.Audit(c.Id, "evidence_added", $"{name} sha256:{sha}");
            return null;
        };
    });

    public static Task<IResult> EscalateAsync(HttpContext http, long id) => RunAsync(http, id, (body, errors) =>
    {
        var reason = CaseBody.Text(body, "reason", CaseLimits.Text, errors);
        return (r, c) =>
        {
            if (c.Status != CaseStatus.Open) return $"case {c.Id} is {c.Status}; only an open case can be escalated";
            c.Status = CaseStatus.Escalated;
            r.Audit(c.Id, "escalated", reason!);
            return null;
        };
    });

    public static Task<IResult> CloseAsync(HttpContext http, long id) => RunAsync(http, id, (body, errors) =>
    {
        var disposition = CaseBody.Text(body, "disposition", 32, errors);
        if (disposition is not null && !Dispositions.Contains(disposition)) errors.Add(("disposition", "must be false_positive, suspicious_reported or no_action"));
        var reason = CaseBody.Text(body, "reason", CaseLimits.Text, errors);
        return (r, c) =>
        {
            if (c.Status == CaseStatus.Closed) return $"case {c.Id} is already closed ({c.Disposition})";
            c.Status = CaseStatus.Closed;
            c.Disposition = disposition;
            c.CloseReason = reason;
            c.ClosedAtUnixMs = r.NowUnixMs;
            r.Audit(c.Id, "closed", $"{disposition}: {reason}");
            return null;
        };
    });

    private static async Task<IResult> RunAsync(HttpContext http, long id, Func<JsonElement, List<(string, string)>, Step> parse)
    {
        var (body, error) = await CaseBody.ReadAsync(http);
        if (error is not null) return error;
        var errors = new List<(string, string)>();
        var step = parse(body, errors);
        if (errors.Count > 0) return CaseBody.Invalid(errors);
        var request = new CaseRequest(http);
        var row = await request.Db.Set<CaseRow>().FirstOrDefaultAsync(c => c.Id == id, http.RequestAborted);
        if (row is null) return BanyanProblems.NotFound($"no AML case {id}");
        if (step(request, row) is { } conflict) return BanyanProblems.Conflict(conflict);
        row.UpdatedAtUnixMs = request.NowUnixMs;
        row.Version = checked(row.Version + 1);
        try
        {
            await request.Db.SaveChangesAsync(http.RequestAborted);
        }
        catch (DbUpdateConcurrencyException)
        {
            return BanyanProblems.Conflict($"case {id} was changed by another request; reload and retry");
        }
        return TypedResults.Ok(await CaseEndpoints.LoadAsync(request.Db, id, http.RequestAborted));
    }
}
