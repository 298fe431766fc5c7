using Banyan.Payments.CrossBorder;
using Banyan.Platform.Money;

namespace Banyan.Payments.Tests.CrossBorder;

public sealed class FxTests
{
    private static readonly FxRates Rates = FxRateSource.Embedded();

    [Fact]
    public void Customer_rates_above_one_are_exact_decimals()
    {
        var mid = FxMath.Mid(Rates, Currencies.Get("CNY"), Currencies.Get("HKD"));
        var rate = FxMath.CustomerRate(mid, 50);
        Assert.InRange(rate, 1.08m, 1.1m);
        Assert.True(FxMath.Deliver(100_000, rate, Currencies.Get("CNY"), Currencies.Get("HKD")) > 100_000);
    }
}
