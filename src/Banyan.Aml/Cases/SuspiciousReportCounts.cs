using Banyan.Aml.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Banyan.Aml.Cases;

/// <summary>
/// STR counts from AML's own case table: a case closed as <c>suspicious_reported</c> is one filed STR,
/// dated by <see cref="CaseRow.ClosedAtUnixMs"/> (a closed case never reopens, so the count for a past
/// period does not change).
/// </summary>
internal sealed class SuspiciousReportCounts(DbContext db) : ISuspiciousReportCounts
{
    public const string FiledDisposition = "suspicious_reported";

    public async Task<SuspiciousReportTally> CountFiledAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        if (to < from) throw new ArgumentException($"the period ends ({to:yyyy-MM-dd}) before it starts ({from:yyyy-MM-dd})", nameof(to));
        var start = StartOfDayUnixMs(from);
        var end = StartOfDayUnixMs(to.AddDays(1));
        var filed = db.Set<CaseRow>().AsNoTracking()
            .Where(c => c.Status == CaseStatus.Closed && c.Disposition == FiledDisposition && c.ClosedAtUnixMs >= start && c.ClosedAtUnixMs < end);
        var count = await filed.LongCountAsync(cancellationToken);
        var ids = await filed.OrderBy(c => c.Id).Select(c => c.Id).Take(ISuspiciousReportCounts.MaxCaseIds).ToListAsync(cancellationToken);
        return new SuspiciousReportTally(count, ids);
    }

    private static long StartOfDayUnixMs(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
}
