using Banyan.Lending.Book;
using Banyan.Lending.Close;
using Banyan.Ledger;

namespace Banyan.Lending.Tests;

/// <summary>A real ledger on a temporary directory and a book on it. No fakes.</summary>
internal sealed class BookHarness : IAsyncDisposable
{
    private readonly string _directory;

    private BookHarness(string directory, LedgerEngine ledger, LoanBook book)
    {
        _directory = directory;
        Ledger = ledger;
        Book = book;
    }

    public LedgerEngine Ledger { get; }
    public LoanBook Book { get; }

    public static async Task<BookHarness> CreateAsync(ClassificationRules? rules = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-lending-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var ledger = LedgerEngine.Open(new LedgerOptions { Directory = directory, Fsync = false, AccountCapacity = 1 << 12, TransferCapacity = 1 << 14, SnapshotEveryRecords = 0 });
        var book = new LoanBook(ledger, new LendingChart(1, 7), rules ?? ClassificationRules.Default);
        StandardProducts.AddTo(book);
        await Task.CompletedTask;
        return new BookHarness(directory, ledger, book);
    }

    /// <summary>Adds a product with exactly the given terms (tests pick their own rates and day counts).</summary>
    public void AddProduct(Product product) => Assert.True(Book.AddProduct(product).Ok);

    public async Task<CustomerEntry> CustomerAsync(string reference, long deposit)
    {
        var opened = await Book.OpenCustomerAsync(reference, default);
        Assert.True(opened.Ok, opened.Detail);
        if (deposit > 0) Assert.True((await Book.DepositAsync(reference, deposit, default)).Ok);
        return opened.Value;
    }

    public async Task<long> LoanAsync(string customer, string product, long principal, int instalments, DateOnly start)
    {
        var outcome = await Book.DisburseAsync(new LoanApplication(customer, product, principal, instalments, start), default);
        Assert.True(outcome.Ok, outcome.Detail);
        return outcome.Value;
    }

    /// <summary>Debit balance (debits − credits posted) of an account; negative for credit balances.</summary>
    public async Task<Int128> DebitBalanceAsync(UInt128 id)
    {
        var found = await Ledger.LookupAccountsAsync(new[] { id });
        Assert.Single(found);
        return (Int128)found[0].DebitsPosted - (Int128)found[0].CreditsPosted;
    }

    public Task<Int128> PrincipalBalanceAsync(long loan) => DebitBalanceAsync(Book.Chart.Loan(loan, LoanAccount.PrincipalReceivable));

    public Task<Int128> InterestBalanceAsync(long loan) => DebitBalanceAsync(Book.Chart.Loan(loan, LoanAccount.InterestReceivable));

    public Task<Int128> BankBalanceAsync(BankAccount account) => DebitBalanceAsync(Book.Chart.Bank(account));

    public async Task<Int128> CustomerBalanceAsync(string reference)
    {
        Assert.True(Book.TryFindCustomer(reference, out var customer));
        return -await DebitBalanceAsync(customer.Account);
    }

    public LoanState Loan(long number)
    {
        Assert.True(Book.TryGetLoan(number, out var loan));
        return loan;
    }

    public async Task CloseDailyAsync(DateOnly from, DateOnly to)
    {
        for (var d = from; d <= to; d = d.AddDays(1)) await Book.CloseDayAsync(d, default);
    }

    public async ValueTask DisposeAsync()
    {
        await Book.DisposeAsync();
        await Ledger.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
