using Banyan.Lending.Book;
using Banyan.Lending.Schedules;

namespace Banyan.Lending.Tests;

/// <summary>Origination fees (deducted or financed) and late fees (decision 0506).</summary>
public class FeeTests
{
    private static readonly DateOnly Start = new(2026, 1, 15);

    private static Product With(string code, decimal originationRate, bool financed, long lateFee = 0, int afterDays = 0) =>
        RestructureTests.Thirty with { Code = code, OriginationFeeRate = originationRate, OriginationFeeFinanced = financed, LateFee = lateFee, LateFeeAfterDays = afterDays };

    [Fact]
    public async Task A_deducted_origination_fee_leaves_the_schedule_on_the_requested_principal()
    {
        await using var h = await BookHarness.CreateAsync();
        h.AddProduct(With("deducted", 0.0125m, financed: false));
        await h.CustomerAsync("c", 0);
        var loan = await h.LoanAsync("c", "deducted", 1_200_000, 12, Start);
        // 1.25 % × 1,200,000 = 15,000: the borrower receives 1,185,000; the schedule is on 1,200,000.
        Assert.Equal(1_185_000, await h.CustomerBalanceAsync("c"));
        Assert.Equal(-15_000, await h.BankBalanceAsync(BankAccount.FeeIncome));
        Assert.Equal(1_200_000, await h.PrincipalBalanceAsync(loan));
        Assert.Equal(106_619, h.Book.Schedule(loan)[0].Principal + h.Book.Schedule(loan)[0].Interest);
    }

    [Fact]
    public async Task A_financed_origination_fee_is_added_to_the_principal_and_amortised()
    {
        await using var h = await BookHarness.CreateAsync();
        h.AddProduct(With("financed", 0.0125m, financed: true));
        await h.CustomerAsync("c", 0);
        var loan = await h.LoanAsync("c", "financed", 1_200_000, 12, Start);
        Assert.Equal(1_200_000, await h.CustomerBalanceAsync("c"));
        Assert.Equal(-15_000, await h.BankBalanceAsync(BankAccount.FeeIncome));
        Assert.Equal(1_215_000, await h.PrincipalBalanceAsync(loan));
        Assert.Equal(1_215_000, h.Loan(loan).PrincipalOutstanding);
        var schedule = h.Book.Schedule(loan);
        // 1,215,000 × 1 % × 1.01^12 / (1.01^12 − 1) = 107,951.28 → 107,951; first interest 12,150.
        Assert.Equal((95_801L, 12_150L), (schedule[0].Principal, schedule[0].Interest));
        Assert.Equal(1_215_000, schedule.Sum(r => r.Principal));
    }

    [Fact]
    public async Task A_ten_percent_deducted_fee_is_taken_in_the_disbursement_batch_and_a_refused_application_books_nothing()
    {
        await using var h = await BookHarness.CreateAsync();
        var product = With("huge", 0.1m, financed: false);
        h.AddProduct(product);
        await h.CustomerAsync("c", 0);
        Assert.True((await h.Book.DisburseAsync(new LoanApplication("c", "huge", 1_000, 3, Start), default)).Ok);
        Assert.Equal(900, await h.CustomerBalanceAsync("c"));
        Assert.Equal(Refusal.Invalid, (await h.Book.DisburseAsync(new LoanApplication("c", "huge", 0, 3, Start), default)).Refusal);
        Assert.Equal(1, h.Book.LoanCount);
    }

    [Fact]
    public async Task A_late_fee_is_charged_once_per_instalment_unpaid_past_its_grace_days()
    {
        await using var h = await BookHarness.CreateAsync();
        h.AddProduct(With("late", 0m, financed: false, lateFee: 5_000, afterDays: 5));
        await h.CustomerAsync("c", 0);
        var loan = await h.LoanAsync("c", "late", 1_200_000, 12, Start);
        await h.CloseDailyAsync(Start.AddDays(1), new DateOnly(2026, 2, 20)); // due 15 Feb, 5 days' grace: not yet
        Assert.Equal(0, h.Loan(loan).LateFees);
        await h.CloseDailyAsync(new DateOnly(2026, 2, 21), new DateOnly(2026, 3, 20));
        Assert.Equal(5_000, h.Loan(loan).LateFees);
        Assert.True((await h.Book.RepayAsync(loan, h.Book.ArrearsDue(loan, new DateOnly(2026, 3, 20)), new DateOnly(2026, 3, 20), default)).Ok);
        await h.CloseDailyAsync(new DateOnly(2026, 3, 21), new DateOnly(2026, 4, 30)); // the March instalment was paid: only April's
        var state = h.Loan(loan);
        Assert.Equal(10_000, state.LateFees);
        Assert.Equal(-(Int128)state.PenaltyRecognised, await h.BankBalanceAsync(BankAccount.PenaltyIncome));
        Assert.Equal(state.InterestReceivable, await h.InterestBalanceAsync(loan));
    }
}
