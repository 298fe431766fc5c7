namespace Banyan.Credit.Portraits;

/// <summary>
/// Farmer features for the season of the as-of date (calendar year of the day before it) and the one
/// before: NDVI growth curve, anomaly against the regional baseline (same region and crop, all farmers
/// in the feeds), weather, sales and machinery.
/// </summary>
internal sealed class FarmPortraitBuilder
{
    /// <summary>NDVI above this counts as green biomass in the growth-curve area.</summary>
    public const double BareSoilNdvi = 0.2;

    private readonly FarmFeeds feeds;
    private readonly Dictionary<string, Farmer> farmers;
    private readonly ILookup<string, NdviObservation> ndvi;
    private readonly ILookup<string, WeatherReading> weather;
    private readonly ILookup<string, FarmSale> sales;
    private readonly ILookup<string, Machine> machines;
    private readonly Dictionary<(string, string, int), (double Peak, double PeakSd, double Area)> baselines = [];

    public FarmPortraitBuilder(FarmFeeds feeds)
    {
        this.feeds = feeds;
        farmers = feeds.Farmers.ToDictionary(f => f.Id, StringComparer.Ordinal);
        ndvi = feeds.Ndvi.ToLookup(n => n.Farmer, StringComparer.Ordinal);
        weather = feeds.Weather.ToLookup(w => w.Farmer, StringComparer.Ordinal);
        sales = feeds.Sales.ToLookup(s => s.Farmer, StringComparer.Ordinal);
        machines = feeds.Machinery.ToLookup(m => m.Farmer, StringComparer.Ordinal);
    }

    public bool Contains(string id) => farmers.ContainsKey(id);

    public IEnumerable<string> Ids => feeds.Farmers.Select(f => f.Id);

    public DateOnly LatestAsOf() => feeds.Ndvi.Count == 0 ? throw new InvalidDataException("no NDVI observations") : feeds.Ndvi.Max(n => n.Date).AddDays(1);

    public Portrait Build(string id, DateOnly asOf)
    {
        var farmer = farmers.TryGetValue(id, out var f) ? f : throw new KeyNotFoundException($"farmer '{id}' is not in farmers.jsonl");
        var year = asOf.AddDays(-1).Year;
        var sink = new FeatureSink();
        var (peak, peakDay, area, greenup, count) = Curve(id, year, asOf);
        var (prevPeak, _, prevArea, _, _) = Curve(id, year - 1, asOf);
        var baseline = Baseline(farmer.Region, farmer.Crop, year, asOf);
        sink.Ratio("ndvi_peak", peak, "Season peak NDVI (highest observation this season).");
        sink.Days("ndvi_peak_day", peakDay, "Day of year of the season peak.");
        sink.Ratio("ndvi_area", area, $"Growth-curve area: ∫ max(0, NDVI − {BareSoilNdvi}) dt over the season, in NDVI·days.");
        sink.Ratio("ndvi_greenup_rate", greenup, "Steepest NDVI rise between observations, per 10 days.");
        sink.Count("ndvi_observations", count, "Cloud-free NDVI observations this season.");
        sink.Ratio("ndvi_peak_prev", prevPeak, "Peak NDVI of the previous season.");
        sink.Ratio("ndvi_peak_change", peak - prevPeak, "Peak NDVI change against the previous season.");
        sink.Ratio("ndvi_area_vs_prev", Stats.Ratio(area, prevArea), "Growth-curve area / previous season's.");
        sink.Ratio("ndvi_regional_peak", baseline.Peak, "Regional baseline: mean season peak of farms with the same region and crop.");
        sink.Ratio("ndvi_peak_anomaly", peak - baseline.Peak, "Season peak minus the regional baseline.");
        sink.Ratio("ndvi_peak_anomaly_z", Stats.Ratio(peak - baseline.Peak, baseline.PeakSd), "Peak anomaly in regional standard deviations.");
        sink.Ratio("ndvi_area_vs_region", Stats.Ratio(area, baseline.Area), "Growth-curve area / regional mean area.");
        WeatherFeatures(sink, id, year, asOf);
        SalesFeatures(sink, id, farmer, year, asOf);
        MachineFeatures(sink, id, farmer, asOf);
        return new Portrait(id, asOf, sink.Features);
    }

    private (double Peak, double PeakDay, double Area, double Greenup, int Count) Curve(string id, int year, DateOnly asOf)
    {
        var obs = ndvi[id].Where(n => n.Date.Year == year && n.Date < asOf).OrderBy(n => n.Date).ToList();
        if (obs.Count == 0) return (double.NaN, double.NaN, double.NaN, double.NaN, 0);
        var top = obs.MaxBy(n => n.Ndvi)!;
        double area = 0, greenup = 0;
        for (var k = 1; k < obs.Count; k++)
        {
            var dt = obs[k].Date.DayNumber - obs[k - 1].Date.DayNumber;
            area += dt * (Math.Max(0, obs[k].Ndvi - BareSoilNdvi) + Math.Max(0, obs[k - 1].Ndvi - BareSoilNdvi)) / 2;
            greenup = Math.Max(greenup, (obs[k].Ndvi - obs[k - 1].Ndvi) / dt * 10);
        }
        return (top.Ndvi, top.Date.DayOfYear, area, greenup, obs.Count);
    }

    private (double Peak, double PeakSd, double Area) Baseline(string region, string crop, int year, DateOnly asOf)
    {
        if (baselines.TryGetValue((region, crop, year), out var cached)) return cached;
        var curves = feeds.Farmers.Where(f => f.Region == region && f.Crop == crop).Select(f => Curve(f.Id, year, asOf)).Where(c => c.Count > 0).ToList();
        var peaks = curves.Select(c => c.Peak).ToList();
        var mean = peaks.Count == 0 ? double.NaN : peaks.Average();
        var sd = peaks.Count < 2 ? double.NaN : Math.Sqrt(peaks.Sum(v => (v - mean) * (v - mean)) / (peaks.Count - 1));
        var result = (mean, sd, curves.Count == 0 ? double.NaN : curves.Average(c => c.Area));
        baselines[(region, crop, year)] = result;
        return result;
    }

    private void WeatherFeatures(FeatureSink sink, string id, int year, DateOnly asOf)
    {
        var list = weather[id].Where(w => w.Date.Year == year && w.Date < asOf).ToList();
        sink.Ratio("humidity_mean", list.Count == 0 ? double.NaN : list.Average(w => w.HumidityPct), "Mean relative humidity (%) this season.");
        sink.Count("humidity_dry_readings", list.Count(w => w.HumidityPct < 40), "Readings with humidity below 40% this season.");
        sink.Ratio("light_hours_mean", list.Count == 0 ? double.NaN : list.Average(w => w.LightHours), "Mean daily sunshine hours this season.");
        sink.Ratio("light_hours_growing_mean", Avg(list.Where(w => w.Date.Month is >= 4 and <= 9).Select(w => w.LightHours)), "Mean sunshine hours April–September.");
    }

    private static double Avg(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? double.NaN : list.Average();
    }

    private void SalesFeatures(FeatureSink sink, string id, Farmer farmer, int year, DateOnly asOf)
    {
        var now = Stats.Sum(sales[id].Where(s => s.Date.Year == year && s.Date < asOf).Select(s => s.AmountMinor));
        var prev = Stats.Sum(sales[id].Where(s => s.Date.Year == year - 1).Select(s => s.AmountMinor));
        sink.Money("sales_season", now, "Produce sales this season.");
        sink.Money("sales_prev_season", prev, "Produce sales the previous season.");
        sink.Ratio("sales_growth", Stats.Growth(now, prev), "Sales growth against the previous season.");
        sink.Money("sales_per_ha", (long)(now / farmer.AreaHa), "Sales this season per hectare.");
        sink.Count("sales_buyers", sales[id].Where(s => s.Date.Year == year).Select(s => s.Buyer).Distinct(StringComparer.Ordinal).Count(), "Distinct buyers this season.");
        sink.Ratio("sales_coop_share", Stats.Ratio(sales[id].Where(s => s.Date.Year == year && s.Buyer.StartsWith("COOP", StringComparison.Ordinal)).Sum(s => (double)s.AmountMinor), now),
            "Share of this season's sales to cooperatives (buyer ids starting COOP).");
    }

    private void MachineFeatures(FeatureSink sink, string id, Farmer farmer, DateOnly asOf)
    {
        var list = machines[id].ToList();
        var value = Stats.Sum(list.Select(m => m.ValueMinor));
        sink.Count("machinery_count", list.Count, "Machines owned.");
        sink.Money("machinery_value", value, "Declared value of machines owned.");
        sink.Money("machinery_value_per_ha", (long)(value / farmer.AreaHa), "Machinery value per hectare.");
        sink.Ratio("machinery_mean_age_years", list.Count == 0 ? double.NaN : list.Average(m => (asOf.DayNumber - m.Acquired.DayNumber) / 365.25), "Mean machine age in years.");
        sink.Ratio("area_ha", farmer.AreaHa, "Farmed area in hectares.");
    }
}
