using System.Globalization;
using System.Text.Json;
using Banyan.Aml.Contracts;
using Banyan.Lending.Contracts;
using Banyan.Platform.Http;
using Banyan.RegTech.Storage;
using Microsoft.EntityFrameworkCore;

namespace Banyan.RegTech.Data;

/// <summary>Cut-offs recorded in <c>regtech_cutoffs</c>; a date never closed falls back to its end of day (UTC).</summary>
internal sealed class StoredCutoffs(DbContext db) : ICutoffs
{
    public async ValueTask<ulong> CutoffAsync(DateOnly asOf, CancellationToken cancellationToken)
    {
        var key = Iso(asOf);
        var row = await db.Set<CutoffRow>().AsNoTracking().FirstOrDefaultAsync(c => c.AsOf == key, cancellationToken);
        return row is null ? EndOfDay.Of(asOf) : (ulong)row.LedgerTimestamp;
    }

    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// The loan book's figures for a date: live from <see cref="ILoanPortfolio.Figures"/> for today; for an
/// earlier date the book's own figures at its latest daily close on or before it
/// (<see cref="ILoanPortfolio.FiguresAsOf"/>), else a snapshot RegTech recorded when it closed that date
/// (<c>regtech_portfolio_snapshots</c>), else none. The book's close history comes first: it is the book's
/// state at that date, whereas a snapshot is the book as it was whenever RegTech closed the date.
/// </summary>
internal sealed class StoredPortfolio(DbContext db, ILoanPortfolio? live, TimeProvider time) : IPortfolioSource
{
    public async ValueTask<PortfolioReading?> FiguresAsync(DateOnly asOf, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (live is not null && asOf >= today) return new PortfolioReading(live.Figures(), "live book");
        if (live?.FiguresAsOf(asOf) is { } closed) return new PortfolioReading(closed, $"the book's daily close on or before {StoredCutoffs.Iso(asOf)}");
        var key = StoredCutoffs.Iso(asOf);
        var row = await db.Set<PortfolioSnapshotRow>().AsNoTracking().FirstOrDefaultAsync(p => p.AsOf == key, cancellationToken);
        if (row is null) return null;
        var figures = JsonSerializer.Deserialize<PortfolioFigures>(row.FiguresJson, BanyanJson.Options) ?? throw new InvalidDataException($"empty portfolio snapshot for {key}");
        var recorded = DateTimeOffset.FromUnixTimeMilliseconds(row.RecordedAtUnixMs).ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);
        return new PortfolioReading(figures, $"RegTech snapshot recorded {recorded} (the book had no daily close by {key})");
    }

    /// <summary>Records today's live figures for <paramref name="asOf"/> (when the date is closed), once.</summary>
    public async Task RecordAsync(DateOnly asOf, CancellationToken cancellationToken)
    {
        if (live is null) return;
        var key = StoredCutoffs.Iso(asOf);
        if (await db.Set<PortfolioSnapshotRow>().AnyAsync(p => p.AsOf == key, cancellationToken)) return;
        db.Add(new PortfolioSnapshotRow
        {
            AsOf = key,
            FiguresJson = JsonSerializer.Serialize(live.Figures(), BanyanJson.Options),
            RecordedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>STR counts from the AML module (<see cref="ISuspiciousReportCounts"/>): source <c>suspicious_reports</c>.</summary>
internal sealed class AmlReportCounts(ISuspiciousReportCounts aml) : IReportCountSource
{
    public const string SuspiciousReports = "suspicious_reports";

    public async ValueTask<ReportCount?> CountAsync(string source, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        if (source != SuspiciousReports) return null;
        var tally = await aml.CountFiledAsync(from, to, cancellationToken);
        return new ReportCount(tally.Filed, tally.CaseIds.Select(id => "AML case " + id.ToString(CultureInfo.InvariantCulture) + " closed as suspicious_reported").ToList());
    }
}
