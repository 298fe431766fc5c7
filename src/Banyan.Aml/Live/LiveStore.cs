using System.Text.Json;
using Banyan.Aml.Cases;
using Microsoft.EntityFrameworkCore;

namespace Banyan.Aml.Live;

/// <summary>
/// Writes what one journal record produced — alerts raised or extended, the day's flows, the new sequence — in one
/// database transaction, so a crash never stores half a record and a redelivered record is recognised by sequence.
/// Alerts go through the same tables and grouping as imports (one non-closed case per party, decision 0404).
/// </summary>
internal static class LiveStore
{
    public const string Actor = "aml-live-monitor";

    public static async Task<long> LoadSequenceAsync(DbContext db, CancellationToken ct)
    {
        var state = await db.Set<MonitorStateRow>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == MonitorStateRow.SingletonId, ct);
        return state?.Sequence ?? 0;
    }

    /// <summary>Stores a chunk's effects up to record <paramref name="sequence"/>; returns the alerts inserted as new rows (extensions update in place).</summary>
    public static Task<IReadOnlyList<LiveAlert>> SaveAsync(DbContext db, ulong sequence, IReadOnlyList<LiveAlert> alerts, IReadOnlyList<Flow> flows, long nowUnixMs, CancellationToken ct) =>
        OpenCaseGuard.RetryAsync(db, c => SaveOnceAsync(db, sequence, alerts, flows, nowUnixMs, c), ct);

    private static async Task<IReadOnlyList<LiveAlert>> SaveOnceAsync(DbContext db, ulong sequence, IReadOnlyList<LiveAlert> alerts, IReadOnlyList<Flow> flows, long nowUnixMs, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var state = await db.Set<MonitorStateRow>().SingleOrDefaultAsync(s => s.Id == MonitorStateRow.SingletonId, ct);
        if (state is not null && state.Sequence >= checked((long)sequence)) return []; // already stored (redelivery)
        if (state is null) db.Add(state = new MonitorStateRow { Id = MonitorStateRow.SingletonId });
        state.Sequence = checked((long)sequence);
        state.UpdatedAtUnixMs = nowUnixMs;
        var inserted = alerts.Count == 0 ? [] : await SaveAlertsAsync(db, sequence, alerts, nowUnixMs, ct);
        if (flows.Count > 0) await SaveFlowsAsync(db, flows, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return inserted;
    }

    private static async Task<List<LiveAlert>> SaveAlertsAsync(DbContext db, ulong sequence, IReadOnlyList<LiveAlert> alerts, long now, CancellationToken ct)
    {
        var prints = alerts.Select(a => a.Fingerprint).ToList();
        var existing = await db.Set<AlertRow>().Where(a => prints.Contains(a.Fingerprint)).ToDictionaryAsync(a => a.Fingerprint, ct);
        var caseIds = existing.Values.Select(a => a.CaseId).Distinct().ToList();
        var rowIds = existing.Values.Select(a => a.Id).ToList();
        var live = await db.Set<LiveAlertRow>().Where(l => rowIds.Contains(l.AlertRowId)).ToDictionaryAsync(l => l.AlertRowId, ct);
        var closed = (await db.Set<CaseRow>().AsNoTracking().Where(c => caseIds.Contains(c.Id) && c.Status == CaseStatus.Closed).Select(c => c.Id).ToListAsync(ct)).ToHashSet();
        var fresh = new List<LiveAlert>();
        foreach (var alert in alerts)
        {
            if (existing.TryGetValue(alert.Fingerprint, out var row) && !closed.Contains(row.CaseId)) Extend(db, row, live.GetValueOrDefault(row.Id), alert, sequence, now);
            else fresh.Add(existing.ContainsKey(alert.Fingerprint) ? alert with { Fingerprint = Reopened(alert) } : alert);
        }
        if (fresh.Count == 0) return [];
        var cases = await CaseCommands.OpenCasesAsync(db, fresh.Select(a => a.Party).Distinct().ToList(), ct);
        foreach (var party in fresh.Select(a => a.Party).Distinct().Where(p => !cases.ContainsKey(p)))
        {
            var row = new CaseRow { Party = party, Status = CaseStatus.Open, OpenedAtUnixMs = now, UpdatedAtUnixMs = now };
            db.Add(row);
            cases[party] = row;
        }
        await db.SaveChangesAsync(ct); // case ids
        var rows = fresh.Select(a => (Alert: a, Row: NewRow(a, cases[a.Party].Id, now))).ToList();
        foreach (var (_, row) in rows) db.Add(row);
        await db.SaveChangesAsync(ct); // alert ids
        foreach (var (alert, row) in rows)
        {
            db.Add(new LiveAlertRow
            {
                AlertRowId = row.Id, RuleSetId = alert.RuleSet.Id, RuleSetVersion = alert.RuleSet.Version,
                FirstSequence = checked((long)sequence), LastSequence = checked((long)sequence), Extensions = alert.Extensions,
            });
            var c = cases[alert.Party];
            c.UpdatedAtUnixMs = now;
            Audit(db, c.Id, now, "alerts_added", $"1 alert(s): {row.AlertId} {alert.Typology} (real time, rule set {alert.RuleSet.Label}, journal record {sequence})");
        }
        return fresh;
    }

    private static void Extend(DbContext db, AlertRow row, LiveAlertRow? live, LiveAlert alert, ulong sequence, long now)
    {
        row.TransactionIdsJson = JsonSerializer.Serialize(alert.TransactionIds);
        row.Score = alert.Score;
        row.Reason = CaseRequest.Truncate(alert.Reason, CaseLimits.Reason);
        if (live is not null && live.Extensions != alert.Extensions)
        {
            live.LastSequence = checked((long)sequence);
            live.Extensions = alert.Extensions;
            Audit(db, row.CaseId, now, "alert_extended", $"{row.AlertId} {alert.Typology}: episode continued (journal record {sequence}), {alert.TransactionIds.Length} transaction(s)");
        }
    }

    /// <summary>An episode that keeps going after its case was closed becomes a new alert in a new case, not an edit of closed work.</summary>
    private static string Reopened(LiveAlert alert) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{alert.Fingerprint}|after-close|{alert.Extensions}")));

    private static AlertRow NewRow(LiveAlert a, long caseId, long now) => new()
    {
        AlertId = "RT-" + a.Fingerprint[..16], Fingerprint = a.Fingerprint, Typology = a.Typology, SubjectAccount = a.SubjectAccount, CustomerId = a.CustomerId,
        TransactionIdsJson = JsonSerializer.Serialize(a.TransactionIds), Score = a.Score, Reason = CaseRequest.Truncate(a.Reason, CaseLimits.Reason),
        ImportedAtUnixMs = now, CaseId = caseId,
    };

    private static void Audit(DbContext db, long caseId, long now, string action, string detail) =>
        db.Add(new CaseEventRow { CaseId = caseId, Actor = Actor, AtUnixMs = now, Action = action, Detail = CaseRequest.Truncate(detail, CaseLimits.Text) });

    private const int FlowRowsPerStatement = 200;

    /// <summary>
    /// Adds a chunk's flows to their (from, to, currency, day) rows: summed in memory first, then written with
    /// <c>INSERT … ON CONFLICT DO UPDATE</c> (the same SQL on SQLite and PostgreSQL), 200 rows per statement, so a
    /// chunk of thousands of transfers costs tens of statements and no change tracking.
    /// </summary>
    private static async Task SaveFlowsAsync(DbContext db, IReadOnlyList<Flow> flows, CancellationToken ct)
    {
        var sums = new Dictionary<(string From, string To, string Currency, int Day), (long Count, long Amount, long LastAt)>();
        foreach (var flow in flows)
        {
            var (count, amount, last) = sums.GetValueOrDefault((flow.From, flow.To, flow.Currency, flow.Day));
            sums[(flow.From, flow.To, flow.Currency, flow.Day)] = (checked(count + 1), Saturating(amount, flow.Amount), Math.Max(last, flow.AtUnixMs));
        }
        foreach (var batch in sums.Chunk(FlowRowsPerStatement))
        {
            var sql = new System.Text.StringBuilder("INSERT INTO aml_flows (\"FromParty\", \"ToParty\", \"Currency\", \"Day\", \"Count\", \"AmountMinor\", \"LastAtUnixMs\") VALUES ");
            var values = new object[batch.Length * 7];
            for (var i = 0; i < batch.Length; i++)
            {
                var ((from, to, currency, day), (count, amount, last)) = batch[i];
                var p = i * 7;
                (values[p], values[p + 1], values[p + 2], values[p + 3], values[p + 4], values[p + 5], values[p + 6]) = (from, to, currency, day, count, amount, last);
                sql.Append(i == 0 ? "" : ", ").Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"({{{p}}}, {{{p + 1}}}, {{{p + 2}}}, {{{p + 3}}}, {{{p + 4}}}, {{{p + 5}}}, {{{p + 6}}})");
            }
            // Saturates instead of overflowing: 92,000 maximum-size transfers on one edge in one day is not a real figure.
            sql.Append(" ON CONFLICT (\"FromParty\", \"ToParty\", \"Currency\", \"Day\") DO UPDATE SET \"Count\" = aml_flows.\"Count\" + excluded.\"Count\", ")
                .Append("\"AmountMinor\" = CASE WHEN excluded.\"AmountMinor\" > 9223372036854775807 - aml_flows.\"AmountMinor\" THEN 9223372036854775807 ELSE aml_flows.\"AmountMinor\" + excluded.\"AmountMinor\" END, ")
                .Append("\"LastAtUnixMs\" = CASE WHEN excluded.\"LastAtUnixMs\" > aml_flows.\"LastAtUnixMs\" THEN excluded.\"LastAtUnixMs\" ELSE aml_flows.\"LastAtUnixMs\" END");
            await db.Database.ExecuteSqlRawAsync(sql.ToString(), values, ct);
        }
    }

    private static long Saturating(long a, long b) => b > long.MaxValue - a ? long.MaxValue : a + b;
}
