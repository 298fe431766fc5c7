namespace Banyan.Aml.Contracts;

/// <summary>
/// Suspicious transaction reports (STRs) the AML module has recorded as filed, for regulatory reporting
/// (RegTech's <c>cn.suspicious_reports</c>). An STR counts as filed when its case is closed with the
/// disposition <c>suspicious_reported</c>; it is dated by the close (UTC). Exports of escalated cases
/// (<c>GET /v1/aml/cases/{id}/str</c>) are drafts and do not count. Registered (scoped) by the AML module.
/// </summary>
public interface ISuspiciousReportCounts
{
    /// <summary>The most case ids one answer lists (the count itself is never truncated).</summary>
    const int MaxCaseIds = 1_000;

    /// <summary>STRs filed from <paramref name="from"/> to <paramref name="to"/>, both days inclusive (UTC).</summary>
    /// <exception cref="ArgumentException"><paramref name="to"/> is before <paramref name="from"/>.</exception>
    Task<SuspiciousReportTally> CountFiledAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default);
}

/// <summary>How many STRs were filed in a period, and the cases behind them.</summary>
/// <param name="Filed">Cases closed as <c>suspicious_reported</c> in the period.</param>
/// <param name="CaseIds">Their case ids in ascending order, at most <see cref="ISuspiciousReportCounts.MaxCaseIds"/>.</param>
public sealed record SuspiciousReportTally(long Filed, IReadOnlyList<long> CaseIds);
