using Banyan.Lending.Book;
using Banyan.Lending.Close;
using Banyan.Lending.Contracts;
using Banyan.Ledger;

namespace Banyan.Lending.Tests;

/// <summary>ILoanPortfolio.FiguresAsOf: the figures recorded at each daily close, rebuilt on replay.</summary>
public class PortfolioAsOfTests
{
    private static readonly DateOnly Start = new(2026, 1, 10);

    [Fact]
    public async Task Figures_as_of_a_past_close_exclude_a_later_disbursement_and_a_later_default()
    {
        await using var h = await BookHarness.CreateAsync();
        h.AddProduct(LifecycleTests.Monthly365);
        await h.CustomerAsync("a", 0);
        await h.CustomerAsync("b", 0);
        var first = await h.LoanAsync("a", LifecycleTests.Monthly365.Code, 1_000_000, 12, Start);
        await h.CloseDailyAsync(Start.AddDays(1), Start.AddDays(5));
        var portfolio = new LoanPortfolio(h.Book);
        var early = portfolio.FiguresAsOf(Start.AddDays(5));
        Assert.NotNull(early);

        await h.LoanAsync("b", LifecycleTests.Monthly365.Code, 3_000_000, 12, Start.AddDays(6));
        var due = h.Book.Schedule(first)[0].Due;
        // Unpaid past the 90-day threshold: loan "a" becomes non-performing at a later close.
        await h.CloseDailyAsync(Start.AddDays(6), due.AddDays(95));

        var now = portfolio.Figures();
        var past = portfolio.FiguresAsOf(Start.AddDays(5))!;
        Assert.Equal(early.GrossLoans, past.GrossLoans);
        Assert.Equal(1_000_000, past.GrossLoans);
        Assert.Equal(1, past.LoanCount);
        Assert.Equal(0, past.NonPerformingLoans);
        Assert.Equal(2, now.LoanCount);
        Assert.True(now.GrossLoans > past.GrossLoans);
        Assert.True(now.NonPerformingLoans > 0);
        // A date between closes answers the latest close on or before it; the last close equals the live book.
        Assert.Equal(past, portfolio.FiguresAsOf(Start.AddDays(5)));
        Assert.Equal(Json(now), Json(portfolio.FiguresAsOf(due.AddDays(400))!));
        Assert.Equal(4_000_000, portfolio.FiguresAsOf(Start.AddDays(6))!.GrossLoans);
    }

    [Fact]
    public async Task A_date_before_the_first_close_is_unknown_not_zero()
    {
        await using var h = await BookHarness.CreateAsync();
        h.AddProduct(LifecycleTests.Monthly365);
        await h.CustomerAsync("a", 0);
        await h.LoanAsync("a", LifecycleTests.Monthly365.Code, 1_000_000, 12, Start);
        var portfolio = new LoanPortfolio(h.Book);
        Assert.Null(portfolio.FiguresAsOf(Start.AddDays(3)));
        await h.Book.CloseDayAsync(Start.AddDays(3), default);
        Assert.Null(portfolio.FiguresAsOf(Start.AddDays(2)));
        Assert.Equal(1_000_000, portfolio.FiguresAsOf(Start.AddDays(3))!.GrossLoans);
    }

    [Fact]
    public async Task A_reopened_book_rebuilds_its_close_history_from_the_journal()
    {
        var root = Path.Combine(Path.GetTempPath(), "banyan-lending-asof-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "ledger"));
        try
        {
            await using var ledger = LedgerEngine.Open(new LedgerOptions { Directory = Path.Combine(root, "ledger"), Fsync = false, AccountCapacity = 1 << 12, TransferCapacity = 1 << 14 });
            string before, beforeLater;
            await using (var book = await LoanBook.OpenAsync(ledger, 1, Path.Combine(root, "lending"), ClassificationRules.Default, TimeProvider.System, default))
            {
                Assert.True(book.AddProduct(LifecycleTests.Monthly365).Ok);
                Assert.True((await book.OpenCustomerAsync("a", default)).Ok);
                Assert.True((await book.DisburseAsync(new LoanApplication("a", LifecycleTests.Monthly365.Code, 1_000_000, 12, Start), default)).Ok);
                await book.CloseDayAsync(Start.AddDays(1), default);
                Assert.True((await book.DisburseAsync(new LoanApplication("a", LifecycleTests.Monthly365.Code, 500_000, 12, Start.AddDays(2)), default)).Ok);
                await book.CloseDayAsync(Start.AddDays(2), default);
                before = Json(book.FiguresAsOf(Start.AddDays(1))!);
                beforeLater = Json(book.FiguresAsOf(Start.AddDays(2))!);
            }
            await using var reopened = await LoanBook.OpenAsync(ledger, 1, Path.Combine(root, "lending"), ClassificationRules.Default, TimeProvider.System, default);
            Assert.Equal(before, Json(reopened.FiguresAsOf(Start.AddDays(1))!));
            Assert.Equal(beforeLater, Json(reopened.FiguresAsOf(Start.AddDays(2))!));
            Assert.NotEqual(before, beforeLater);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Json(PortfolioFigures f) => System.Text.Json.JsonSerializer.Serialize(f);
}
