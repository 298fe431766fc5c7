using Banyan.Lending.Book;
using Banyan.Lending.Close;
using Banyan.Lending.Contracts;
using Banyan.Lending.Schedules;

namespace Banyan.Lending.Tests;

public class CloseTests
{
    private static readonly Product Act365 = LifecycleTests.Monthly365;
    private static readonly Product Thirty = new("t-ep-30", "test 30/360", Amortization.EqualPrincipal, Frequency.Monthly, DayCount.Thirty360, 0.12m, 0.18m, 1, 36, 0, 1_000_000_000_000, 0m);

    private static async Task<BookHarness> HarnessAsync(ClassificationRules? rules = null)
    {
        var h = await BookHarness.CreateAsync(rules);
        h.AddProduct(Act365);
        h.AddProduct(Thirty);
        await h.CustomerAsync("c1", 0);
        return h;
    }

    [Fact]
    public async Task Daily_accrual_over_a_leap_february_sums_exactly_to_the_scheduled_interest()
    {
        await using var h = await HarnessAsync();
        var start = new DateOnly(2028, 1, 31);
        var loan = await h.LoanAsync("c1", Act365.Code, 1_000_000, 3, start);
        var first = h.Book.Schedule(loan)[0];
        Assert.Equal(new DateOnly(2028, 2, 29), first.Due);
        await h.CloseDailyAsync(start.AddDays(1), new DateOnly(2028, 2, 15));
        // 15 days: 1,000,000 × 12 % × 15/365 = 4,931.51 → 4,932.
        Assert.Equal(4_932, await h.InterestBalanceAsync(loan));
        await h.CloseDailyAsync(new DateOnly(2028, 2, 16), first.Due);
        // 29 days (leap day included), still / 365: 9,534.25 → 9,534 = the scheduled interest.
        Assert.Equal(9_534, first.Interest);
        Assert.Equal(first.Interest, await h.InterestBalanceAsync(loan));
        Assert.Equal(-(Int128)first.Interest, await h.BankBalanceAsync(BankAccount.InterestIncome));
        // Across the month end into March, the next period starts accruing on the new balance.
        await h.Book.CloseDayAsync(new DateOnly(2028, 3, 1), default);
        var second = h.Book.Schedule(loan)[1];
        // (plus one day of penalty on the unpaid first instalment, now overdue).
        var state = h.Loan(loan);
        Assert.Equal(first.Interest + Money.Interest(second.Opening, 0.12m, DayCount.Act365, second.Start, new DateOnly(2028, 3, 1)) + state.PenaltyRecognised, state.InterestReceivable);
        Assert.Equal(Money.InterestForDays(first.Principal + first.Interest, 0.18m, DayCount.Act365, 1), state.PenaltyRecognised);
    }

    [Fact]
    public async Task Thirty_360_accrual_counts_the_31st_stands_still_on_the_1st_and_ends_on_the_scheduled_interest()
    {
        await using var h = await HarnessAsync();
        var loan = await h.LoanAsync("c1", Thirty.Code, 3_600_000, 3, new DateOnly(2026, 1, 15));
        await h.CloseDailyAsync(new DateOnly(2026, 1, 16), new DateOnly(2026, 1, 30));
        // 15 Jan → 30 Jan = 15 days of 30/360 at 12 % on 3,600,000 = 18,000.
        Assert.Equal(18_000, await h.InterestBalanceAsync(loan));
        // Bond basis: D1 = 15, so 31 Jan counts as the 31st: 16 days = 19,200 ...
        await h.Book.CloseDayAsync(new DateOnly(2026, 1, 31), default);
        Assert.Equal(19_200, await h.InterestBalanceAsync(loan));
        // ... and 1 Feb is 30 + (1 − 15) = 16 days again: nothing accrues that day.
        await h.Book.CloseDayAsync(new DateOnly(2026, 2, 1), default);
        Assert.Equal(19_200, await h.InterestBalanceAsync(loan));
        await h.CloseDailyAsync(new DateOnly(2026, 2, 2), new DateOnly(2026, 2, 14));
        Assert.Equal(34_800, await h.InterestBalanceAsync(loan));
        // On the due date the full 30-day period: 36,000, exactly the scheduled interest.
        await h.Book.CloseDayAsync(new DateOnly(2026, 2, 15), default);
        Assert.Equal(36_000, h.Book.Schedule(loan)[0].Interest);
        Assert.Equal(36_000, await h.InterestBalanceAsync(loan));
    }

    [Fact]
    public async Task Classification_moves_through_the_five_categories_at_the_thresholds_and_provisions_follow()
    {
        await using var h = await HarnessAsync();
        var start = new DateOnly(2026, 1, 10);
        var loan = await h.LoanAsync("c1", Act365.Code, 1_000_000, 24, start);
        var due = h.Book.Schedule(loan)[0].Due;
        var seen = new Dictionary<int, LoanCategory>();
        for (var d = start.AddDays(1); d <= due.AddDays(362); d = d.AddDays(1))
        {
            await h.Book.CloseDayAsync(d, default);
            var state = h.Loan(loan);
            seen[state.DaysPastDue] = state.Category;
            Assert.Equal(Money.RoundHalfUp(state.Exposure * h.Book.Rules.Rate(state.Category)), state.ProvisionHeld);
            Assert.Equal(-(Int128)state.ProvisionHeld, await h.BankBalanceAsync(BankAccount.LoanLossReserve));
        }
        Assert.Equal(LoanCategory.Normal, seen[0]);
        Assert.Equal(LoanCategory.SpecialMention, seen[1]);
        Assert.Equal(LoanCategory.SpecialMention, seen[90]);
        Assert.Equal(LoanCategory.Substandard, seen[91]);
        Assert.Equal(LoanCategory.Substandard, seen[180]);
        Assert.Equal(LoanCategory.Doubtful, seen[181]);
        Assert.Equal(LoanCategory.Doubtful, seen[360]);
        Assert.Equal(LoanCategory.Loss, seen[361]);
        Assert.Equal(h.Loan(loan).Exposure, h.Loan(loan).ProvisionHeld);
        Assert.True(h.Loan(loan).PenaltyRecognised > 0);
    }

    [Fact]
    public async Task Thresholds_and_rates_are_configurable()
    {
        var rules = new ClassificationRules { SpecialMentionFrom = 5, SubstandardFrom = 30, DoubtfulFrom = 60, LossFrom = 90, NormalRate = 0m, SpecialMentionRate = 0.1m };
        Assert.Null(rules.Validate());
        Assert.Equal(LoanCategory.Normal, rules.Classify(4));
        Assert.Equal(LoanCategory.SpecialMention, rules.Classify(5));
        Assert.Equal(LoanCategory.Loss, rules.Classify(90));
        Assert.NotNull((rules with { DoubtfulFrom = 20 }).Validate());
        Assert.Equal(1, ClassificationRules.EclStage(LoanCategory.Normal));
        Assert.Equal(2, ClassificationRules.EclStage(LoanCategory.SpecialMention));
        Assert.Equal(3, ClassificationRules.EclStage(LoanCategory.Substandard));
        Assert.Equal(3, ClassificationRules.EclStage(LoanCategory.Loss));
        await using var h = await HarnessAsync(rules);
        var loan = await h.LoanAsync("c1", Act365.Code, 1_000_000, 12, new DateOnly(2026, 1, 10));
        await h.Book.CloseDayAsync(new DateOnly(2026, 1, 11), default);
        Assert.Equal(0, h.Loan(loan).ProvisionHeld);
    }

    [Fact]
    public async Task Penalty_interest_accrues_daily_on_the_overdue_amount()
    {
        await using var h = await HarnessAsync();
        var start = new DateOnly(2026, 1, 10);
        var loan = await h.LoanAsync("c1", Act365.Code, 1_000_000, 12, start);
        var first = h.Book.Schedule(loan)[0];
        await h.CloseDailyAsync(start.AddDays(1), first.Due);
        Assert.Equal(0, h.Loan(loan).PenaltyRecognised);
        await h.Book.CloseDayAsync(first.Due.AddDays(1), default);
        // One day at 18 % / 365 on the unpaid instalment.
        Assert.Equal(Money.InterestForDays(first.Principal + first.Interest, 0.18m, DayCount.Act365, 1), h.Loan(loan).PenaltyRecognised);
        Assert.Equal(1, h.Loan(loan).DaysPastDue);
        // Paying the arrears pays the penalty first and clears days past due at the next close.
        var due = h.Book.AmountDue(loan, first.Due.AddDays(1));
        Assert.True(due > first.Principal + first.Interest);
        var paid = await h.Book.RepayAsync(loan, h.Loan(loan).PenaltyRecognised + first.Principal + first.Interest, first.Due.AddDays(1), default);
        Assert.True(paid.Ok, paid.Detail);
        await h.Book.CloseDayAsync(first.Due.AddDays(2), default);
        Assert.Equal(0, h.Loan(loan).DaysPastDue);
        Assert.Equal(LoanCategory.Normal, h.Loan(loan).Category);
    }

    [Fact]
    public async Task Ledger_balances_equal_the_loan_book_after_random_lifecycles()
    {
        await using var h = await HarnessAsync();
        var random = new Random(7);
        var start = new DateOnly(2026, 1, 1);
        for (var c = 2; c <= 6; c++) await h.CustomerAsync($"c{c}", 5_000_000);
        var loans = new List<long>();
        for (var i = 0; i < 25; i++)
        {
            var product = i % 2 == 0 ? Act365 : Thirty;
            loans.Add(await h.LoanAsync($"c{1 + (i % 6)}", product.Code, random.Next(100_000, 3_000_000), random.Next(2, 13), start.AddDays(random.Next(0, 20))));
        }
        for (var d = start.AddDays(20); d <= start.AddDays(200); d = d.AddDays(1))
        {
            await h.Book.CloseDayAsync(d, default);
            foreach (var loan in loans.Where(_ => random.Next(100) < 4)) await RandomStepAsync(h, loan, d, random);
        }
        await AssertReconciledAsync(h, loans);
    }

    private static async Task RandomStepAsync(BookHarness h, long loan, DateOnly date, Random random)
    {
        switch (random.Next(10))
        {
            case < 7:
                var due = h.Book.AmountDue(loan, date);
                if (due > 0) await h.Book.RepayAsync(loan, Math.Max(1, due * random.Next(30, 101) / 100), date, default);
                break;
            case < 9:
                var quote = h.Book.Quote(loan, date);
                if (quote.Ok) await h.Book.SettleAsync(loan, date, quote.Value.Total, default);
                break;
            default:
                await h.Book.WriteOffAsync(loan, default);
                break;
        }
    }

    private static async Task AssertReconciledAsync(BookHarness h, IEnumerable<long> loans)
    {
        long held = 0;
        foreach (var loan in loans)
        {
            var state = h.Loan(loan);
            Assert.Equal(state.PrincipalOutstanding, await h.PrincipalBalanceAsync(loan));
            Assert.Equal(state.InterestReceivable, await h.InterestBalanceAsync(loan));
            var schedule = h.Book.Schedule(loan);
            Assert.Equal(state.PrincipalOutstanding, state.Status == LoanStatus.Active ? schedule.Sum(r => r.Principal - r.PrincipalPaid) : 0);
            held += state.ProvisionHeld;
        }
        Assert.Equal(-(Int128)held, await h.BankBalanceAsync(BankAccount.LoanLossReserve));
        Assert.Equal(held, h.Book.ComputeFigures().LoanLossReserve);
    }

    [Fact]
    public async Task Portfolio_figures_follow_the_categories_of_the_book()
    {
        await using var h = await HarnessAsync();
        await h.CustomerAsync("c2", 0);
        var start = new DateOnly(2026, 1, 10);
        var performing = await h.LoanAsync("c1", Act365.Code, 3_000_000, 12, start);
        var late = await h.LoanAsync("c2", Act365.Code, 1_000_000, 12, start);
        var first = h.Book.Schedule(performing)[0];
        for (var d = start.AddDays(1); d <= first.Due.AddDays(95); d = d.AddDays(1))
        {
            await h.Book.CloseDayAsync(d, default);
            var due = h.Book.AmountDue(performing, d);
            if (h.Book.Schedule(performing).Any(r => r.Due <= d && r.PrincipalPaid < r.Principal))
                Assert.True((await h.Book.RepayAsync(performing, due, d, default)).Ok);
        }
        var figures = new LoanPortfolio(h.Book).Figures();
        var p = h.Loan(performing);
        var l = h.Loan(late);
        Assert.Equal(LoanCategory.Normal, p.Category);
        Assert.Equal(LoanCategory.Substandard, l.Category);
        Assert.Equal(2, figures.LoanCount);
        Assert.Equal(p.PrincipalOutstanding + l.PrincipalOutstanding, figures.GrossLoans);
        Assert.Equal(l.PrincipalOutstanding, figures.NonPerformingLoans);
        Assert.Equal(l.PrincipalOutstanding, figures.ByCategory[(int)LoanCategory.Substandard]);
        Assert.Equal(p.ProvisionHeld + l.ProvisionHeld, figures.LoanLossReserve);
        Assert.Equal(Math.Round((decimal)l.PrincipalOutstanding / figures.GrossLoans, 6), figures.NplRatio);
        Assert.Equal(Math.Round((decimal)figures.LoanLossReserve / l.PrincipalOutstanding, 6), figures.ProvisionCoverage);
        Assert.Equal(Math.Round((decimal)figures.LoanLossReserve / figures.GrossLoans, 6), figures.LoanLossReserveRatio);
        Assert.Equal(p.Exposure + l.Exposure, figures.Top10CustomersExposure);
        Assert.Equal(Math.Max(p.Exposure, l.Exposure), figures.LargestCustomerExposure);
    }

    [Fact]
    public async Task A_settled_loan_gives_its_provision_back_at_the_next_close()
    {
        await using var h = await HarnessAsync();
        var start = new DateOnly(2026, 1, 10);
        var loan = await h.LoanAsync("c1", Act365.Code, 1_000_000, 1, start);
        await h.CloseDailyAsync(start.AddDays(1), start.AddDays(3));
        Assert.True(h.Loan(loan).ProvisionHeld > 0);
        var row = h.Book.Schedule(loan)[0];
        Assert.True((await h.Book.DepositAsync("c1", row.Interest, default)).Ok);
        Assert.True((await h.Book.RepayAsync(loan, row.Principal + row.Interest, start.AddDays(3), default)).Ok);
        Assert.Equal(LoanStatus.Settled, h.Loan(loan).Status);
        await h.Book.CloseDayAsync(start.AddDays(4), default);
        Assert.Equal(0, h.Loan(loan).ProvisionHeld);
        Assert.Equal(0, await h.BankBalanceAsync(BankAccount.LoanLossReserve));
        Assert.Equal(0, await h.PrincipalBalanceAsync(loan));
        Assert.Equal(0, await h.InterestBalanceAsync(loan));
    }

    [Fact]
    public async Task A_close_cannot_go_back_and_rerunning_a_date_posts_nothing_new()
    {
        await using var h = await HarnessAsync();
        var loan = await h.LoanAsync("c1", Act365.Code, 1_000_000, 12, new DateOnly(2026, 1, 10));
        await h.Book.CloseDayAsync(new DateOnly(2026, 1, 20), default);
        var before = await LifecycleTests.SnapshotAsync(h, loan);
        var again = await h.Book.CloseDayAsync(new DateOnly(2026, 1, 20), default);
        Assert.Equal(0, again.LoansClosed);
        Assert.Equal(before, await LifecycleTests.SnapshotAsync(h, loan));
        await Assert.ThrowsAsync<ArgumentException>(() => h.Book.CloseDayAsync(new DateOnly(2026, 1, 19), default));
    }

    [Fact]
    public async Task The_close_benchmark_reports_loans_closed_per_second()
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-lending-bench-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var output = new StringWriter();
            var rate = await Banyan.Lending.Bench.CloseBenchmark.RunAsync(20_000, directory, output, default);
            Assert.True(rate > 0);
            Assert.Contains("loans closed per second", output.ToString());
            Assert.Contains("close 2026-04-12: 20,000 loans", output.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

public class CliTests
{
    [Fact]
    public async Task Lending_bench_runs_as_a_cli_command()
    {
        var app = new Spectre.Console.Cli.CommandApp();
        app.Configure(c => new LendingModule().ConfigureCli(c));
        Assert.Equal(0, await app.RunAsync(["lending", "bench", "--loans", "3000"]));
        Assert.NotEqual(0, await app.RunAsync(["lending", "bench", "--loans", "0"]));
    }
}
