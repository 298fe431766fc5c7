using Banyan.Lending.Schedules;

namespace Banyan.Lending.Tests;

/// <summary>
/// Schedules against tables worked out by hand (and re-checked with an independent Python Decimal
/// script): interest = opening balance × rate × day-count fraction, rounded half-up once per instalment.
/// </summary>
public class ScheduleTests
{
    private static (string Due, long Opening, long Principal, long Interest)[] Rows(Instalment[] schedule) =>
        schedule.Select(r => (r.DueDate.ToString("yyyy-MM-dd"), r.Opening, r.Principal, r.Interest)).ToArray();

    [Fact]
    public void Equal_instalment_30_360_monthly_matches_the_hand_table()
    {
        // r = 1 %/month; payment = 1,000,000 × 0.01 × 1.01³ / (1.01³ − 1) = 340,022.11 → 340,022.
        // I1 = 1,000,000 × 12 % × 30/360 = 10,000; P1 = 330,022; I2 = 669,978 × 1 % = 6,699.78 → 6,700;
        // P2 = 333,322; I3 = 336,656 × 1 % = 3,366.56 → 3,367; the last instalment takes the 336,656 left.
        var schedule = ScheduleCalculator.Build(new ScheduleTerms(1_000_000, 0.12m, new DateOnly(2026, 1, 15), 3, Frequency.Monthly, Amortization.EqualInstalment, DayCount.Thirty360));
        Assert.Equal(
            [("2026-02-15", 1_000_000, 330_022, 10_000), ("2026-03-15", 669_978, 333_322, 6_700), ("2026-04-15", 336_656, 336_656, 3_367)],
            Rows(schedule));
        Assert.Equal(340_022, schedule[0].Total);
        Assert.Equal(340_023, schedule[2].Total);
    }

    [Fact]
    public void Equal_principal_act_365_from_a_month_end_clamps_due_dates_and_matches_the_hand_table()
    {
        // Due dates from 31 Jan: 28 Feb (28 days), 31 Mar (31), 30 Apr (30).
        // I1 = 1,200,000 × 6 % × 28/365 = 5,523.29 → 5,523; I2 = 800,000 × 6 % × 31/365 = 4,076.71 → 4,077;
        // I3 = 400,000 × 6 % × 30/365 = 1,972.60 → 1,973.
        var schedule = ScheduleCalculator.Build(new ScheduleTerms(1_200_000, 0.06m, new DateOnly(2026, 1, 31), 3, Frequency.Monthly, Amortization.EqualPrincipal, DayCount.Act365));
        Assert.Equal(
            [("2026-02-28", 1_200_000, 400_000, 5_523), ("2026-03-31", 800_000, 400_000, 4_077), ("2026-04-30", 400_000, 400_000, 1_973)],
            Rows(schedule));
    }

    [Fact]
    public void Interest_only_act_360_quarterly_repays_the_principal_as_a_bullet()
    {
        // 10 Jan → 10 Apr = 90 days: 1,000,000 × 5 % × 90/360 = 12,500; 10 Apr → 10 Jul = 91 days: 12,638.89 → 12,639.
        var schedule = ScheduleCalculator.Build(new ScheduleTerms(1_000_000, 0.05m, new DateOnly(2026, 1, 10), 2, Frequency.Quarterly, Amortization.InterestOnly, DayCount.Act360));
        Assert.Equal([("2026-04-10", 1_000_000, 0, 12_500), ("2026-07-10", 1_000_000, 1_000_000, 12_639)], Rows(schedule));
    }

    [Fact]
    public void Grace_instalments_pay_interest_only_and_the_annuity_runs_over_the_rest_through_a_leap_february()
    {
        // Payment over 3 periods at 8 %/12: 168,894. I1 = 500,000 × 8 % × 30/365 = 3,287.67 → 3,288 (grace);
        // I2 = 500,000 × 8 % × 31/365 = 3,397.26 → 3,397, P2 = 165,497; 30 Jan → 29 Feb 2028 = 30 days:
        // I3 = 334,503 × 8 % × 30/365 = 2,199.47 → 2,199, P3 = 166,695; I4 = 167,808 × 8 % × 30/365 = 1,103.39 → 1,103.
        var schedule = ScheduleCalculator.Build(new ScheduleTerms(500_000, 0.08m, new DateOnly(2027, 11, 30), 4, Frequency.Monthly, Amortization.EqualInstalment, DayCount.Act365, GraceInstalments: 1));
        Assert.Equal(
            [("2027-12-30", 500_000, 0, 3_288), ("2028-01-30", 500_000, 165_497, 3_397), ("2028-02-29", 334_503, 166_695, 2_199), ("2028-03-30", 167_808, 167_808, 1_103)],
            Rows(schedule));
    }

    [Fact]
    public void Equal_instalment_act_360_matches_the_table()
    {
        // 31 Jan 2028 → 29 Feb (29 days): 2,400,000 × 4.35 % × 29/360 = 8,410; then 31, 30, 31 days.
        var schedule = ScheduleCalculator.Build(new ScheduleTerms(2_400_000, 0.0435m, new DateOnly(2028, 1, 31), 4, Frequency.Monthly, Amortization.EqualInstalment, DayCount.Act360));
        Assert.Equal(
            [("2028-02-29", 2_400_000, 597_037, 8_410), ("2028-03-31", 1_802_963, 598_693, 6_754), ("2028-04-30", 1_204_270, 601_082, 4_365), ("2028-05-31", 603_188, 603_188, 2_259)],
            Rows(schedule));
    }

    [Fact]
    public void The_last_instalment_absorbs_the_rounding_of_principal()
    {
        var schedule = ScheduleCalculator.Build(new ScheduleTerms(1_000, 0m, new DateOnly(2026, 1, 1), 3, Frequency.Monthly, Amortization.EqualPrincipal, DayCount.Act360));
        Assert.Equal([333L, 333L, 334L], schedule.Select(r => r.Principal));
        Assert.All(schedule, r => Assert.Equal(0, r.Interest));
    }

    [Fact]
    public void Random_terms_always_repay_the_principal_exactly_with_non_negative_rows()
    {
        var random = new Random(42);
        for (var i = 0; i < 2_000; i++)
        {
            var n = random.Next(1, 121);
            var terms = new ScheduleTerms(random.NextInt64(1, 10_000_000_000), random.Next(0, 3_000) / 10_000m, new DateOnly(2024, 1, 1).AddDays(random.Next(0, 2_000)), n,
                random.Next(2) == 0 ? Frequency.Monthly : Frequency.Quarterly, (Amortization)random.Next(1, 4), (DayCount)random.Next(1, 4), random.Next(0, n));
            var schedule = ScheduleCalculator.Build(terms);
            Assert.Equal(terms.Principal, schedule.Sum(r => r.Principal));
            Assert.All(schedule, r => Assert.True(r.Principal >= 0 && r.Interest >= 0 && r.Closing >= 0));
            Assert.All(schedule.Take(terms.GraceInstalments), r => Assert.Equal(0, r.Principal));
        }
    }

    [Theory]
    [InlineData(0, 1, 0, "principal")]
    [InlineData(1000, 0, 0, "instalments")]
    [InlineData(1000, 3, 3, "grace")]
    public void Invalid_terms_are_named(long principal, int instalments, int grace, string expected)
    {
        var terms = new ScheduleTerms(principal, 0.05m, new DateOnly(2026, 1, 1), instalments, Frequency.Monthly, Amortization.EqualPrincipal, DayCount.Act360, grace);
        Assert.Contains(expected, terms.Validate());
        Assert.Throws<ArgumentException>(() => ScheduleCalculator.Build(terms));
    }

    [Theory]
    [InlineData("2026-01-31", "2026-02-28", 28)]
    [InlineData("2026-01-30", "2026-01-31", 0)]
    [InlineData("2026-02-28", "2026-03-01", 3)]
    [InlineData("2026-01-31", "2026-03-31", 60)]
    [InlineData("2028-02-29", "2028-03-31", 32)] // D1 = 29 is not 30, so D2 = 31 stays: 30 + (31 − 29)
    [InlineData("2026-12-15", "2027-01-15", 30)]
    public void Thirty_360_bond_basis_counts_days(string from, string to, int expected) =>
        Assert.Equal(expected, DayCounts.Days(DayCount.Thirty360, DateOnly.Parse(from), DateOnly.Parse(to)));

    [Fact]
    public void Act_365_fixed_counts_the_leap_day_but_still_divides_by_365()
    {
        Assert.Equal(29, DayCounts.Days(DayCount.Act365, new DateOnly(2028, 2, 1), new DateOnly(2028, 3, 1)));
        // 1,000,000 × 10 % × 366/365 = 100,273.97 → 100,274 over the whole leap year.
        Assert.Equal(100_274, Money.Interest(1_000_000, 0.10m, DayCount.Act365, new DateOnly(2028, 1, 1), new DateOnly(2029, 1, 1)));
        // ACT/360 over the same year: 1,000,000 × 10 % × 366/360 = 101,666.67 → 101,667.
        Assert.Equal(101_667, Money.Interest(1_000_000, 0.10m, DayCount.Act360, new DateOnly(2028, 1, 1), new DateOnly(2029, 1, 1)));
    }

    [Fact]
    public void Rounding_is_half_up_to_the_minor_unit()
    {
        Assert.Equal(3, Money.RoundHalfUp(2.5m));
        Assert.Equal(2, Money.RoundHalfUp(2.4999m));
        // 100 × 9 % × 20/360 = 0.5 exactly → 1.
        Assert.Equal(1, Money.Interest(100, 0.09m, DayCount.Act360, new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 21)));
    }
}
