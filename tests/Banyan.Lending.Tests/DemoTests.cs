using Banyan.Lending.Book;
using Banyan.Lending.Close;
using Banyan.Lending.Contracts;
using Banyan.Lending.Demo;

namespace Banyan.Lending.Tests;

public class DemoTests
{
    [Fact]
    public async Task Demo_portfolio_has_realistic_arrears_in_every_category_and_reconciles_with_the_ledger()
    {
        await using var h = await BookHarness.CreateAsync();
        var today = new DateOnly(2026, 11, 25);
        await DemoPortfolio.SeedAsync(h.Book, today, default);
        Assert.Equal(DemoPortfolio.Loans, h.Book.LoanCount);
        var figures = h.Book.ComputeFigures();
        Assert.All(new[] { LoanCategory.Normal, LoanCategory.SpecialMention, LoanCategory.Substandard, LoanCategory.Doubtful },
            c => Assert.True(figures.ByCategory[(int)c] > 0, $"no {c} loans"));
        Assert.InRange(figures.NplRatio, 0.01m, 0.25m);
        var statuses = Enumerable.Range(1, h.Book.LoanCount).Select(n => h.Loan(n).Status).ToList();
        Assert.Contains(LoanStatus.Settled, statuses);
        Assert.Contains(LoanStatus.WrittenOff, statuses);
        long held = 0;
        for (var n = 1L; n <= h.Book.LoanCount; n += 37)
        {
            Assert.Equal(h.Loan(n).PrincipalOutstanding, await h.PrincipalBalanceAsync(n));
            Assert.Equal(h.Loan(n).InterestReceivable, await h.InterestBalanceAsync(n));
        }
        for (var n = 1L; n <= h.Book.LoanCount; n++) held += h.Loan(n).ProvisionHeld;
        Assert.Equal(-(Int128)held, await h.BankBalanceAsync(BankAccount.LoanLossReserve));
        var loansBefore = h.Book.LoanCount;
        await DemoPortfolio.SeedAsync(h.Book, today, default);
        Assert.Equal(loansBefore, h.Book.LoanCount);
    }
}
