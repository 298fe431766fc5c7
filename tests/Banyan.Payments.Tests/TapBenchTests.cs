using Banyan.Payments.Bench;

namespace Banyan.Payments.Tests;

/// <summary>The open-loop load generator of <c>banyan bench payments</c> and its options.</summary>
public sealed class TapBenchTests
{
    [Fact]
    public void Open_loop_arrivals_come_at_the_requested_rate_in_order_and_within_the_step()
    {
        var arrivals = TapBenchmark.Arrivals(rate: 1_000, TimeSpan.FromSeconds(10), seed: 7);

        // A Poisson process of 1,000/s over 10 s: 10,000 arrivals, standard deviation 100.
        Assert.InRange(arrivals.Length, 9_600, 10_400);
        Assert.True(arrivals.Zip(arrivals.Skip(1)).All(p => p.First <= p.Second), "arrival times must not go backwards");
        Assert.InRange(arrivals[0], 0, 10);
        Assert.True(arrivals[^1] < 10);
    }

    [Fact]
    public void Open_loop_arrivals_are_bursty_like_independent_shoppers_not_evenly_spaced()
    {
        var arrivals = TapBenchmark.Arrivals(rate: 500, TimeSpan.FromSeconds(20), seed: 11);
        var gaps = arrivals.Zip(arrivals.Skip(1)).Select(p => p.Second - p.First).ToArray();
        var mean = gaps.Average();

        // Exponential gaps: the standard deviation equals the mean (an even schedule would have none).
        var sd = Math.Sqrt(gaps.Select(g => (g - mean) * (g - mean)).Average());
        Assert.InRange(mean, 0.0019, 0.0021);
        Assert.InRange(sd / mean, 0.9, 1.1);
    }

    [Fact]
    public void The_same_seed_gives_the_same_arrivals_so_runs_can_be_compared()
    {
        Assert.Equal(TapBenchmark.Arrivals(300, TimeSpan.FromSeconds(2), 5), TapBenchmark.Arrivals(300, TimeSpan.FromSeconds(2), 5));
        Assert.NotEqual(TapBenchmark.Arrivals(300, TimeSpan.FromSeconds(2), 5), TapBenchmark.Arrivals(300, TimeSpan.FromSeconds(2), 6));
    }

    [Theory]
    [InlineData("250,500,750,1000", new[] { 250, 500, 750, 1_000 })]
    [InlineData(" 300 , 600 ", new[] { 300, 600 })]
    [InlineData("0", new int[0])]
    public void Rates_option_takes_a_list_of_steps_or_zero_for_none(string text, int[] expected) =>
        Assert.Equal(expected, PaymentsBenchCommand.Settings.ParseRates(text));

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("0,500")]
    [InlineData("-5")]
    [InlineData("20001")]
    [InlineData("1,2,3,4,5,6,7,8,9,10,11")]
    public void Rates_option_refuses_what_is_not_a_list_of_sane_steps(string text) =>
        Assert.Null(PaymentsBenchCommand.Settings.ParseRates(text));

    [Fact]
    public void The_target_holds_up_to_a_rate_only_if_it_held_at_every_lower_step()
    {
        Assert.Equal(750, PaymentsBenchCommand.HeldUpTo([(250, true), (500, true), (750, true), (1_000, false)]));
        Assert.Equal(250, PaymentsBenchCommand.HeldUpTo([(1_000, true), (500, false), (250, true)])); // a pass above a failure does not count
        Assert.Null(PaymentsBenchCommand.HeldUpTo([(250, false), (500, true)]));
    }

    [Fact]
    public void Percentiles_are_nearest_rank_and_zero_without_values()
    {
        double[] sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(5, Percentiles.Of(sorted, 0.50));
        Assert.Equal(10, Percentiles.Of(sorted, 0.99));
        Assert.Equal(1, Percentiles.Of(sorted, 0.01));
        Assert.Equal(0, Percentiles.Of([], 0.99));
    }
}
