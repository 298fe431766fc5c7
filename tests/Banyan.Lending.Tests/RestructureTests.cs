using Banyan.Lending.Book;
using Banyan.Lending.Contracts;
using Banyan.Lending.Schedules;

namespace Banyan.Lending.Tests;

/// <summary>Partial prepayment and rescheduling (decision 0505).</summary>
public class RestructureTests
{
    // 30/360 at 12 %: every full month's interest is exactly 1 % of the balance, so the tables below
    // can be worked by hand (checked with Python's Decimal, half-up): level = 1,200,000 × r(1+r)^12 /
    // ((1+r)^12 − 1) at r = 1 % → 106,618.55 → 106,619.
    internal static readonly Product Thirty = new("t-ei-30", "test 30/360 annuity", Amortization.EqualInstalment, Frequency.Monthly, DayCount.Thirty360, 0.12m, 0.18m, 1, 36, 0, 1_000_000_000_000, 0.01m);
    private static readonly DateOnly Start = new(2026, 1, 15);

    /// <summary>A 1,200,000 loan over 12 months with its first three instalments paid on their due dates (balance 913,295).</summary>
    private static async Task<(BookHarness H, long Loan)> ThreePaidAsync()
    {
        var h = await BookHarness.CreateAsync();
        h.AddProduct(Thirty);
        await h.CustomerAsync("c", 2_000_000);
        var loan = await h.LoanAsync("c", Thirty.Code, 1_200_000, 12, Start);
        for (var k = 1; k <= 3; k++) Assert.True((await h.Book.RepayAsync(loan, 106_619, Start.AddMonths(k), default)).Ok);
        Assert.Equal(913_295, h.Loan(loan).PrincipalOutstanding);
        return (h, loan);
    }

    [Fact]
    public async Task Partial_prepayment_keeping_the_term_lowers_the_instalment_to_the_minor_unit()
    {
        var (h, loan) = await ThreePaidAsync();
        await using var _ = h;
        var customer = await h.CustomerBalanceAsync("c");
        var date = new DateOnly(2026, 5, 1); // 16 days (30/360) into the period 15 Apr → 15 May
        var done = await h.Book.PrepayAsync(loan, 300_000, date, PrepaymentMode.KeepTerm, default);
        Assert.True(done.Ok, done.Detail);
        // Interest to the date: 913,295 × 12 % × 16/360 = 4,870.91 → 4,871; fee 1 % of 300,000.
        Assert.Equal(new PrepaymentResult(300_000, 4_871, 3_000, 9, 71_596), done.Value);
        Assert.Equal(customer - 307_871, await h.CustomerBalanceAsync("c"));
        // New level over 9 months on 613,295: 71,596. First period is 14 days (1 May → 15 May).
        long[][] expected =
        [
            [613_295, 68_734, 2_862], [544_561, 66_150, 5_446], [478_411, 66_812, 4_784], [411_599, 67_480, 4_116], [344_119, 68_155, 3_441],
            [275_964, 68_836, 2_760], [207_128, 69_525, 2_071], [137_603, 70_220, 1_376], [67_383, 67_383, 674],
        ];
        var schedule = h.Book.Schedule(loan);
        Assert.Equal(3 + 1 + 9, schedule.Length);
        Assert.Equal((300_000, 4_871), (schedule[3].PrincipalPaid, schedule[3].InterestPaid));
        for (var j = 0; j < 9; j++)
        {
            var row = schedule[4 + j];
            Assert.Equal(expected[j], new[] { row.Opening, row.Principal, row.Interest });
            Assert.Equal(new DateOnly(2026, 5, 15).AddMonths(j), row.Due);
        }
        Assert.Equal(613_295, h.Loan(loan).PrincipalOutstanding);
        Assert.Equal(613_295, await h.PrincipalBalanceAsync(loan));
    }

    [Fact]
    public async Task Partial_prepayment_keeping_the_instalment_shortens_the_term()
    {
        var (h, loan) = await ThreePaidAsync();
        await using var _ = h;
        var done = await h.Book.PrepayAsync(loan, 300_000, new DateOnly(2026, 5, 1), PrepaymentMode.KeepInstalment, default);
        Assert.True(done.Ok, done.Detail);
        // The level of the remaining 9 months on 913,295 is 106,618; at that level 613,295 is repaid in 6.
        long[][] expected = [[613_295, 103_756, 2_862], [509_539, 101_523, 5_095], [408_016, 102_538, 4_080], [305_478, 103_563, 3_055], [201_915, 104_599, 2_019], [97_316, 97_316, 973]];
        var rows = h.Book.Schedule(loan)[4..];
        Assert.Equal(expected, rows.Select(r => new[] { r.Opening, r.Principal, r.Interest }).ToArray());
        Assert.Equal(new DateOnly(2026, 10, 15), rows[^1].Due);
        // Paying the new schedule to the end settles the loan and empties the ledger accounts.
        foreach (var row in rows) Assert.True((await h.Book.RepayAsync(loan, row.Principal + row.Interest, row.Due, default)).Ok);
        Assert.Equal(LoanStatus.Settled, h.Loan(loan).Status);
        Assert.Equal(0, await h.PrincipalBalanceAsync(loan));
    }

    [Fact]
    public async Task Refused_prepayments_change_nothing()
    {
        var (h, loan) = await ThreePaidAsync();
        await using var _ = h;
        var before = h.Book.Schedule(loan);
        var date = new DateOnly(2026, 5, 1);
        Assert.Equal(Refusal.Invalid, (await h.Book.PrepayAsync(loan, 913_295, date, PrepaymentMode.KeepTerm, default)).Refusal);
        Assert.Equal(Refusal.WrongState, (await h.Book.PrepayAsync(loan, 1_000, new DateOnly(2026, 5, 16), PrepaymentMode.KeepTerm, default)).Refusal);
        Assert.True((await h.Book.WithdrawAsync("c", 2_800_000, default)).Ok);
        Assert.Equal(Refusal.InsufficientFunds, (await h.Book.PrepayAsync(loan, 900_000, date, PrepaymentMode.KeepTerm, default)).Refusal);
        Assert.Equal(before, h.Book.Schedule(loan));
        Assert.Equal(913_295, await h.PrincipalBalanceAsync(loan));
    }

    [Fact]
    public async Task Rescheduling_in_arrears_capitalises_interest_extends_the_term_and_floors_the_category_at_substandard()
    {
        await using var h = await BookHarness.CreateAsync();
        h.AddProduct(Thirty);
        await h.CustomerAsync("c", 0);
        var loan = await h.LoanAsync("c", Thirty.Code, 1_200_000, 12, Start);
        var last = Start.AddDays(75); // instalments 1 and 2 are unpaid: 45 days past due
        await h.CloseDailyAsync(Start.AddDays(1), last);
        var state = h.Loan(loan);
        Assert.Equal(LoanCategory.SpecialMention, state.Category);
        var penalty = state.PenaltyRecognised - state.PenaltyPaid;
        var interest = state.InterestReceivable - penalty;

        Assert.Equal(Refusal.Invalid, (await h.Book.RescheduleAsync(loan, last.AddDays(1), 6, null, default)).Refusal);
        var done = await h.Book.RescheduleAsync(loan, last, 6, 0.10m, default);
        Assert.True(done.Ok, done.Detail);
        Assert.Equal(interest, done.Value.Capitalised);
        Assert.Equal(1_200_000 + interest, done.Value.Principal);
        Assert.Equal(10 + 6, done.Value.InstalmentsLeft); // 10 due dates after the 75th day, 6 more
        Assert.Equal(last.AddMonths(12), done.Value.ObservationUntil);
        Assert.Equal(1_200_000 + interest, await h.PrincipalBalanceAsync(loan));
        Assert.Equal(penalty, await h.InterestBalanceAsync(loan));
        var rows = h.Book.Schedule(loan)[^16..];
        Assert.Equal(new DateOnly(2027, 7, 15), rows[^1].Due);
        Assert.Equal(1_200_000 + interest, rows.Sum(r => r.Principal));

        await h.CloseDailyAsync(last.AddDays(1), last.AddDays(1));
        state = h.Loan(loan);
        Assert.Equal(0, state.DaysPastDue);
        Assert.Equal(LoanCategory.Substandard, state.Category);
        Assert.Equal(Money.RoundHalfUp(state.Exposure * 0.25m), state.ProvisionHeld);
    }

    [Fact]
    public async Task Rescheduling_a_performing_loan_changes_the_rate_without_a_category_floor()
    {
        var (h, loan) = await ThreePaidAsync();
        await using var _ = h;
        var date = Start.AddMonths(3);
        await h.CloseDailyAsync(Start.AddDays(1), date);
        var done = await h.Book.RescheduleAsync(loan, date, 0, 0.06m, default);
        Assert.True(done.Ok, done.Detail);
        Assert.Equal(0, done.Value.Capitalised);
        Assert.Equal(default, done.Value.ObservationUntil);
        // 913,295 over 9 months at 0.5 %: every month's interest is 0.5 % of the opening balance.
        var first = h.Book.Schedule(loan)[3];
        Assert.Equal((913_295L, 4_566L), (first.Opening, first.Interest));
        await h.CloseDailyAsync(date.AddDays(1), date.AddDays(1));
        Assert.Equal(LoanCategory.Normal, h.Loan(loan).Category);
    }
}
