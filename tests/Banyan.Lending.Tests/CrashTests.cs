using Banyan.Lending.Book;
using Banyan.Lending.Close;
using Banyan.Lending.Schedules;
using Banyan.Ledger;

namespace Banyan.Lending.Tests;

/// <summary>
/// Crash safety (decision 0504): a crash between the book journal's write-ahead line and the
/// ledger's answer, or between the ledger's answer and the book's change, is simulated with the
/// book's crash seam; the reopened book must agree with the ledger and keep working.
/// </summary>
public class CrashTests
{
    private static readonly DateOnly Start = new(2026, 1, 10);

    private sealed class SimulatedCrash : Exception;

    private sealed class Scene : IAsyncDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "banyan-lending-crash-" + Guid.NewGuid().ToString("N"));

        public LedgerEngine Ledger { get; private set; } = null!;
        public LoanBook Book { get; private set; } = null!;
        private string BookDir => Path.Combine(_root, "lending");

        public static async Task<Scene> CreateAsync()
        {
            var scene = new Scene();
            Directory.CreateDirectory(Path.Combine(scene._root, "ledger"));
            scene.Ledger = LedgerEngine.Open(new LedgerOptions { Directory = Path.Combine(scene._root, "ledger"), Fsync = false, AccountCapacity = 1 << 12, TransferCapacity = 1 << 14 });
            await scene.ReopenAsync();
            return scene;
        }

        public string JournalPath => Path.Combine(BookDir, BookJournal.FileName);

        public async Task ReopenAsync()
        {
            if (Book is not null) await Book.DisposeAsync();
            Book = await LoanBook.OpenAsync(Ledger, 1, BookDir, ClassificationRules.Default, TimeProvider.System, default);
        }

        public async Task<long> LoanWithHistoryAsync()
        {
            if (!Book.TryGetProduct(LifecycleTests.Monthly365.Code, out _)) Assert.True(Book.AddProduct(LifecycleTests.Monthly365).Ok);
            Assert.True((await Book.OpenCustomerAsync("a", default)).Ok);
            Assert.True((await Book.DepositAsync("a", 5_000_000, default)).Ok);
            var loan = await Book.DisburseAsync(new LoanApplication("a", LifecycleTests.Monthly365.Code, 1_000_000, 12, Start), default);
            Assert.True(loan.Ok, loan.Detail);
            for (var d = Start.AddDays(1); d <= Start.AddDays(40); d = d.AddDays(1)) await Book.CloseDayAsync(d, default);
            return loan.Value;
        }

        /// <summary>Every loan's principal and interest receivable, and the reserve, equal the ledger's balances.</summary>
        public async Task AssertAgreesWithLedgerAsync()
        {
            long provisions = 0;
            for (var n = 1L; n <= Book.LoanCount; n++)
            {
                Assert.True(Book.TryGetLoan(n, out var loan));
                provisions += loan.ProvisionHeld;
                var accounts = await Ledger.LookupAccountsAsync(new[] { Book.Chart.Loan(n, LoanAccount.PrincipalReceivable), Book.Chart.Loan(n, LoanAccount.InterestReceivable) });
                Assert.Equal((Int128)loan.PrincipalOutstanding, (Int128)accounts[0].DebitsPosted - (Int128)accounts[0].CreditsPosted);
                Assert.Equal((Int128)loan.InterestReceivable, (Int128)accounts[1].DebitsPosted - (Int128)accounts[1].CreditsPosted);
            }
            for (var n = 1L; n <= Book.LineCount; n++)
            {
                Assert.True(Book.TryGetLine(n, out var line));
                var accounts = await Ledger.LookupAccountsAsync(new[] { Book.Chart.Line(n, LoanAccount.PrincipalReceivable), Book.Chart.Line(n, LoanAccount.InterestReceivable) });
                Assert.Equal((Int128)line.Drawn, (Int128)accounts[0].DebitsPosted - (Int128)accounts[0].CreditsPosted);
                Assert.Equal((Int128)line.InterestReceivable, (Int128)accounts[1].DebitsPosted - (Int128)accounts[1].CreditsPosted);
            }
            var reserve = (await Ledger.LookupAccountsAsync(new[] { Book.Chart.Bank(BankAccount.LoanLossReserve) }))[0];
            Assert.Equal((Int128)provisions, (Int128)reserve.CreditsPosted - (Int128)reserve.DebitsPosted);
        }

        public async ValueTask DisposeAsync()
        {
            await Book.DisposeAsync();
            await Ledger.DisposeAsync();
            Directory.Delete(_root, recursive: true);
        }
    }

    public static TheoryData<string, string> StepsAndPoints()
    {
        var data = new TheoryData<string, string>();
        foreach (var step in new[] { "repay", "settle", "writeoff", "close", "disburse", "deposit", "prepay", "reschedule", "draw" })
        {
            data.Add(step, "intended");
            data.Add(step, "posted");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(StepsAndPoints))]
    public async Task A_crash_around_the_ledger_write_is_reconciled_on_reopen_and_the_book_keeps_working(string step, string point)
    {
        await using var scene = await Scene.CreateAsync();
        var loan = await scene.LoanWithHistoryAsync();
        var when = Start.AddDays(41);
        if (step == "prepay") Assert.True((await scene.Book.RepayAsync(loan, scene.Book.ArrearsDue(loan, when), when, default)).Ok);
        if (step == "draw") Assert.True((await scene.Book.OpenLineAsync("a", 50_000, 0.05m, DayCount.Act365, when, default)).Ok);
        var customerBefore = await CustomerBalanceAsync(scene);
        scene.Book.CrashPoint = p => { if (p == point) throw new SimulatedCrash(); };
        await Assert.ThrowsAsync<SimulatedCrash>(() => RunAsync(scene.Book, step, loan, when));
        // The crashed process refuses further steps: its memory no longer says what the ledger holds.
        await Assert.ThrowsAsync<InvalidOperationException>(() => scene.Book.DepositAsync("a", 1, default));

        await scene.ReopenAsync();
        await scene.AssertAgreesWithLedgerAsync();
        var moved = await CustomerBalanceAsync(scene) != customerBefore;
        var applied = step == "deposit" ? moved : Applied(scene.Book, step, loan, when);
        // Crashed before the ledger answered: the step is dropped; after: it is completed in the book.
        Assert.Equal(point == "posted", applied);
        if (step is not ("close" or "writeoff" or "reschedule")) Assert.Equal(point == "posted", moved);

        // The reopened book keeps posting with fresh ids and stays in agreement.
        Assert.True((await scene.Book.DepositAsync("a", 10, default)).Ok);
        await scene.Book.CloseDayAsync(when.AddDays(1), default);
        await scene.AssertAgreesWithLedgerAsync();
        await scene.ReopenAsync();
        await scene.AssertAgreesWithLedgerAsync();
    }

    [Fact]
    public async Task A_journal_that_lost_a_step_the_ledger_holds_is_refused_at_start_up()
    {
        await using var scene = await Scene.CreateAsync();
        var loan = await scene.LoanWithHistoryAsync();
        var kept = File.ReadAllLines(scene.JournalPath);
        Assert.True((await scene.Book.RepayAsync(loan, 1_000, Start.AddDays(41), default)).Ok);
        await scene.Book.DisposeAsync();
        File.WriteAllLines(scene.JournalPath, kept); // the repayment's lines are gone, its transfers are not

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => LoanBook.OpenAsync(scene.Ledger, 1, Path.GetDirectoryName(scene.JournalPath)!, ClassificationRules.Default, TimeProvider.System, default));
        Assert.Contains("beyond the book journal", error.Message);
    }

    [Fact]
    public async Task Random_lifecycles_with_every_step_kind_reconcile_with_the_ledger_before_and_after_a_reopen()
    {
        await using var scene = await Scene.CreateAsync();
        var book = scene.Book;
        var random = new Random(11);
        var start = new DateOnly(2026, 1, 1);
        Assert.True(book.SetBenchmarkRate("LPR1Y", start, 0.0345m).Ok);
        Product[] products =
        [
            RestructureTests.Thirty with { LateFee = 2_000, LateFeeAfterDays = 3, OriginationFeeRate = 0.01m },
            FloatingRateTests.Lpr with { OriginationFeeRate = 0.005m, OriginationFeeFinanced = true },
            LifecycleTests.Monthly365,
        ];
        foreach (var p in products) Assert.True(book.AddProduct(p).Ok);
        for (var c = 1; c <= 4; c++)
        {
            Assert.True((await book.OpenCustomerAsync($"c{c}", default)).Ok);
            Assert.True((await book.DepositAsync($"c{c}", 8_000_000, default)).Ok);
            Assert.True((await book.OpenLineAsync($"c{c}", 500_000, 0.06m, DayCount.Act365, start, default)).Ok);
        }
        var loans = new List<long>();
        var done = new Dictionary<string, int>();
        for (var i = 0; i < 16; i++)
        {
            var loan = await book.DisburseAsync(new LoanApplication($"c{1 + (i % 4)}", products[i % 3].Code, random.Next(100_000, 2_000_000), random.Next(3, 13), start.AddDays(random.Next(0, 15))), default);
            Assert.True(loan.Ok, loan.Detail);
            loans.Add(loan.Value);
        }
        for (var d = start.AddDays(15); d <= start.AddDays(150); d = d.AddDays(1))
        {
            if (d.Day == 1) Assert.True(book.SetBenchmarkRate("LPR1Y", d.AddDays(1), 0.03m + (random.Next(0, 10) / 1000m)).Ok);
            await book.CloseDayAsync(d, default);
            foreach (var loan in loans.Where(_ => random.Next(100) < 5)) Count(done, await RandomStepAsync(book, loan, d, random));
            if (random.Next(100) < 20) Count(done, (await book.DrawAsync(random.Next(1, 5), random.Next(1_000, 200_000), d, default)).Ok ? "draw" : null);
            if (random.Next(100) < 20) Count(done, (await book.RepayLineAsync(random.Next(1, 5), random.Next(1_000, 100_000), d, default)).Ok ? "linerepay" : null);
        }
        // Every kind of step actually happened (not only refusals).
        Assert.All(new[] { "repay", "prepay", "reschedule", "settle", "writeoff", "draw", "linerepay" }, k => Assert.True(done.GetValueOrDefault(k) > 0, k));
        await scene.AssertAgreesWithLedgerAsync();
        var before = Snapshot(scene.Book);
        await scene.ReopenAsync();
        Assert.Equal(before, Snapshot(scene.Book));
        await scene.AssertAgreesWithLedgerAsync();
    }

    private static void Count(Dictionary<string, int> done, string? kind)
    {
        if (kind is not null) done[kind] = done.GetValueOrDefault(kind) + 1;
    }

    /// <summary>One random step; the kind that succeeded, or null when it was refused.</summary>
    private static async Task<string?> RandomStepAsync(LoanBook book, long loan, DateOnly date, Random random)
    {
        switch (random.Next(12))
        {
            case < 6:
                var due = book.AmountDue(loan, date);
                return due > 0 && (await book.RepayAsync(loan, Math.Max(1, due * random.Next(30, 101) / 100), date, default)).Ok ? "repay" : null;
            case < 8:
                return (await book.PrepayAsync(loan, random.Next(10_000, 200_000), date, random.Next(2) == 0 ? PrepaymentMode.KeepTerm : PrepaymentMode.KeepInstalment, default)).Ok ? "prepay" : null;
            case < 10:
                return book.TryGetLoan(loan, out var state) && (await book.RescheduleAsync(loan, state.LastClosed, random.Next(0, 4), random.Next(2) == 0 ? null : 0.05m, default)).Ok ? "reschedule" : null;
            case 10:
                var quote = book.Quote(loan, date);
                return quote.Ok && (await book.SettleAsync(loan, date, quote.Value.Total, default)).Ok ? "settle" : null;
            default:
                return (await book.WriteOffAsync(loan, default)).Ok ? "writeoff" : null;
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions Fields = new() { IncludeFields = true };

    private static string Snapshot(LoanBook book)
    {
        var parts = new List<string>();
        for (var n = 1L; n <= book.LoanCount; n++)
        {
            Assert.True(book.TryGetLoan(n, out var loan));
            parts.Add(System.Text.Json.JsonSerializer.Serialize(loan, Fields));
            parts.Add(System.Text.Json.JsonSerializer.Serialize(book.Schedule(n), Fields));
        }
        for (var n = 1L; n <= book.LineCount; n++)
        {
            Assert.True(book.TryGetLine(n, out var line));
            parts.Add(System.Text.Json.JsonSerializer.Serialize(line, Fields));
        }
        return string.Join('\n', parts);
    }

    private static async Task<Int128> CustomerBalanceAsync(Scene scene)
    {
        Assert.True(scene.Book.TryFindCustomer("a", out var customer));
        var account = (await scene.Ledger.LookupAccountsAsync(new[] { customer.Account }))[0];
        return (Int128)account.CreditsPosted - (Int128)account.DebitsPosted;
    }

    private static async Task RunAsync(LoanBook book, string step, long loan, DateOnly when)
    {
        switch (step)
        {
            case "repay": await book.RepayAsync(loan, book.AmountDue(loan, when), when, default); break;
            case "settle": await book.SettleAsync(loan, when, book.Quote(loan, when).Value.Total, default); break;
            case "writeoff": await book.WriteOffAsync(loan, default); break;
            case "close": await book.CloseDayAsync(when, default); break;
            case "disburse": await book.DisburseAsync(new LoanApplication("a", "sme-working-capital", 300_000, 6, when), default); break;
            case "deposit": await book.DepositAsync("a", 777, default); break;
            case "draw": await book.DrawAsync(1, 20_000, when, default); break;
            case "prepay": await book.PrepayAsync(loan, 100_000, when, PrepaymentMode.KeepInstalment, default); break;
            case "reschedule": await book.RescheduleAsync(loan, when.AddDays(-1), 3, 0.09m, default); break;
            default: throw new ArgumentOutOfRangeException(nameof(step));
        }
    }

    private static bool Applied(LoanBook book, string step, long loan, DateOnly when)
    {
        Assert.True(book.TryGetLoan(loan, out var state));
        return step switch
        {
            "repay" => book.Schedule(loan)[0].PrincipalPaid > 0,
            "settle" => state.Status == LoanStatus.Settled,
            "writeoff" => state.Status == LoanStatus.WrittenOff,
            "close" => state.LastClosed == when && book.LastCloseDate == when,
            "disburse" => book.LoanCount == 2,
            // Both leave a settled row due on their date (original due dates fall on the 10th).
            "draw" => book.TryGetLine(1, out var line) && line.Drawn == 20_000,
            "prepay" => book.Schedule(loan).Any(r => r.Due == when),
            "reschedule" => book.Schedule(loan).Any(r => r.Due == when.AddDays(-1)),
            _ => throw new ArgumentOutOfRangeException(nameof(step)),
        };
    }
}
