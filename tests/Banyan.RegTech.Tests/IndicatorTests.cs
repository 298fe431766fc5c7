using Banyan.RegTech.Catalogue;
using Banyan.RegTech.Compute;

namespace Banyan.RegTech.Tests;

public class IndicatorTests
{
    private static decimal Value(FigureSet set, string id) => set.Figures.Single(f => f.Indicator.Id == id).Value!.Value;

    [Fact]
    public void Catalogue_has_at_least_100_indicators_in_two_profiles_each_with_names_formula_and_reference()
    {
        var catalogue = IndicatorCatalogue.LoadEmbedded();
        Assert.True(catalogue.Indicators.Count >= 100, $"{catalogue.Indicators.Count} indicators");
        Assert.True(catalogue.ForProfile("cn").Count() >= 40);
        Assert.True(catalogue.ForProfile("basel").Count() >= 40);
        Assert.All(catalogue.Indicators, i =>
        {
            Assert.False(string.IsNullOrWhiteSpace(i.NameEn));
            Assert.False(string.IsNullOrWhiteSpace(i.NameZh));
            Assert.False(string.IsNullOrWhiteSpace(i.Reference));
            Assert.NotEmpty(i.Sources);
        });
    }

    [Fact]
    public void Every_indicator_expression_parses_and_names_only_mapped_quantities()
    {
        var catalogue = IndicatorCatalogue.LoadEmbedded();
        var mapping = BaseMapping.LoadEmbedded();
        foreach (var i in catalogue.Indicators)
            Assert.All(Expr.Parse(i.Formula.Expr).References(), r => Assert.True(mapping.QuantitiesById.ContainsKey(r.Id), $"{i.Id}: {r.Id}"));
    }

    [Fact]
    public async Task Capital_ratios_of_the_fixture_bank_match_the_hand_computation()
    {
        var set = await FixtureBank.Clean().ComputeAsync("basel");
        // CET1 = 1,000 paid-in − 100 goodwill = 900 CNY = 90,000 fen.
        Assert.Equal(90_000m, Value(set, "basel.cet1_capital"));
        // Credit RWA = 600 + 400 (100 %) + 100 × 150 % + 1,000 × 35 % = 1,500 CNY; no income, so no operational RWA.
        Assert.Equal(150_000m, Value(set, "basel.rwa_credit"));
        Assert.Equal(150_000m, Value(set, "basel.rwa_total"));
        Assert.Equal(0.6m, Value(set, "basel.cet1_ratio"));
        // Tier 2 = excess provisions: reserve 50 − NPL 100 < 0 → 0. Total = tier 1 = CET1.
        Assert.Equal(0.6m, Value(set, "basel.total_capital_ratio"));
        // Leverage exposure = assets 3,200 (loans 2,100 + cash 500 + bonds 500 + goodwill 100) − deductions 100 = 3,100.
        Assert.Equal(Math.Round(900m / 3100m, 8, MidpointRounding.AwayFromZero), Value(set, "basel.leverage_ratio"));
    }

    [Fact]
    public async Task Liquidity_and_asset_quality_of_the_fixture_bank_match_the_hand_computation()
    {
        var set = await FixtureBank.Clean().ComputeAsync("cn");
        // HQLA = cash 500 + government bonds 500; outflows = 2,000 × 5 % + 500 × 100 % = 600; no inflows.
        Assert.Equal(Math.Round(1000m / 600m, 8, MidpointRounding.AwayFromZero), Value(set, "cn.lcr"));
        // NPL 100 of gross loans 2,100; reserve 50 (no loan book figures → lending part 0).
        Assert.Equal(Math.Round(100m / 2100m, 8, MidpointRounding.AwayFromZero), Value(set, "cn.npl_ratio"));
        Assert.Equal(0.5m, Value(set, "cn.provision_coverage"));
        Assert.Equal(Math.Round(50m / 2100m, 8, MidpointRounding.AwayFromZero), Value(set, "cn.loan_loss_reserve_ratio"));
        // Retail pools (the mortgage 4001) are granular and left out of single-name concentration:
        // largest = corporate 1001 (600) over net capital 900; top ten = 600 + 400 + 100.
        Assert.Equal(Math.Round(600m / 900m, 8, MidpointRounding.AwayFromZero), Value(set, "cn.single_customer_concentration"));
        Assert.Equal(Math.Round(1100m / 900m, 8, MidpointRounding.AwayFromZero), Value(set, "cn.top10_concentration"));
        Assert.Equal(3m, Value(set, "cn.borrower_count"));
        // Transfers ≥ CNY 50,000 in the month: the 60,000 one only.
        Assert.Equal(1m, Value(set, "cn.large_value_reports"));
        Assert.Equal("undefined", set.Figures.Single(f => f.Indicator.Id == "cn.suspicious_reports").Status);
    }

    [Fact]
    public async Task Recomputation_is_deterministic()
    {
        var a = await FixtureBank.Clean().ComputeAsync("cn");
        var b = await FixtureBank.Clean().ComputeAsync("cn");
        Assert.Equal(a.Figures.Select(f => (f.Indicator.Id, f.Value, f.Status)), b.Figures.Select(f => (f.Indicator.Id, f.Value, f.Status)));
    }

    [Fact]
    public async Task Every_drilldown_sums_to_its_quantity()
    {
        foreach (var profile in IndicatorCatalogue.Profiles)
        {
            var set = await FixtureBank.Clean().ComputeAsync(profile);
            foreach (var figure in set.Figures)
            {
                var drill = FigureEngine.Drill(set, figure);
                foreach (var q in drill.Quantities.Where(q => q.Value is not null))
                {
                    if (q.Measure == "amount") Assert.Equal(q.Value, q.Contributions.Sum(c => c.Amount));
                    if (q.Measure == "count") Assert.Equal(q.Value, q.Contributions.Count);
                }
            }
        }
    }

    [Theory]
    [InlineData("0.04", "breach")]
    [InlineData("0.05", "buffer_shortfall")]
    [InlineData("0.0720", "warning")]
    [InlineData("0.09", "ok")]
    public void Basel_cet1_status_applies_minimum_buffers_and_warning_band(string value, string status)
    {
        var cet1 = IndicatorCatalogue.LoadEmbedded().Indicators.Single(i => i.Id == "basel.cet1_ratio");
        Assert.Equal(0.07m, cet1.Thresholds.MinWithBuffers);
        Assert.Equal(status, FigureEngine.Assess(cet1, decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)).Status);
    }

    [Fact]
    public void Expressions_respect_precedence_and_division_by_zero_is_undefined()
    {
        Assert.Equal(7m, Expr.Parse("1 + 2 * 3").Evaluate(_ => 0, 1));
        Assert.Equal(-3m, Expr.Parse("-(1 + 2)").Evaluate(_ => 0, 1));
        Assert.Equal(2m, Expr.Parse("max(1, 2, min(5, 9) - 4)").Evaluate(_ => 0, 1));
        Assert.Throws<UndefinedFigureException>(() => Expr.Parse("a / b").Evaluate(r => r.Id == "a" ? 1 : 0, 1));
        Assert.Throws<FormatException>(() => Expr.Parse("a +"));
        Assert.Throws<FormatException>(() => Expr.Parse("a@yesterday"));
    }
}
