using System.Text.Json;

namespace Banyan.Aml.Cases;

internal sealed record CaseSummary(long Id, string Party, string Status, string? Assignee, string? Disposition, int AlertCount, DateTimeOffset OpenedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ClosedAt)
{
    public static CaseSummary Of(CaseRow c, int alerts) =>
        new(c.Id, c.Party, c.Status, c.Assignee, c.Disposition, alerts, Time(c.OpenedAtUnixMs), Time(c.UpdatedAtUnixMs), c.ClosedAtUnixMs is { } t ? Time(t) : null);

    public static DateTimeOffset Time(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
}

internal sealed record CasePage(IReadOnlyList<CaseSummary> Items, long? NextAfter);

internal sealed record AlertView(long Id, string AlertId, string Typology, string? SubjectAccount, string? CustomerId, string[] TransactionIds, double Score, string Reason, DateTimeOffset ImportedAt)
{
    /// <summary><c>import</c> (alerts.jsonl) or <c>live</c> (raised by the real-time monitor).</summary>
    public string Source { get; init; } = "import";

    /// <summary>The rule-set version (<c>id@version</c>) that fired a live alert; null for imported alerts.</summary>
    public string? RuleSet { get; init; }

    public static AlertView Of(AlertRow a) =>
        new(a.Id, a.AlertId, a.Typology, a.SubjectAccount, a.CustomerId, JsonSerializer.Deserialize<string[]>(a.TransactionIdsJson) ?? [], a.Score, a.Reason, CaseSummary.Time(a.ImportedAtUnixMs));
}

internal sealed record CommentView(long Id, string Author, DateTimeOffset At, string Text);

internal sealed record EvidenceView(long Id, string Name, string Sha256, string Note, string AddedBy, DateTimeOffset At);

internal sealed record EventView(long Id, string Actor, DateTimeOffset At, string Action, string Detail);

internal sealed record CaseDetail(
    CaseSummary Case, string? CloseReason, IReadOnlyList<AlertView> Alerts, IReadOnlyList<CommentView> Comments,
    IReadOnlyList<EvidenceView> Evidence, IReadOnlyList<EventView> History);

internal sealed record ImportResult(int Received, int Imported, int Duplicates, int CasesOpened, IReadOnlyList<long> CaseIds);

/// <summary>The suspicious transaction report for one case (decision 0406).</summary>
internal sealed record SuspiciousTransactionReport(
    string ReportId, DateTimeOffset GeneratedAt, string GeneratedBy, long CaseId, string Party, string? CustomerId,
    IReadOnlyList<string> SubjectAccounts, string CaseStatus, string? Disposition, string? DispositionReason, string? Assignee,
    IReadOnlyList<string> Typologies, IReadOnlyList<string> TransactionIds, IReadOnlyList<AlertView> Alerts,
    string Narrative, IReadOnlyList<EvidenceView> Evidence);
