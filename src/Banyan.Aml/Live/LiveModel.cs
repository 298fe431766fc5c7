using Microsoft.EntityFrameworkCore;

namespace Banyan.Aml.Live;

/// <summary>A ledger account the AML module knows (decision 0407): who owns it and how its transfers are to be read.</summary>
internal sealed class MonitoredAccountRow
{
    /// <summary>The ledger account id as a decimal string (the same text the ledger API uses).</summary>
    public string AccountId { get; set; } = "";

    /// <summary>The customer owning it; null for an external/bank account (<see cref="Kind"/> = external).</summary>
    public string? CustomerId { get; set; }

    /// <summary><c>individual</c>, <c>business</c> (a customer's account) or <c>external</c> (counterparty, bank till, nostro…).</summary>
    public string Kind { get; set; } = "";

    /// <summary>ISO 3166 alpha-2 country of the account (debit/credit country of its transfers); null = unknown.</summary>
    public string? Country { get; set; }

    /// <summary>Channel of the transfers it takes part in: <c>cash</c> (a till), <c>card</c>, <c>wire</c> (a nostro) or <c>transfer</c>.</summary>
    public string Channel { get; set; } = "transfer";

    /// <summary>The customer's name (screened at registration), or the counterparty name of an external account.</summary>
    public string? Name { get; set; }

    public long? DeclaredMonthlyIncomeMinor { get; set; }

    /// <summary>When the account was opened (Unix ms); defaults to the ledger account's creation time when it already exists.</summary>
    public long? OpenedAtUnixMs { get; set; }

    public long RegisteredAtUnixMs { get; set; }
}

/// <summary>The last journal sequence whose alerts and flows are stored (one row): restarts resume after it.</summary>
internal sealed class MonitorStateRow
{
    public const int SingletonId = 1;

    public int Id { get; set; }

    public long Sequence { get; set; }

    public long UpdatedAtUnixMs { get; set; }
}

/// <summary>What the live path adds to an <c>aml_alerts</c> row: the episode it tracks and the rule-set version that fired it.</summary>
internal sealed class LiveAlertRow
{
    /// <summary>The <c>aml_alerts</c> row id.</summary>
    public long AlertRowId { get; set; }

    public string RuleSetId { get; set; } = "";

    public int RuleSetVersion { get; set; }

    /// <summary>The journal record whose transfer raised the alert, and the newest one that extended it.</summary>
    public long FirstSequence { get; set; }

    public long LastSequence { get; set; }

    public int Extensions { get; set; }
}

/// <summary>Money that moved from one party to another on one UTC day in one currency (the network view's edges).</summary>
internal sealed class FlowRow
{
    public long Id { get; set; }

    /// <summary><c>customer:ID</c> or <c>account:ID</c> (the same party keys cases use).</summary>
    public string FromParty { get; set; } = "";

    public string ToParty { get; set; } = "";

    public string Currency { get; set; } = "";

    /// <summary>Days since 1970-01-01 (UTC) of the transfers.</summary>
    public int Day { get; set; }

    public long Count { get; set; }

    /// <summary>Sum in minor units; saturates at <see cref="long.MaxValue"/> rather than overflowing.</summary>
    public long AmountMinor { get; set; }

    public long LastAtUnixMs { get; set; }
}

/// <summary>A stored rule-set version; at most one is active.</summary>
internal sealed class RuleSetRow
{
    public long Id { get; set; }

    public string RuleSetId { get; set; } = "";

    public int Version { get; set; }

    /// <summary>The document as posted (validated), snake_case JSON.</summary>
    public string Json { get; set; } = "";

    public long? EffectiveFromUnixMs { get; set; }

    public bool Active { get; set; }

    public long CreatedAtUnixMs { get; set; }

    public string CreatedBy { get; set; } = "";

    public long? ActivatedAtUnixMs { get; set; }

    public string? ActivatedBy { get; set; }
}

/// <summary>An uploaded sanctions list version; screening uses the newest.</summary>
internal sealed class SanctionsListRow
{
    public long Id { get; set; }

    public string Sha256 { get; set; } = "";

    public int Entries { get; set; }

    public int Names { get; set; }

    public string Csv { get; set; } = "";

    public long UploadedAtUnixMs { get; set; }

    public string UploadedBy { get; set; } = "";
}

internal static class LiveModel
{
    public const int MaxCsvChars = 16 * 1024 * 1024;

    public static void Configure(ModelBuilder model)
    {
        var a = model.Entity<MonitoredAccountRow>();
        a.ToTable("aml_monitored_accounts");
        a.HasKey(x => x.AccountId);
        a.Property(x => x.AccountId).HasMaxLength(40);
        a.Property(x => x.CustomerId).HasMaxLength(Cases.CaseLimits.Id);
        a.Property(x => x.Kind).HasMaxLength(16);
        a.Property(x => x.Country).HasMaxLength(2);
        a.Property(x => x.Channel).HasMaxLength(16);
        a.Property(x => x.Name).HasMaxLength(Cases.CaseLimits.Name);
        a.HasIndex(x => x.CustomerId);

        var s = model.Entity<MonitorStateRow>();
        s.ToTable("aml_monitor_state");
        s.HasKey(x => x.Id);
        s.Property(x => x.Id).ValueGeneratedNever();

        var l = model.Entity<LiveAlertRow>();
        l.ToTable("aml_live_alerts");
        l.HasKey(x => x.AlertRowId);
        l.Property(x => x.AlertRowId).ValueGeneratedNever();
        l.Property(x => x.RuleSetId).HasMaxLength(64);

        var f = model.Entity<FlowRow>();
        f.ToTable("aml_flows");
        f.HasKey(x => x.Id);
        f.Property(x => x.FromParty).HasMaxLength(Cases.CaseLimits.Party);
        f.Property(x => x.ToParty).HasMaxLength(Cases.CaseLimits.Party);
        f.Property(x => x.Currency).HasMaxLength(3);
        f.HasIndex(x => new { x.FromParty, x.ToParty, x.Currency, x.Day }).IsUnique();
        f.HasIndex(x => new { x.ToParty, x.Day });

        var r = model.Entity<RuleSetRow>();
        r.ToTable("aml_rule_sets");
        r.HasKey(x => x.Id);
        r.Property(x => x.RuleSetId).HasMaxLength(64);
        r.Property(x => x.Json).HasMaxLength(RuleSets.RuleSet.MaxDocumentBytes);
        r.Property(x => x.CreatedBy).HasMaxLength(256);
        r.Property(x => x.ActivatedBy).HasMaxLength(256);
        r.HasIndex(x => new { x.RuleSetId, x.Version }).IsUnique();

        var n = model.Entity<SanctionsListRow>();
        n.ToTable("aml_sanctions_lists");
        n.HasKey(x => x.Id);
        n.Property(x => x.Sha256).HasMaxLength(64);
        n.Property(x => x.Csv).HasMaxLength(MaxCsvChars);
        n.Property(x => x.UploadedBy).HasMaxLength(256);
    }
}
