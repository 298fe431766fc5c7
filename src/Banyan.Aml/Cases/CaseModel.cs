using Microsoft.EntityFrameworkCore;

namespace Banyan.Aml.Cases;

/// <summary>An imported alert (a line of alerts.jsonl), attached to exactly one case.</summary>
internal sealed class AlertRow
{
    public long Id { get; set; }

    /// <summary>The scan's own id (<c>ALR-00000001</c>); not unique across scans, hence <see cref="Fingerprint"/>.</summary>
    public string AlertId { get; set; } = "";

    /// <summary>SHA-256 (hex) of typology, subject and transaction ids: the same alert imported twice is stored once.</summary>
    public string Fingerprint { get; set; } = "";

    public string Typology { get; set; } = "";

    public string? SubjectAccount { get; set; }

    public string? CustomerId { get; set; }

    /// <summary>JSON array of transaction ids.</summary>
    public string TransactionIdsJson { get; set; } = "[]";

    public double Score { get; set; }

    public string Reason { get; set; } = "";

    public long ImportedAtUnixMs { get; set; }

    public long CaseId { get; set; }
}

/// <summary>One case: the alerts of one party (customer, or subject account when the alert has no customer).</summary>
internal sealed class CaseRow
{
    public long Id { get; set; }

    /// <summary><c>customer:ID</c> or <c>account:ID</c>; at most one non-closed case per party.</summary>
    public string Party { get; set; } = "";

    public string Status { get; set; } = CaseStatus.Open;

    public string? Assignee { get; set; }

    public string? Disposition { get; set; }

    public string? CloseReason { get; set; }

    public long OpenedAtUnixMs { get; set; }

    public long UpdatedAtUnixMs { get; set; }

    public long? ClosedAtUnixMs { get; set; }

    /// <summary>Optimistic concurrency: two racing transitions cannot both succeed (the loser gets 409).</summary>
    public int Version { get; set; }
}

/// <summary>Audit trail: one row per step on a case (who = OAuth client id, when = host clock).</summary>
internal sealed class CaseEventRow
{
    public long Id { get; set; }

    public long CaseId { get; set; }

    public string Actor { get; set; } = "";

    public long AtUnixMs { get; set; }

    public string Action { get; set; } = "";

    public string Detail { get; set; } = "";
}

internal sealed class CaseCommentRow
{
    public long Id { get; set; }

    public long CaseId { get; set; }

    public string Author { get; set; } = "";

    public long AtUnixMs { get; set; }

    public string Text { get; set; } = "";
}

internal sealed class CaseEvidenceRow
{
    public long Id { get; set; }

    public long CaseId { get; set; }

    public string Name { get; set; } = "";

    public string Sha256 { get; set; } = "";

    public string Note { get; set; } = "";

    public string AddedBy { get; set; } = "";

    public long AtUnixMs { get; set; }
}

internal static class CaseStatus
{
    public const string Open = "open";
    public const string Escalated = "escalated";
    public const string Closed = "closed";

    public static bool IsValid(string s) => s is Open or Escalated or Closed;
}

internal static class CaseLimits
{
    public const int Id = 128;
    public const int Party = 140;
    public const int Typology = 64;
    public const int Reason = 4000;
    public const int Text = 4000;
    public const int Name = 200;
    public const int Action = 32;
    public const int TransactionIdsJson = 1 << 20;
    public const int TransactionsPerAlert = 10_000;
}

/// <summary>The module's tables in the host's shared model (decision 0404).</summary>
internal static class CaseModel
{
    public static void Configure(ModelBuilder model)
    {
        var alert = model.Entity<AlertRow>();
        alert.ToTable("aml_alerts");
        alert.HasKey(x => x.Id);
        alert.Property(x => x.AlertId).HasMaxLength(CaseLimits.Id);
        alert.Property(x => x.Fingerprint).HasMaxLength(64);
        alert.Property(x => x.Typology).HasMaxLength(CaseLimits.Typology);
        alert.Property(x => x.SubjectAccount).HasMaxLength(CaseLimits.Id);
        alert.Property(x => x.CustomerId).HasMaxLength(CaseLimits.Id);
        alert.Property(x => x.TransactionIdsJson).HasMaxLength(CaseLimits.TransactionIdsJson);
        alert.Property(x => x.Reason).HasMaxLength(CaseLimits.Reason);
        alert.HasIndex(x => x.Fingerprint).IsUnique();
        alert.HasIndex(x => x.CaseId);

        var c = model.Entity<CaseRow>();
        c.ToTable("aml_cases");
        c.HasKey(x => x.Id);
        c.Property(x => x.Party).HasMaxLength(CaseLimits.Party);
        c.Property(x => x.Status).HasMaxLength(16);
        c.Property(x => x.Assignee).HasMaxLength(CaseLimits.Id);
        c.Property(x => x.Disposition).HasMaxLength(32);
        c.Property(x => x.CloseReason).HasMaxLength(CaseLimits.Text);
        c.Property(x => x.Version).IsConcurrencyToken();
        c.HasIndex(x => new { x.Party, x.Status });
        c.HasIndex(x => x.Party).IsUnique().HasFilter(OpenCaseGuard.Filter).HasDatabaseName(OpenCaseGuard.IndexName);
        c.HasIndex(x => new { x.Status, x.Id });

        var e = model.Entity<CaseEventRow>();
        e.ToTable("aml_case_events");
        e.HasKey(x => x.Id);
        e.Property(x => x.Actor).HasMaxLength(256);
        e.Property(x => x.Action).HasMaxLength(CaseLimits.Action);
        e.Property(x => x.Detail).HasMaxLength(CaseLimits.Text);
        e.HasIndex(x => x.CaseId);

        var m = model.Entity<CaseCommentRow>();
        m.ToTable("aml_case_comments");
        m.HasKey(x => x.Id);
        m.Property(x => x.Author).HasMaxLength(256);
        m.Property(x => x.Text).HasMaxLength(CaseLimits.Text);
        m.HasIndex(x => x.CaseId);

        var v = model.Entity<CaseEvidenceRow>();
        v.ToTable("aml_case_evidence");
        v.HasKey(x => x.Id);
        v.Property(x => x.Name).HasMaxLength(CaseLimits.Name);
        v.Property(x => x.Sha256).HasMaxLength(64);
        v.Property(x => x.Note).HasMaxLength(CaseLimits.Text);
        v.Property(x => x.AddedBy).HasMaxLength(256);
        v.HasIndex(x => x.CaseId);
    }
}
