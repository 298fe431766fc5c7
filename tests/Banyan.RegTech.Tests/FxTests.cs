using Banyan.Lending.Contracts;
using Banyan.Platform.Money;
using Banyan.RegTech.Catalogue;
using Banyan.RegTech.Compute;
using Banyan.RegTech.Data;

namespace Banyan.RegTech.Tests;

/// <summary>FX conversion into the reporting currency on a two-currency fixture bank (CNY ledger 156 and EUR ledger 978).</summary>
public class FxTests
{
    private static Figure Figure(FigureSet set, string id) => set.Figures.Single(f => f.Indicator.Id == id);

    /// <summary>The clean bank plus EUR 100.00 of cash (Level 1 HQLA) in ledger 978.</summary>
    private static FixtureBank TwoCurrencyBank() => FixtureBank.Clean().DebitIn(978, 8101, 100_00);

    private static FxRates Rates(int maxAgeDays = 5, params (string Date, string Base, string Quote, decimal Rate)[] rates) =>
        new(rates.Select(r => new FxRateEntry { Date = r.Date, Base = r.Base, Quote = r.Quote, Rate = r.Rate }), maxAgeDays);

    [Fact]
    public async Task Euro_cash_joins_the_cny_lcr_at_the_reporting_date_rate_and_the_drilldown_shows_the_original_amount_and_rate()
    {
        var fx = Rates(5, ("2026-06-29", "EUR", "CNY", 7.7000m), ("2026-06-30", "EUR", "CNY", 7.8123m), ("2026-07-01", "EUR", "CNY", 9m));
        var set = await TwoCurrencyBank().ComputeAsync("cn", fx);
        // HQLA = 500 cash + 500 bonds (CNY) + EUR 100.00 × 7.8123 = 781.23 CNY → 178,123 fen; net outflows 600 CNY.
        Assert.Equal(Math.Round(178_123m / 60_000m, 8, MidpointRounding.AwayFromZero), Figure(set, "cn.lcr").Value);
        var euro = FigureEngine.Drill(set, Figure(set, "cn.lcr")).Quantities.SelectMany(q => q.Contributions).First(c => c.Currency == "EUR");
        Assert.Equal(100_00, euro.OriginalBalance);
        Assert.Equal(7.8123m, euro.FxRate);
        Assert.Equal(new DateOnly(2026, 6, 30), euro.FxRateDate);
        Assert.Equal(78_123, euro.Balance);
        Assert.Equal(978u, euro.Ledger);
    }

    [Fact]
    public async Task A_missing_rate_makes_the_figures_that_need_it_undefined_with_the_reason_and_leaves_the_others()
    {
        var set = await TwoCurrencyBank().ComputeAsync("cn", FxRates.Empty);
        var lcr = Figure(set, "cn.lcr");
        Assert.Null(lcr.Value);
        Assert.Equal(FigureStatus.Undefined, lcr.Status);
        Assert.Contains("EUR/CNY", lcr.Explanation, StringComparison.Ordinal);
        // CET1 has no EUR account behind it: still computed.
        Assert.Equal(90_000m, Figure(set, "cn.cet1_capital").Value);
    }

    [Fact]
    public async Task A_rate_older_than_the_allowed_age_is_not_used_and_one_within_it_is_shown_with_its_date()
    {
        var stale = await TwoCurrencyBank().ComputeAsync("cn", Rates(5, ("2026-06-24", "EUR", "CNY", 7.8m)));
        Assert.Null(Figure(stale, "cn.lcr").Value);
        var recent = await TwoCurrencyBank().ComputeAsync("cn", Rates(5, ("2026-06-26", "EUR", "CNY", 7.8m)));
        Assert.Equal(Math.Round(178_000m / 60_000m, 8, MidpointRounding.AwayFromZero), Figure(recent, "cn.lcr").Value);
        var euro = FigureEngine.Drill(recent, Figure(recent, "cn.lcr")).Quantities.SelectMany(q => q.Contributions).First(c => c.Currency == "EUR");
        Assert.Equal(new DateOnly(2026, 6, 26), euro.FxRateDate);
    }

    [Fact]
    public async Task Basel_reporting_in_euro_converts_the_cny_ledger_by_the_inverse_of_the_published_rate()
    {
        var currencies = new Dictionary<string, string> { ["cn"] = "CNY", ["basel"] = "EUR" };
        var set = await TwoCurrencyBank().ComputeAsync("basel", Rates(5, ("2026-06-30", "EUR", "CNY", 8m)), currencies);
        // CET1 = 900 CNY = 90,000 fen × (1 / 8) = 11,250 euro cents.
        Assert.Equal(11_250m, Figure(set, "basel.cet1_capital").Value);
        Assert.Equal("EUR", set.Evaluation.Currency);
        var cny = FigureEngine.Drill(set, Figure(set, "basel.cet1_capital")).Quantities.SelectMany(q => q.Contributions).First(c => c.Currency == "CNY");
        Assert.Equal(0.125m, cny.FxRate);
    }

    [Fact]
    public async Task Drilldowns_of_the_two_currency_bank_sum_exactly_to_their_quantities()
    {
        var fx = Rates(5, ("2026-06-30", "EUR", "CNY", 7.8123m));
        foreach (var profile in IndicatorCatalogue.Profiles)
        {
            var set = await TwoCurrencyBank().DebitIn(978, 8210, 333_33, 2001).ComputeAsync(profile, fx);
            foreach (var figure in set.Figures)
            {
                foreach (var q in FigureEngine.Drill(set, figure).Quantities.Where(q => q.Value is not null && q.Measure == "amount"))
                    Assert.Equal(q.Value, q.Contributions.Sum(c => c.Amount));
            }
        }
    }

    [Fact]
    public async Task Loan_book_figures_are_converted_when_the_profile_reports_in_another_currency()
    {
        var figures = new PortfolioFigures(1, 800_00, [700_00, 0, 100_00, 0, 0], 100_00, 40_00, 0.125m, 0.4m, 0.05m, 800_00, 1m, 800_00, 1m);
        var currencies = new Dictionary<string, string> { ["basel"] = "EUR" };
        var set = await FixtureBank.Clean().ComputeAsync("basel", Rates(5, ("2026-06-30", "EUR", "CNY", 8m)), currencies, new FixedPortfolio(figures));
        var npl = set.Evaluation.Values.Values.Where(v => v.Kind == "portfolio" && v.Ref.At is null).ToList();
        Assert.NotEmpty(npl);
        Assert.All(npl, v => Assert.Equal("CNY", Assert.Single(v.Contributions).Currency));
        Assert.Contains(npl, v => v.Value == 100_00m / 8m);
        var none = await FixtureBank.Clean().ComputeAsync("basel", FxRates.Empty, currencies, new FixedPortfolio(figures));
        Assert.All(none.Evaluation.Values.Values.Where(v => v.Kind == "portfolio" && v.Ref.At is null), v => Assert.Null(v.Value));
    }

    [Theory]
    [InlineData(1, "EUR", "CNY", "7.85", 8)]       // 7.85 fen: half away from zero
    [InlineData(-1, "EUR", "CNY", "7.85", -8)]
    [InlineData(1, "EUR", "CNY", "7.849", 8)]
    [InlineData(1, "EUR", "CNY", "7.45", 7)]
    [InlineData(100, "JPY", "CNY", "0.0485", 485)] // JPY has no minor unit: 100 yen = 4.85 CNY = 485 fen
    [InlineData(1, "JPY", "CNY", "0.04855", 5)]
    [InlineData(12_345, "CNY", "JPY", "20.5", 2_531)] // 123.45 CNY × 20.5 = 2,530.725 yen → 2,531
    public void Conversion_scales_minor_units_and_rounds_half_away_from_zero(long amount, string from, string to, string rate, long expected) =>
        Assert.Equal(expected, FxRates.Convert(amount, Currencies.Get(from), Currencies.Get(to), decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Invalid_rate_entries_are_refused_at_load()
    {
        Assert.Throws<InvalidDataException>(() => Rates(5, ("2026-06-30", "EUR", "XXX", 7m)));
        Assert.Throws<InvalidDataException>(() => Rates(5, ("2026-06-30", "EUR", "CNY", 0m)));
        Assert.Throws<InvalidDataException>(() => Rates(5, ("30/06/2026", "EUR", "CNY", 7m)));
        Assert.Throws<InvalidDataException>(() => Rates(5, ("2026-06-30", "EUR", "CNY", 7m), ("2026-06-30", "EUR", "CNY", 7.1m)));
        Assert.Throws<InvalidDataException>(() => Rates(400, ("2026-06-30", "EUR", "CNY", 7m)));
    }

    private sealed class FixedPortfolio(PortfolioFigures figures) : IPortfolioSource
    {
        public ValueTask<PortfolioReading?> FiguresAsync(DateOnly asOf, CancellationToken cancellationToken) =>
            ValueTask.FromResult<PortfolioReading?>(new PortfolioReading(figures, "test book"));
    }
}
