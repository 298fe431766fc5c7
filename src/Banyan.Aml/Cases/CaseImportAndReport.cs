using System.Text;
using System.Text.Json;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.Cases;

internal static partial class CaseCommands
{
    private const int QueryChunk = 500;

    /// <summary>
    /// <c>POST /v1/aml/alerts/import</c>: the body is alerts.jsonl. All lines are validated first; then, in one
    /// transaction, new alerts (by fingerprint) join the party's open or escalated case or open a new one.
    /// </summary>
    public static async Task<IResult> ImportAsync(HttpContext http)
    {
        string text;
        using (var reader = new StreamReader(http.Request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true)))
        {
            try { text = await reader.ReadToEndAsync(http.RequestAborted); }
            catch (DecoderFallbackException) { return BanyanProblems.BadRequest("the body is not UTF-8"); }
        }
        var (alerts, errors) = AlertImport.Parse(text);
        if (errors.Count > 0) return BanyanProblems.Validation("the alerts were not imported: fix the listed lines", errors);

        var gate = http.RequestServices.GetRequiredService<CaseImportLock>().Gate;
        await gate.WaitAsync(http.RequestAborted);
        try
        {
            var request = new CaseRequest(http);
            return TypedResults.Ok(await StoreAsync(request.Db, request.Actor, request.NowUnixMs, alerts, http.RequestAborted));
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Stores the alerts in one transaction; run again if another writer opened a case for one of the parties meanwhile.</summary>
    internal static Task<ImportResult> StoreAsync(DbContext db, string actor, long now, List<ImportedAlert> alerts, CancellationToken ct) =>
        OpenCaseGuard.RetryAsync(db, c => StoreOnceAsync(db, actor, now, alerts, c), ct);

    private static async Task<ImportResult> StoreOnceAsync(DbContext db, string actor, long now, List<ImportedAlert> alerts, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var fresh = await FreshAsync(db, alerts, ct);
        var cases = await OpenCasesAsync(db, fresh.Select(a => a.Alert.Party).Distinct().ToList(), ct);
        var opened = 0;
        foreach (var party in fresh.Select(a => a.Alert.Party).Distinct())
        {
            if (cases.ContainsKey(party)) continue;
            var row = new CaseRow { Party = party, Status = CaseStatus.Open, OpenedAtUnixMs = now, UpdatedAtUnixMs = now };
            db.Set<CaseRow>().Add(row);
            cases[party] = row;
            opened++;
        }
        await db.SaveChangesAsync(ct); // assigns the new case ids
        foreach (var group in fresh.GroupBy(a => a.Alert.Party))
        {
            var row = cases[group.Key];
            foreach (var (a, fingerprint) in group)
            {
                db.Set<AlertRow>().Add(new AlertRow
                {
                    AlertId = a.AlertId, Fingerprint = fingerprint, Typology = a.Typology, SubjectAccount = a.SubjectAccount, CustomerId = a.CustomerId,
                    TransactionIdsJson = JsonSerializer.Serialize(a.TransactionIds), Score = a.Score, Reason = a.Reason, ImportedAtUnixMs = now, CaseId = row.Id,
                });
            }
            row.UpdatedAtUnixMs = now;
            var ids = string.Join(", ", group.Select(g => g.Alert.AlertId + " " + g.Alert.Typology).Take(20));
            db.Set<CaseEventRow>().Add(new CaseEventRow { CaseId = row.Id, Actor = actor, AtUnixMs = now, Action = "alerts_added", Detail = CaseRequest.Truncate($"{group.Count()} alert(s): {ids}{(group.Count() > 20 ? ", …" : "")}", CaseLimits.Text) });
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        var caseIds = fresh.Select(a => cases[a.Alert.Party].Id).Distinct().Order().ToList();
        return new ImportResult(alerts.Count, fresh.Count, alerts.Count - fresh.Count, opened, caseIds);
    }

    /// <summary>The alerts not stored yet (by fingerprint), also dropping repeats inside the same body.</summary>
    private static async Task<List<(ImportedAlert Alert, string Fingerprint)>> FreshAsync(DbContext db, List<ImportedAlert> alerts, CancellationToken ct)
    {
        var withPrints = alerts.Select(a => (Alert: a, Fingerprint: a.Fingerprint())).ToList();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in withPrints.Select(a => a.Fingerprint).Distinct().Chunk(QueryChunk))
        {
            var found = await db.Set<AlertRow>().AsNoTracking().Where(a => chunk.Contains(a.Fingerprint)).Select(a => a.Fingerprint).ToListAsync(ct);
            known.UnionWith(found);
        }
        return withPrints.Where(a => known.Add(a.Fingerprint)).ToList();
    }

    internal static async Task<Dictionary<string, CaseRow>> OpenCasesAsync(DbContext db, List<string> parties, CancellationToken ct)
    {
        var result = new Dictionary<string, CaseRow>(StringComparer.Ordinal);
        foreach (var chunk in parties.Chunk(QueryChunk))
        {
            var rows = await db.Set<CaseRow>().Where(c => chunk.Contains(c.Party) && c.Status != CaseStatus.Closed).ToListAsync(ct);
            foreach (var row in rows) result[row.Party] = row;
        }
        return result;
    }

    /// <summary><c>GET /v1/aml/cases/{id}/str</c>: only for escalated cases or cases closed as <c>suspicious_reported</c>; the export is audited.</summary>
    public static async Task<IResult> StrAsync(HttpContext http, long id)
    {
        var r = new CaseRequest(http);
        var detail = await CaseEndpoints.LoadAsync(r.Db, id, http.RequestAborted);
        if (detail is null) return BanyanProblems.NotFound($"no AML case {id}");
        var c = detail.Case;
        if (!(c.Status == CaseStatus.Escalated || (c.Status == CaseStatus.Closed && c.Disposition == "suspicious_reported")))
            return BanyanProblems.Conflict($"case {id} is {c.Status}{(c.Disposition is null ? "" : " as " + c.Disposition)}; a report is exported only for escalated cases or cases closed as suspicious_reported");
        var report = BuildReport(r, detail);
        r.Audit(id, "str_exported", report.ReportId);
        await r.Db.SaveChangesAsync(http.RequestAborted);
        return TypedResults.Ok(report);
    }

    private static SuspiciousTransactionReport BuildReport(CaseRequest r, CaseDetail detail)
    {
        var c = detail.Case;
        var narrative = new StringBuilder();
        foreach (var alert in detail.Alerts) narrative.Append(alert.Typology).Append(": ").Append(alert.Reason).Append('\n');
        foreach (var comment in detail.Comments) narrative.Append("Analyst note (").Append(comment.Author).Append("): ").Append(comment.Text).Append('\n');
        var escalation = detail.History.LastOrDefault(e => e.Action == "escalated");
        if (escalation is not null) narrative.Append("Escalated by ").Append(escalation.Actor).Append(": ").Append(escalation.Detail).Append('\n');
        return new SuspiciousTransactionReport(
            $"STR-{c.Id:D8}-{r.NowUnixMs}", CaseSummary.Time(r.NowUnixMs), r.Actor, c.Id, c.Party,
            detail.Alerts.Select(a => a.CustomerId).FirstOrDefault(x => x is not null),
            detail.Alerts.Select(a => a.SubjectAccount).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            c.Status, c.Disposition, detail.CloseReason, c.Assignee,
            detail.Alerts.Select(a => a.Typology).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            detail.Alerts.SelectMany(a => a.TransactionIds).Distinct(StringComparer.Ordinal).ToList(),
            detail.Alerts, narrative.ToString().TrimEnd(), detail.Evidence);
    }
}
