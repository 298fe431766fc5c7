namespace Banyan.Gateway.Tests;

public sealed class BenchFigureTests
{
    [Fact]
    public void The_median_of_an_odd_number_of_rounds_is_the_middle_round()
    {
        var spread = Spread.Of([13_600, 9_500, 11_400]);
        Assert.Equal(new Spread(11_400, 9_500, 13_600), spread);
    }

    [Fact]
    public void The_median_of_an_even_number_of_rounds_is_the_mean_of_the_two_middle_rounds()
    {
        Assert.Equal(new Spread(11, 2, 100), Spread.Of([100, 2, 12, 10]));
    }

    [Fact]
    public void A_single_round_is_its_own_median_min_and_max()
    {
        Assert.Equal(new Spread(7, 7, 7), Spread.Of([7]));
    }

    [Fact]
    public void No_rounds_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Spread.Of([]));
        Assert.Throws<ArgumentException>(() => BenchSummary.Of([]));
    }

    [Fact]
    public void The_summary_takes_each_figure_median_on_its_own_and_adds_up_the_reads()
    {
        var summary = BenchSummary.Of(
        [
            new BenchRound(10_000, 150, 20, 100_000, 1),
            new BenchRound(14_000, 120, 25, 140_000, 0),
            new BenchRound(9_000, 170, 22, 90_000, 2),
        ]);
        Assert.Equal(3, summary.Rounds);
        Assert.Equal(new Spread(10_000, 9_000, 14_000), summary.ReadsPerSecond);
        Assert.Equal(150, summary.HostMicros.Median);
        Assert.Equal(22, summary.ClientMicros.Median);
        Assert.Equal(330_000, summary.Ok);
        Assert.Equal(3, summary.Failed);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(3, true)]
    [InlineData(20, true)]
    [InlineData(21, false)]
    public void Rounds_must_be_between_one_and_twenty(int rounds, bool valid)
    {
        var settings = new GatewayBenchCommand.Settings { Rounds = rounds };
        Assert.Equal(valid, settings.Validate().Successful);
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(300, true)]
    [InlineData(301, false)]
    public void Warmup_must_be_between_zero_and_three_hundred_seconds(int warmup, bool valid)
    {
        var settings = new GatewayBenchCommand.Settings { Warmup = warmup };
        Assert.Equal(valid, settings.Validate().Successful);
    }

    [Fact]
    public void Three_rounds_after_a_fifteen_second_warmup_unless_told_otherwise()
    {
        var settings = new GatewayBenchCommand.Settings();
        Assert.Equal(3, settings.Rounds);
        Assert.Equal(15, settings.Warmup);
        Assert.True(settings.Validate().Successful);
    }
}
