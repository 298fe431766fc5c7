using Banyan.Lending.Book;
using Banyan.Lending.Schedules;

namespace Banyan.Lending.Tests;

public class LifecycleTests
{
    internal static readonly Product Monthly365 = new("t-ei-365", "test annuity", Amortization.EqualInstalment, Frequency.Monthly, DayCount.Act365, 0.12m, 0.18m, 1, 36, 0, 1_000_000_000_000, 0.01m);
    private static readonly DateOnly Start = new(2026, 3, 10);

    private static async Task<(BookHarness H, long Loan)> OneLoanAsync(long principal = 1_200_000, int instalments = 12)
    {
        var h = await BookHarness.CreateAsync();
        h.AddProduct(Monthly365);
        await h.CustomerAsync("c1", 0);
        var loan = await h.LoanAsync("c1", Monthly365.Code, principal, instalments, Start);
        return (h, loan);
    }

    [Fact]
    public async Task Disbursement_moves_the_principal_from_the_loan_asset_to_the_customer_account()
    {
        var (h, loan) = await OneLoanAsync();
        await using var _ = h;
        Assert.Equal(1_200_000, await h.PrincipalBalanceAsync(loan));
        Assert.Equal(1_200_000, await h.CustomerBalanceAsync("c1"));
        Assert.Equal(0, await h.InterestBalanceAsync(loan));
        var state = h.Loan(loan);
        Assert.Equal(1_200_000, state.PrincipalOutstanding);
        Assert.Equal(LoanStatus.Active, state.Status);
        Assert.Equal(12, h.Book.Schedule(loan).Length);
    }

    [Fact]
    public async Task Repayment_of_a_due_instalment_pays_principal_and_interest_in_one_linked_batch()
    {
        var (h, loan) = await OneLoanAsync();
        await using var _ = h;
        var first = h.Book.Schedule(loan)[0];
        var paid = await h.Book.RepayAsync(loan, first.Principal + first.Interest, first.Due, default);
        Assert.True(paid.Ok, paid.Detail);
        Assert.Equal(new RepaymentAllocation(0, first.Interest, first.Principal), paid.Value);
        Assert.Equal(1_200_000 - first.Principal, await h.PrincipalBalanceAsync(loan));
        Assert.Equal(0, await h.InterestBalanceAsync(loan));
        Assert.Equal(-(Int128)first.Interest, await h.BankBalanceAsync(BankAccount.InterestIncome));
        Assert.Equal(1, h.Loan(loan).NextUnpaid);
    }

    [Fact]
    public async Task Repayment_exceeding_the_customers_funds_is_refused_and_changes_neither_ledger_nor_loan()
    {
        var (h, loan) = await OneLoanAsync();
        await using var _ = h;
        Assert.True((await h.Book.WithdrawAsync("c1", 1_150_000, default)).Ok);
        await h.Book.CloseDayAsync(Start.AddDays(20), default);
        var ledgerBefore = await SnapshotAsync(h, loan);
        var loanBefore = h.Loan(loan);
        var scheduleBefore = h.Book.Schedule(loan);
        var first = scheduleBefore[0];
        var refused = await h.Book.RepayAsync(loan, first.Principal + first.Interest, first.Due, default);
        Assert.Equal(Refusal.InsufficientFunds, refused.Refusal);
        Assert.Equal(ledgerBefore, await SnapshotAsync(h, loan));
        Assert.Equal(loanBefore, h.Loan(loan));
        Assert.Equal(scheduleBefore, h.Book.Schedule(loan));
    }

    [Fact]
    public async Task Repayment_beyond_the_next_instalment_is_refused_and_points_to_early_settlement()
    {
        var (h, loan) = await OneLoanAsync();
        await using var _ = h;
        var before = await SnapshotAsync(h, loan);
        var refused = await h.Book.RepayAsync(loan, 1_000_000, Start.AddDays(5), default);
        Assert.Equal(Refusal.Invalid, refused.Refusal);
        Assert.Contains("early settlement", refused.Detail);
        Assert.Equal(before, await SnapshotAsync(h, loan));
    }

    [Fact]
    public async Task Early_settlement_pays_principal_interest_to_date_and_fee_and_clears_every_loan_account()
    {
        var (h, loan) = await OneLoanAsync();
        await using var _ = h;
        await h.CloseDailyAsync(Start.AddDays(1), Start.AddDays(15));
        var date = Start.AddDays(15);
        var quote = h.Book.Quote(loan, date);
        Assert.True(quote.Ok);
        // 15 days of ACT/365 at 12 % on 1,200,000 = 5,917.81 → 5,918; fee 1 % of principal.
        Assert.Equal(new SettlementQuote(loan, date, 1_200_000, 5_918, 0, 12_000), quote.Value);
        Assert.True((await h.Book.DepositAsync("c1", 20_000, default)).Ok);
        var wrong = await h.Book.SettleAsync(loan, date, quote.Value.Total - 1, default);
        Assert.Equal(Refusal.Invalid, wrong.Refusal);
        var settled = await h.Book.SettleAsync(loan, date, quote.Value.Total, default);
        Assert.True(settled.Ok, settled.Detail);
        Assert.Equal(0, await h.PrincipalBalanceAsync(loan));
        Assert.Equal(0, await h.InterestBalanceAsync(loan));
        Assert.Equal(0, await h.BankBalanceAsync(BankAccount.LoanLossReserve));
        Assert.Equal(-(Int128)5_918, await h.BankBalanceAsync(BankAccount.InterestIncome));
        Assert.Equal(-(Int128)12_000, await h.BankBalanceAsync(BankAccount.FeeIncome));
        Assert.Equal(1_200_000 + 20_000 - quote.Value.Total, await h.CustomerBalanceAsync("c1"));
        Assert.Equal(LoanStatus.Settled, h.Loan(loan).Status);
    }

    [Fact]
    public async Task Write_off_moves_the_exposure_to_the_reserve_and_a_recovery_reverses_expense()
    {
        var (h, loan) = await OneLoanAsync();
        await using var _ = h;
        await h.CloseDailyAsync(Start.AddDays(1), Start.AddDays(70));
        var state = h.Loan(loan);
        Assert.True(state.DaysPastDue > 0);
        var written = await h.Book.WriteOffAsync(loan, default);
        Assert.True(written.Ok, written.Detail);
        Assert.Equal(state.Exposure, written.Value);
        Assert.Equal(0, await h.PrincipalBalanceAsync(loan));
        Assert.Equal(0, await h.InterestBalanceAsync(loan));
        Assert.Equal(0, await h.BankBalanceAsync(BankAccount.LoanLossReserve));
        Assert.Equal((Int128)state.Exposure, await h.BankBalanceAsync(BankAccount.ProvisionExpense));
        Assert.Equal(Refusal.WrongState, (await h.Book.RepayAsync(loan, 1, Start.AddDays(71), default)).Refusal);
        Assert.Equal(Refusal.Invalid, (await h.Book.RecoverAsync(loan, state.Exposure + 1, default)).Refusal);
        Assert.True((await h.Book.RecoverAsync(loan, 100_000, default)).Ok);
        Assert.Equal((Int128)(state.Exposure - 100_000), await h.BankBalanceAsync(BankAccount.ProvisionExpense));
    }

    [Fact]
    public async Task Unknown_loans_and_customers_are_refused()
    {
        var (h, _) = await OneLoanAsync();
        await using var __ = h;
        Assert.Equal(Refusal.NotFound, (await h.Book.RepayAsync(99, 10, Start, default)).Refusal);
        Assert.Equal(Refusal.NotFound, (await h.Book.DisburseAsync(new LoanApplication("nobody", Monthly365.Code, 10, 3, Start), default)).Refusal);
        Assert.Equal(Refusal.Invalid, (await h.Book.DisburseAsync(new LoanApplication("c1", Monthly365.Code, 10, 99, Start), default)).Refusal);
        Assert.Equal(1, h.Book.LoanCount);
    }

    /// <summary>Balances of every account a step could touch.</summary>
    internal static async Task<string> SnapshotAsync(BookHarness h, long loan)
    {
        var ids = new List<UInt128> { h.Book.Chart.Loan(loan, LoanAccount.PrincipalReceivable), h.Book.Chart.Loan(loan, LoanAccount.InterestReceivable) };
        ids.AddRange(Enum.GetValues<BankAccount>().Select(h.Book.Chart.Bank));
        for (var c = 0; c < h.Book.CustomerCount; c++) ids.Add(h.Book.Customer(c).Account);
        var accounts = await h.Ledger.LookupAccountsAsync(ids.ToArray());
        var stats = h.Ledger.Statistics;
        return string.Join(';', accounts.Select(a => $"{a.Id}:{a.DebitsPosted}/{a.CreditsPosted}/{a.DebitsPending}/{a.CreditsPending}")) + $"|transfers={stats.Transfers}";
    }
}
