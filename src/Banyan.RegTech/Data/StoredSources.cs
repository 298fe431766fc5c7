using System.Globalization;
using System.Text.Json;
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
/// The loan book's figures: live from <see cref="ILoanPortfolio"/> for today (its last close), from a
/// snapshot recorded in <c>regtech_portfolio_snapshots</c> for an earlier date, otherwise none.
/// </summary>
internal sealed class StoredPortfolio(DbContext db, ILoanPortfolio? live, TimeProvider time) : IPortfolioSource
{
    public async ValueTask<PortfolioFigures?> FiguresAsync(DateOnly asOf, CancellationToken cancellationToken)
    {
        var key = StoredCutoffs.Iso(asOf);
        var row = await db.Set<PortfolioSnapshotRow>().AsNoTracking().FirstOrDefaultAsync(p => p.AsOf == key, cancellationToken);
        if (row is not null) return JsonSerializer.Deserialize<PortfolioFigures>(row.FiguresJson, BanyanJson.Options);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        return live is not null && asOf >= today ? live.Figures() : null;
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
