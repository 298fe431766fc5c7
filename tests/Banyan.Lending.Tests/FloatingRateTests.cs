using Banyan.Lending.Book;
using Banyan.Lending.Schedules;

namespace Banyan.Lending.Tests;

/// <summary>Floating rates: a benchmark table with effective dates, benchmark + spread, repricing at reset dates (decision 0507).</summary>
public class FloatingRateTests
{
    private static readonly DateOnly Start = new(2026, 1, 15);
    internal static readonly Product Lpr = RestructureTests.Thirty with { Code = "lpr-float", AnnualRate = 0m, Benchmark = "LPR1Y", Spread = 0.0255m };

    [Fact]
    public async Task A_floating_loan_is_priced_at_benchmark_plus_spread_and_repriced_at_the_first_reset_after_a_change()
    {
        await using var h = await BookHarness.CreateAsync();
        h.AddProduct(Lpr);
        await h.CustomerAsync("c", 0);
        Assert.Equal(Refusal.Invalid, (await h.Book.DisburseAsync(new LoanApplication("c", Lpr.Code, 1_200_000, 12, Start), default)).Refusal); // no rate yet
        Assert.True(h.Book.SetBenchmarkRate("LPR1Y", new DateOnly(2026, 1, 1), 0.0345m).Ok);
        var loan = await h.LoanAsync("c", Lpr.Code, 1_200_000, 12, Start);
        // 3.45 % + 2.55 % = 6 %: 30/360 months at 0.5 %; level 1,200,000 × r(1+r)^12/((1+r)^12 − 1) = 103,279.97 → 103,280.
        var schedule = h.Book.Schedule(loan);
        Assert.Equal((97_280L, 6_000L), (schedule[0].Principal, schedule[0].Interest));
        Assert.Equal((97_766L, 5_514L), (schedule[1].Principal, schedule[1].Interest));

        Assert.True(h.Book.SetBenchmarkRate("LPR1Y", new DateOnly(2026, 3, 1), 0.0310m).Ok);
        await h.CloseDailyAsync(Start.AddDays(1), new DateOnly(2026, 3, 15));
        Assert.Equal(0.06m, h.Loan(loan).AnnualRate); // the 15 March instalment has not started accruing yet
        await h.CloseDailyAsync(new DateOnly(2026, 3, 16), new DateOnly(2026, 3, 16));
        Assert.Equal(0.0565m, h.Loan(loan).AnnualRate);
        // From 15 March: 1,004,954 over 10 months at 5.65 %: level 103,116 (Python Decimal, half-up).
        long[][] expected =
        [
            [1_004_954, 98_384, 4_732], [906_570, 98_848, 4_268], [807_722, 99_313, 3_803], [708_409, 99_781, 3_335], [608_628, 100_250, 2_866],
            [508_378, 100_722, 2_394], [407_656, 101_197, 1_919], [306_459, 101_673, 1_443], [204_786, 102_152, 964], [102_634, 102_634, 483],
        ];
        schedule = h.Book.Schedule(loan);
        Assert.Equal(12, schedule.Length);
        Assert.Equal(expected, schedule[2..].Select(r => new[] { r.Opening, r.Principal, r.Interest }).ToArray());
        Assert.Equal(new DateOnly(2027, 1, 15), schedule[^1].Due);
        // The first two instalments (unpaid, in arrears) keep the interest of their own periods.
        Assert.Equal((97_280L, 6_000L), (schedule[0].Principal, schedule[0].Interest));
        Assert.Equal(h.Loan(loan).InterestReceivable, await h.InterestBalanceAsync(loan));
    }

    [Fact]
    public async Task Benchmark_rates_only_move_forward_and_never_on_or_before_the_last_close()
    {
        await using var h = await BookHarness.CreateAsync();
        Assert.True(h.Book.SetBenchmarkRate("LPR5Y", new DateOnly(2026, 1, 20), 0.035m).Ok);
        Assert.Equal(Refusal.WrongState, h.Book.SetBenchmarkRate("LPR5Y", new DateOnly(2026, 1, 20), 0.030m).Refusal);
        Assert.Equal(Refusal.Invalid, h.Book.SetBenchmarkRate("LPR5Y", new DateOnly(2026, 2, 20), -0.01m).Refusal);
        await h.Book.CloseDayAsync(new DateOnly(2026, 3, 1), default);
        Assert.Equal(Refusal.WrongState, h.Book.SetBenchmarkRate("LPR5Y", new DateOnly(2026, 3, 1), 0.030m).Refusal);
        Assert.Equal(0.035m, h.Book.BenchmarkOn("LPR5Y", new DateOnly(2026, 3, 1)));
        Assert.Null(h.Book.BenchmarkOn("LPR5Y", new DateOnly(2026, 1, 19)));
        Assert.Equal(Refusal.Invalid, h.Book.AddProduct(Lpr with { Code = "graced", GraceInstalments = 1 }).Refusal);
    }

    [Fact]
    public async Task After_a_partial_prepayment_a_floating_loan_reprices_at_the_next_period_start()
    {
        await using var h = await BookHarness.CreateAsync();
        h.AddProduct(Lpr);
        await h.CustomerAsync("c", 1_000_000);
        Assert.True(h.Book.SetBenchmarkRate("LPR1Y", new DateOnly(2026, 1, 1), 0.0345m).Ok);
        var loan = await h.LoanAsync("c", Lpr.Code, 1_200_000, 12, Start);
        Assert.True((await h.Book.PrepayAsync(loan, 200_000, new DateOnly(2026, 2, 1), PrepaymentMode.KeepTerm, default)).Ok);
        Assert.True(h.Book.SetBenchmarkRate("LPR1Y", new DateOnly(2026, 2, 10), 0.0300m).Ok);
        await h.CloseDailyAsync(new DateOnly(2026, 2, 2), new DateOnly(2026, 2, 15));
        Assert.Equal(0.06m, h.Loan(loan).AnnualRate); // the period from 1 Feb was priced at the prepayment
        await h.CloseDailyAsync(new DateOnly(2026, 2, 16), new DateOnly(2026, 2, 16));
        Assert.Equal(0.0555m, h.Loan(loan).AnnualRate); // repriced for the period starting 15 Feb
        var schedule = h.Book.Schedule(loan);
        var reset = schedule.Single(r => r.Start == new DateOnly(2026, 2, 15));
        // 30/360 month at 5.55 %: the opening balance × 0.4625 %, half-up.
        Assert.Equal(Money.RoundHalfUp(reset.Opening * 0.0555m * 30 / 360), reset.Interest);
        Assert.Equal(h.Loan(loan).PrincipalOutstanding, schedule.Sum(r => r.Principal - r.PrincipalPaid));
    }
}
