using Banyan.Lending.Book;
using Banyan.Lending.Close;
using Banyan.Ledger;

namespace Banyan.Lending.Tests;

public class ReplayTests
{
    [Fact]
    public async Task A_reopened_book_replays_its_journal_to_the_same_state_and_keeps_posting_with_fresh_ids()
    {
        var root = Path.Combine(Path.GetTempPath(), "banyan-lending-replay-" + Guid.NewGuid().ToString("N"));
        var ledgerDir = Path.Combine(root, "ledger");
        var bookDir = Path.Combine(root, "lending");
        Directory.CreateDirectory(ledgerDir);
        try
        {
            await using var ledger = LedgerEngine.Open(new LedgerOptions { Directory = ledgerDir, Fsync = false, AccountCapacity = 1 << 12, TransferCapacity = 1 << 14 });
            var start = new DateOnly(2026, 1, 10);
            string before;
            long loan1, loan2;
            await using (var book = await LoanBook.OpenAsync(ledger, 1, bookDir, ClassificationRules.Default, TimeProvider.System, default))
            {
                Assert.True(book.AddProduct(LifecycleTests.Monthly365).Ok);
                Assert.True(book.AddProduct(FloatingRateTests.Lpr).Ok);
                Assert.True(book.SetBenchmarkRate("LPR1Y", start, 0.0345m).Ok);
                Assert.True((await book.OpenCustomerAsync("a", default)).Ok);
                Assert.True((await book.OpenCustomerAsync("b", default)).Ok);
                Assert.True((await book.DepositAsync("a", 50_000, default)).Ok);
                loan1 = (await book.DisburseAsync(new LoanApplication("a", LifecycleTests.Monthly365.Code, 1_000_000, 12, start), default)).Value;
                loan2 = (await book.DisburseAsync(new LoanApplication("b", "sme-working-capital", 2_000_000, 6, start), default)).Value;
                Assert.True((await book.DisburseAsync(new LoanApplication("b", FloatingRateTests.Lpr.Code, 600_000, 12, start), default)).Ok);
                Assert.True(book.SetBenchmarkRate("LPR1Y", start.AddDays(20), 0.0300m).Ok);
                for (var d = start.AddDays(1); d <= start.AddDays(45); d = d.AddDays(1)) await book.CloseDayAsync(d, default);
                Assert.True((await book.RepayAsync(loan1, book.AmountDue(loan1, start.AddDays(45)), start.AddDays(45), default)).Ok);
                Assert.Equal(Refusal.InsufficientFunds, (await book.WithdrawAsync("b", 10_000_000, default)).Refusal);
                Assert.True((await book.WriteOffAsync(loan2, default)).Ok);
                Assert.True((await book.RecoverAsync(loan2, 1_000, default)).Ok);
                before = Describe(book);
            }
            await using var reopened = await LoanBook.OpenAsync(ledger, 1, bookDir, ClassificationRules.Default, TimeProvider.System, default);
            Assert.Equal(before, Describe(reopened));
            await reopened.CloseDayAsync(start.AddDays(46), default);
            var quote = reopened.Quote(loan1, start.AddDays(46)).Value;
            Assert.True((await reopened.DepositAsync("a", quote.Total, default)).Ok);
            var settled = await reopened.SettleAsync(loan1, start.AddDays(46), quote.Total, default);
            Assert.True(settled.Ok, settled.Detail);
            var accounts = await ledger.LookupAccountsAsync(new[] { reopened.Chart.Loan(loan1, LoanAccount.PrincipalReceivable), reopened.Chart.Bank(BankAccount.LoanLossReserve) });
            Assert.Equal(accounts[0].DebitsPosted, accounts[0].CreditsPosted);
            Assert.True(reopened.TryGetLoan(3, out var floating));
            Assert.Equal(0.0555m, floating.AnnualRate); // repriced at its first reset after LPR moved to 3.00 %
            Assert.Equal((UInt128)floating.ProvisionHeld, accounts[1].CreditsPosted - accounts[1].DebitsPosted);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions Fields = new() { IncludeFields = true };

    private static string Describe(LoanBook book)
    {
        var parts = new List<string> { $"loans={book.LoanCount};customers={book.CustomerCount};close={book.LastCloseDate};epoch={book.Chart.Epoch}" };
        for (var n = 1L; n <= book.LoanCount; n++)
        {
            Assert.True(book.TryGetLoan(n, out var loan));
            parts.Add(System.Text.Json.JsonSerializer.Serialize(loan, Fields));
            parts.Add(System.Text.Json.JsonSerializer.Serialize(book.Schedule(n), Fields));
        }
        var figures = book.ComputeFigures();
        parts.Add($"{figures.GrossLoans}/{figures.LoanLossReserve}/{figures.NplRatio}");
        return string.Join('\n', parts);
    }
}
