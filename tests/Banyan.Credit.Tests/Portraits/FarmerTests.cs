using Banyan.Credit.Portraits;
using Xunit.Abstractions;

namespace Banyan.Credit.Tests.Portraits;

public sealed class TrainedFarmerModel
{
    internal FarmerScorer Scorer { get; } = FarmerScorer.Train(seed: 4, farmers: 600);
}

public class FarmerTests(TrainedFarmerModel trained, ITestOutputHelper output) : IClassFixture<TrainedFarmerModel>
{
    private static FarmFeeds Hand()
    {
        var feeds = new FarmFeeds
        {
            Farmers = [new Farmer("F1", "north", "maize", 10), new Farmer("F2", "north", "maize", 20)],
            Sales = [new FarmSale("s1", "F1", new DateOnly(2026, 9, 1), "COOP-1", 300_00), new FarmSale("s2", "F1", new DateOnly(2025, 9, 1), "T", 200_00)],
            Machinery = [new Machine("F1", "tractor", new DateOnly(2016, 10, 1), 1000_00)],
        };
        // F1: 0.2 → 0.6 → 0.2 ten days apart; F2 peaks at 0.4.
        feeds.Ndvi.AddRange([new("F1", new DateOnly(2026, 7, 1), 0.2), new("F1", new DateOnly(2026, 7, 11), 0.6), new("F1", new DateOnly(2026, 7, 21), 0.2),
            new("F2", new DateOnly(2026, 7, 1), 0.2), new("F2", new DateOnly(2026, 7, 11), 0.4), new("F1", new DateOnly(2025, 7, 11), 0.5)]);
        feeds.Weather.AddRange([new("F1", new DateOnly(2026, 5, 1), 30, 10), new("F1", new DateOnly(2026, 6, 1), 70, 8)]);
        return feeds;
    }

    [Fact]
    public void Farm_features_match_hand_computed_curve_baseline_and_sales()
    {
        var p = new FarmPortraitBuilder(Hand()).Build("F1", new DateOnly(2026, 10, 1));
        Assert.Equal(0.6, p["ndvi_peak"], 12);
        Assert.Equal(new DateOnly(2026, 7, 11).DayOfYear, p["ndvi_peak_day"]);
        Assert.Equal(2 * (10 * 0.4 / 2), p["ndvi_area"], 9); // two triangles of base 10 days, height 0.4
        Assert.Equal(0.4, p["ndvi_greenup_rate"], 9); // +0.4 NDVI in 10 days
        Assert.Equal(0.5, p["ndvi_regional_peak"], 12); // (0.6 + 0.4) / 2
        Assert.Equal(0.1, p["ndvi_peak_anomaly"], 12);
        Assert.Equal(0.1, p["ndvi_peak_change"], 12);
        Assert.Equal(50, p["humidity_mean"], 12);
        Assert.Equal(1, p["humidity_dry_readings"]);
        Assert.Equal(300_00, p["sales_season"]);
        Assert.Equal(0.5, p["sales_growth"], 12);
        Assert.Equal(30_00, p["sales_per_ha"]);
        Assert.Equal(1.0, p["sales_coop_share"], 12);
        Assert.Equal(10, p["machinery_mean_age_years"], 1);
    }

    [Fact]
    public void Farmer_model_ranks_held_out_farmers_well()
    {
        var r = trained.Scorer.Report;
        output.WriteLine($"train {r.TrainRows} test {r.TestRows} bad rate {r.BadRate:F3} AUC {r.Auc:F4} accuracy {r.Accuracy:F4} majority {r.MajorityAccuracy:F4}");
        Assert.True(r.Auc >= 0.8, $"AUC {r.Auc}");
        Assert.True(r.Accuracy > r.MajorityAccuracy, $"accuracy {r.Accuracy} vs majority {r.MajorityAccuracy}");
    }

    [Fact]
    public void Farmer_score_is_additive_and_names_its_reasons()
    {
        var (feeds, truth) = FarmGenerator.Generate(seed: 99, farmers: 120);
        var builder = new FarmPortraitBuilder(feeds);
        var asOf = builder.LatestAsOf();
        var scores = builder.Ids.Select(id => trained.Scorer.Score(builder.Build(id, asOf), top: 100)).ToList();
        foreach (var s in scores)
        {
            Assert.Equal(s.Margin, s.BaseValue + s.Reasons.Sum(r => r.Contribution), 6);
            Assert.InRange(s.Points, 300, 900);
        }
        var worst = scores.MinBy(s => s.Points)!;
        output.WriteLine($"{worst.Farmer} points {worst.Points} P(bad) {worst.ProbabilityBad:F3}: " + string.Join(" | ", worst.Reasons.Take(3).Select(r => r.Text)));
        Assert.Contains("raised the risk", worst.Reasons[0].Text, StringComparison.Ordinal);
        // Strong, unshocked farmers score better on average than weak, shocked ones.
        double Mean(Func<FarmerTruth, bool> pick) => scores.Where(s => pick(truth[s.Farmer])).Average(s => s.Points);
        Assert.True(Mean(t => t.Productivity > 0.7 && t.SeasonShock == 1) > Mean(t => t.Productivity < 0.3 && t.SeasonShock < 1) + 40);
    }

    [Fact]
    public void Farm_generator_is_deterministic_and_rejects_bad_ndvi()
    {
        var a = FarmGenerator.Generate(5, 30).Feeds;
        var b = FarmGenerator.Generate(5, 30).Feeds;
        Assert.Equal(a.Ndvi, b.Ndvi);
        Assert.Equal(a.Sales, b.Sales);
        a.Ndvi.Add(new NdviObservation("FARM00001", new DateOnly(2026, 1, 1), 1.5));
        Assert.Throws<InvalidDataException>(a.Validate);
    }
}
