using Banyan.Lending.Book;
using Banyan.Lending.Schedules;

namespace Banyan.Lending.Tests;

/// <summary>Revolving credit lines (decision 0508).</summary>
public class CreditLineTests
{
    private static readonly DateOnly Jan1 = new(2026, 1, 1);

    [Fact]
    public async Task Drawdowns_stay_within_the_limit_repayments_restore_it_and_interest_runs_on_the_drawn_balance()
    {
        await using var h = await BookHarness.CreateAsync();
        await h.CustomerAsync("c", 0);
        var opened = await h.Book.OpenLineAsync("c", 1_000_000, 0.0365m, DayCount.Act365, Jan1, default);
        Assert.True(opened.Ok, opened.Detail);
        var line = opened.Value;
        var principal = h.Book.Chart.Line(line, LoanAccount.PrincipalReceivable);
        var interest = h.Book.Chart.Line(line, LoanAccount.InterestReceivable);

        Assert.Equal(400_000, (await h.Book.DrawAsync(line, 600_000, Jan1, default)).Value);
        var over = await h.Book.DrawAsync(line, 500_000, Jan1.AddDays(1), default);
        Assert.Equal(Refusal.OverLimit, over.Refusal);
        Assert.Equal(600_000, await h.DebitBalanceAsync(principal));
        Assert.True(h.Book.TryGetLine(line, out var state));
        Assert.Equal((600_000L, Jan1), (state.Drawn, state.LastEvent));

        // 600,000 × 3.65 % / 365 = 60 a day; ten daily closes.
        await h.CloseDailyAsync(Jan1.AddDays(1), Jan1.AddDays(10));
        Assert.Equal(600, await h.DebitBalanceAsync(interest));
        Assert.Equal(500_000, (await h.Book.RepayLineAsync(line, 100_600, Jan1.AddDays(10), default)).Value);
        Assert.Equal(0, await h.DebitBalanceAsync(interest));
        Assert.Equal(500_000, await h.DebitBalanceAsync(principal));
        // Ten more days on 500,000 (50 a day) are recognised at the next drawdown, which uses all that was restored.
        Assert.Equal(0, (await h.Book.DrawAsync(line, 500_000, Jan1.AddDays(20), default)).Value);
        Assert.Equal(500, await h.DebitBalanceAsync(interest));
        Assert.Equal(Refusal.OverLimit, (await h.Book.DrawAsync(line, 1, Jan1.AddDays(20), default)).Refusal);
        Assert.Equal(Refusal.Invalid, (await h.Book.RepayLineAsync(line, 1_000_501, Jan1.AddDays(20), default)).Refusal);
        Assert.Equal(-1_100, await h.BankBalanceAsync(BankAccount.InterestIncome));
    }

    [Fact]
    public async Task Daily_accruals_of_a_balance_segment_sum_exactly_to_its_interest()
    {
        await using var h = await BookHarness.CreateAsync();
        await h.CustomerAsync("c", 0);
        var line = (await h.Book.OpenLineAsync("c", 500_000, 0.05m, DayCount.Act360, Jan1, default)).Value;
        Assert.True((await h.Book.DrawAsync(line, 333_333, Jan1, default)).Ok);
        await h.CloseDailyAsync(Jan1.AddDays(1), Jan1.AddDays(30));
        // 333,333 × 5 % × 30 / 360 = 1,388.8875 → 1,389 (daily roundings would give 30 × 46 = 1,380).
        Assert.Equal(1_389, await h.DebitBalanceAsync(h.Book.Chart.Line(line, LoanAccount.InterestReceivable)));
        Assert.True(h.Book.TryGetLine(line, out var state));
        Assert.Equal(1_389, state.InterestReceivable);
    }

    [Fact]
    public async Task A_line_for_an_unknown_customer_or_with_a_bad_limit_is_refused()
    {
        await using var h = await BookHarness.CreateAsync();
        Assert.Equal(Refusal.NotFound, (await h.Book.OpenLineAsync("nobody", 1_000, 0.05m, DayCount.Act360, Jan1, default)).Refusal);
        Assert.Equal(Refusal.Invalid, (await h.Book.OpenLineAsync("nobody", 0, 0.05m, DayCount.Act360, Jan1, default)).Refusal);
        Assert.Equal(0, h.Book.LineCount);
    }
}
