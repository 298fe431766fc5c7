using Banyan.Lending.Book;

namespace Banyan.Lending.Tests;

/// <summary>Loan statements for a period (decision 0509).</summary>
public class StatementTests
{
    [Fact]
    public async Task A_statement_shows_opening_and_closing_principal_interest_accrued_payments_and_fees_for_the_period()
    {
        await using var h = await BookHarness.CreateAsync();
        h.AddProduct(RestructureTests.Thirty);
        await h.CustomerAsync("c", 2_000_000);
        var start = new DateOnly(2026, 1, 15);
        var loan = await h.LoanAsync("c", RestructureTests.Thirty.Code, 1_200_000, 12, start);
        for (var k = 1; k <= 3; k++) Assert.True((await h.Book.RepayAsync(loan, 106_619, start.AddMonths(k), default)).Ok);
        Assert.True((await h.Book.PrepayAsync(loan, 300_000, new DateOnly(2026, 5, 1), PrepaymentMode.KeepTerm, default)).Ok);

        var result = await h.Book.StatementAsync(loan, new DateOnly(2026, 2, 16), new DateOnly(2026, 5, 1), default);
        Assert.True(result.Ok, result.Detail);
        var s = result.Value;
        // Instalment 1 (principal 94,619) was paid on 15 Feb, before the period.
        Assert.Equal(1_105_381, s.OpeningPrincipal);
        Assert.Equal(95_565 + 96_521 + 300_000, s.PrincipalPaid);
        Assert.Equal(613_295, s.ClosingPrincipal);
        Assert.Equal(11_054 + 10_098 + 4_871, s.InterestPaid);
        Assert.Equal(11_054 + 10_098 + 4_871, s.InterestAccrued); // 16 Feb → 1 May by day count
        Assert.Equal(3_000, s.FeesCharged);
        Assert.Equal(3, s.Events.Count);
        Assert.Equal(613_295, s.LedgerPrincipalBalance);

        var first = (await h.Book.StatementAsync(loan, start, new DateOnly(2026, 2, 15), default)).Value;
        Assert.Equal((0L, 1_200_000L, 1_105_381L, 12_000L), (first.OpeningPrincipal, first.Disbursed, first.ClosingPrincipal, first.InterestAccrued));
        Assert.Null(first.LedgerPrincipalBalance); // the ledger holds today's balance only
        Assert.Equal(Refusal.Invalid, (await h.Book.StatementAsync(loan, start, start.AddDays(-1), default)).Refusal);
        Assert.Equal(Refusal.NotFound, (await h.Book.StatementAsync(99, start, start, default)).Refusal);
    }
}
