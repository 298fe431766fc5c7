namespace Banyan.Credit.Portraits;

/// <summary>Window-free features: registry facts, claims, seasonality and activity recency.</summary>
internal sealed partial class PortraitBuilder
{
    private void ProfileFamily(FeatureSink sink, Company company, DateOnly asOf)
    {
        var id = company.Id;
        var year = new Window(asOf, 12);
        var sales = issued[id].Where(i => i.Date < asOf).ToList();
        var monthly = Monthly(sales, i => i.Date, i => i.AmountMinor, year);
        var declared12 = Stats.Sum(filings[id].Where(t => year.In(t.Period)).Select(t => t.DeclaredRevenueMinor));
        var groupSize = company.GroupId is null ? 0 : feeds.Companies.Count(c => c.GroupId == company.GroupId);
        sink.Days("company_age_days", asOf.DayNumber - company.Registered.DayNumber, "Days since registration.");
        sink.Flag("claims_specialised_sme", company.SpecialisedSme, "The company claims \"specialised SME\" status.");
        sink.Flag("claims_exporter", company.ClaimsExporter, "The company claims to be an exporter.");
        sink.Money("declared_assets", company.DeclaredAssetsMinor, "Total assets the company declared.");
        sink.Ratio("declared_assets_to_revenue", Stats.Ratio(company.DeclaredAssetsMinor, declared12), "Declared assets / declared revenue of the last 12m.");
        sink.Count("group_size", groupSize, "Companies in the same related-party group (0 when none).");
        sink.Ratio("seasonality_peak_to_mean_12m", Stats.Ratio(monthly.Count == 0 ? 0 : monthly.Max(), monthly.Average()), "Largest month / mean month of invoiced sales, last 12m.");
        sink.Ratio("seasonality_q4_share_12m", Stats.Ratio(QuarterSales(sales, year, 4), monthly.Sum()), "Share of the last 12m invoiced sales made in October–December.");
        sink.Count("longest_zero_sales_run_12m", LongestZeroRun(monthly), "Longest run of months without invoiced sales, last 12m.");
        sink.Days("days_since_last_sale", sales.Count == 0 ? double.NaN : asOf.DayNumber - sales.Max(i => i.Date).DayNumber, "Days since the latest invoice issued.");
        sink.Days("days_since_first_sale", sales.Count == 0 ? double.NaN : asOf.DayNumber - sales.Min(i => i.Date).DayNumber, "Days since the earliest invoice issued.");
        sink.Ratio("sales_3m_to_12m", Stats.Ratio(monthly.Skip(9).Sum(), monthly.Sum()), "Share of the last 12m invoiced sales made in the last 3m (momentum; 0.25 is flat).");
        sink.Ratio("declared_3m_to_12m", Stats.Ratio(Stats.Sum(filings[id].Where(t => new Window(asOf, 3).In(t.Period)).Select(t => t.DeclaredRevenueMinor)), declared12),
            "Share of the last 12m declared revenue declared in the last 3m.");
    }

    private static double QuarterSales(IEnumerable<Invoice> sales, Window year, int quarter) =>
        sales.Where(i => year.In(i.Date) && ((i.Date.Month - 1) / 3) + 1 == quarter).Sum(i => (double)i.AmountMinor);

    private static int LongestZeroRun(IReadOnlyList<double> monthly)
    {
        int best = 0, run = 0;
        foreach (var m in monthly)
        {
            run = m == 0 ? run + 1 : 0;
            best = Math.Max(best, run);
        }
        return best;
    }
}
