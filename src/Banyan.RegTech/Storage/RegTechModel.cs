using Microsoft.EntityFrameworkCore;

namespace Banyan.RegTech.Storage;

/// <summary>A reporting date's ledger cut-off, recorded when the date was closed (the demo's month-ends, the scheduler).</summary>
internal sealed class CutoffRow
{
    /// <summary>ISO date <c>yyyy-MM-dd</c>.</summary>
    public string AsOf { get; set; } = "";
    /// <summary>Engine timestamp (ns since the Unix epoch) of the last transfer counted.</summary>
    public long LedgerTimestamp { get; set; }
    public long RecordedAtUnixMs { get; set; }
}

/// <summary>One indicator value in the history (warnings look at the last points of it).</summary>
internal sealed class FigureRow
{
    public long Id { get; set; }
    public string IndicatorId { get; set; } = "";
    public string Profile { get; set; } = "";
    public string AsOf { get; set; } = "";
    /// <summary>Invariant decimal text (exact); null when undefined.</summary>
    public string? Value { get; set; }
    public string Status { get; set; } = "";
    public long ComputedAtUnixMs { get; set; }
}

/// <summary>The loan book's figures recorded for a date, so past dates can be recomputed with them.</summary>
internal sealed class PortfolioSnapshotRow
{
    public string AsOf { get; set; } = "";
    public string FiguresJson { get; set; } = "";
    public long RecordedAtUnixMs { get; set; }
}

/// <summary>The submission log: one row per generated return, per regulator.</summary>
internal sealed class SubmissionRow
{
    public long Id { get; set; }
    public string ReportId { get; set; } = "";
    public string Regulator { get; set; } = "";
    public string Profile { get; set; } = "";
    public string AsOf { get; set; } = "";
    public int Version { get; set; }
    public string DataHash { get; set; } = "";
    public string Formats { get; set; } = "";
    public string Status { get; set; } = "";
    public string Trigger { get; set; } = "";
    public long CreatedAtUnixMs { get; set; }
}

internal static class RegTechModel
{
    public static void Configure(ModelBuilder model)
    {
        var cutoff = model.Entity<CutoffRow>();
        cutoff.ToTable("regtech_cutoffs");
        cutoff.HasKey(x => x.AsOf);
        cutoff.Property(x => x.AsOf).HasMaxLength(10);

        var figure = model.Entity<FigureRow>();
        figure.ToTable("regtech_figures");
        figure.HasKey(x => x.Id);
        figure.Property(x => x.IndicatorId).HasMaxLength(80);
        figure.Property(x => x.Profile).HasMaxLength(16);
        figure.Property(x => x.AsOf).HasMaxLength(10);
        figure.Property(x => x.Value).HasMaxLength(64);
        figure.Property(x => x.Status).HasMaxLength(24);
        figure.HasIndex(x => new { x.IndicatorId, x.AsOf }).IsUnique();

        var portfolio = model.Entity<PortfolioSnapshotRow>();
        portfolio.ToTable("regtech_portfolio_snapshots");
        portfolio.HasKey(x => x.AsOf);
        portfolio.Property(x => x.AsOf).HasMaxLength(10);

        var submission = model.Entity<SubmissionRow>();
        submission.ToTable("regtech_submissions");
        submission.HasKey(x => x.Id);
        submission.Property(x => x.ReportId).HasMaxLength(80);
        submission.Property(x => x.Regulator).HasMaxLength(32);
        submission.Property(x => x.Profile).HasMaxLength(16);
        submission.Property(x => x.AsOf).HasMaxLength(10);
        submission.Property(x => x.DataHash).HasMaxLength(64);
        submission.Property(x => x.Status).HasMaxLength(24);
        submission.Property(x => x.Trigger).HasMaxLength(24);
        submission.Property(x => x.Formats).HasMaxLength(200);
        submission.HasIndex(x => new { x.Regulator, x.AsOf, x.Version }).IsUnique();
    }
}
