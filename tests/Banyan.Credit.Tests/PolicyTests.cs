using Banyan.Credit.Registry;

namespace Banyan.Credit.Tests;

public class PolicyTests
{
    private static readonly CreditPolicy Policy = new() { FundingRateBps = 300, MarginBps = 200, LossGivenDefault = 0.5, MaxExpectedLossMinor = 100_000 };

    [Fact]
    public void Price_is_funding_plus_margin_plus_expected_loss_in_basis_points()
    {
        // P(bad) 0.1 × LGD 0.5 = 5 % expected loss = 500 bps.
        Assert.Equal(1000, Policy.Offer("approve", 0.1, 50_000).PriceBps);
    }

    [Fact]
    public void Limit_is_the_request_capped_by_the_expected_loss_budget()
    {
        // Budget 100,000 minor units / 5 % expected loss = 2,000,000.
        Assert.Equal(50_000, Policy.Offer("approve", 0.1, 50_000).Limit);
        Assert.Equal(2_000_000, Policy.Offer("approve", 0.1, 9_000_000).Limit);
        Assert.Equal(2_000_000, Policy.Offer("refer", 0.1, null).Limit);
    }

    [Fact]
    public void A_declined_application_gets_no_offer() =>
        Assert.Equal((null, null), Policy.Offer("decline", 0.1, 50_000));

    [Fact]
    public void An_out_of_range_policy_is_refused() =>
        Assert.Throws<InvalidOperationException>(() => (Policy with { LossGivenDefault = 0 }).Validate());
}
