using System.Numerics;
using Banyan.Payments.CrossBorder;
using Banyan.Platform.Money;
using Microsoft.Extensions.Options;

namespace Banyan.Payments.Tests.CrossBorder;

public sealed class FxTests
{
    private static readonly FxRates Rates = FxRateSource.Embedded();

    [Fact]
    public void Ten_thousand_random_conversions_never_deliver_more_than_the_rate_allows_nor_a_whole_unit_less()
    {
        var random = new Random(20261126);
        for (var i = 0; i < 10_000; i++)
        {
            var (src, dst) = (Currencies.All[random.Next(12)], Currencies.All[random.Next(12)]);
            var rate = FxMath.CustomerRate(FxMath.Mid(Rates, src, dst), random.Next(0, 200));
            var principal = random.NextInt64(1, 1_000_000_00);
            var delivered = FxMath.Deliver(principal, rate, src, dst);

            // Exact check in integers: delivered × 10^src × 10^k ≤ principal × rate × 10^k × 10^dst < (delivered + 1) × …
            var (num, den) = Exact(rate);
            var value = new BigInteger(principal) * num * dst.MinorPerMajor;
            var unit = den * src.MinorPerMajor;
            Assert.True(new BigInteger(delivered) * unit <= value && value < new BigInteger(delivered + 1) * unit, $"{src}->{dst} {principal} at {rate}: {delivered}");

            if (delivered > 0)
            {
                var needed = FxMath.PrincipalFor(delivered, rate, src, dst);
                Assert.True(FxMath.Deliver(needed, rate, src, dst) >= delivered && (needed == 1 || FxMath.Deliver(needed - 1, rate, src, dst) < delivered));
            }
        }
    }

    [Fact]
    public void Customer_rates_are_below_mid_by_the_spread_and_fit_iso_base_one_rate()
    {
        foreach (var src in Currencies.All)
        {
            foreach (var dst in Currencies.All)
            {
                var mid = FxMath.Mid(Rates, src, dst);
                var rate = FxMath.CustomerRate(mid, 50);
                Assert.Null(Banyan.Payments.CrossBorder.Iso.IsoText.Rate(rate.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                var (num, den) = Exact(rate);
                Assert.True(num * mid.Denominator * 10_000 <= mid.Numerator * den * 9_950, $"{src}->{dst}");
            }
        }
    }

    [Fact]
    public void Yen_has_no_minor_units_in_either_direction()
    {
        var (cny, jpy) = (Currencies.Get("CNY"), Currencies.Get("JPY"));
        var toYen = FxMath.CustomerRate(FxMath.Mid(Rates, cny, jpy), 0);
        Assert.Equal(21_791, FxMath.Deliver(1_000_00, toYen, cny, jpy)); // CNY 1,000.00 → ¥21,791 (154.82 / 7.1046 = 21.7915…)
        var fromYen = FxMath.CustomerRate(FxMath.Mid(Rates, jpy, cny), 0);
        Assert.Equal(45_88, FxMath.Deliver(1_000, fromYen, jpy, cny)); // ¥1,000 → CNY 45.88 (45.889…, rounded down)
    }

    [Fact]
    public void Fees_follow_the_corridor_schedule_with_its_cap_in_the_payers_currency()
    {
        var usd = Currencies.Get("USD");
        Assert.Equal(1_50, FxMath.FromUsdMinor(1_50, Rates, usd));
        Assert.Equal(10_66, FxMath.FromUsdMinor(1_50, Rates, Currencies.Get("CNY"))); // 1.50 × 7.1046 = 10.6569 → 10.66
        Assert.Equal(232, FxMath.FromUsdMinor(1_50, Rates, Currencies.Get("JPY"))); // 1.50 × 154.82 = 232.23 → ¥232
        Assert.Equal(25, FxMath.Bps(2_500, 100));
        Assert.Equal(1, FxMath.Bps(5_000, 1)); // 0.5 rounds half up
    }

    [Fact]
    public void A_rates_file_is_reloaded_when_it_changes_and_a_broken_one_keeps_the_last_good_rates()
    {
        var path = Path.Combine(Path.GetTempPath(), "xb-rates-" + Guid.NewGuid().ToString("N") + ".csv");
        var clock = new ManualClock(DateTimeOffset.UnixEpoch.AddDays(20_000));
        try
        {
            File.WriteAllText(path, Csv("0.90"));
            var source = new FxRateSource(Options.Create(new CrossBorderOptions { RatesFile = path }), new CrossBorderClock(clock));
            Assert.Equal(Rational.Of(0.90m), source.Current.PerBase(Currencies.Get("EUR")));

            File.WriteAllText(path, Csv("0.95") + "\n");
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(Rational.Of(0.95m), source.Current.PerBase(Currencies.Get("EUR")));

            File.WriteAllText(path, "EUR,not-a-number\n");
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(Rational.Of(0.95m), source.Current.PerBase(Currencies.Get("EUR")));
            Assert.NotNull(source.LastError);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Rates_missing_a_currency_are_refused()
    {
        Assert.Throws<FormatException>(() => FxRates.Parse("t", "USD,1\nEUR,0.9\n", csv: true));
        Assert.Throws<FormatException>(() => FxRates.Parse("t", Csv("0"), csv: true));
    }

    internal static string Csv(string eur) => "currency,rate\n" + string.Join("\n", Currencies.All.Select(c => c.Code switch
    {
        "USD" => "USD,1",
        "EUR" => "EUR," + eur,
        "JPY" => "JPY,150",
        _ => c.Code + ",2.5",
    }));

    private static (BigInteger Num, BigInteger Den) Exact(decimal rate)
    {
        var r = Rational.Of(rate);
        return (r.Numerator, r.Denominator);
    }
}
