using Banyan.Lending.Close;
using Banyan.Lending.Schedules;
using Banyan.Ledger;

namespace Banyan.Lending.Book;

/// <summary>
/// The loan book: products, customers, loans and their schedules, kept in memory in flat struct
/// arrays (decision 0500). Every money movement goes to the ledger as one linked batch first; the
/// book changes only after the ledger accepted the whole batch, so a refused step changes nothing.
/// All steps are serialised by one async gate (the close holds it for its whole run).
/// </summary>
internal sealed partial class LoanBook : IAsyncDisposable
{
    public const int MaxLoans = 1 << 24;
    public const int MaxCustomers = 1 << 24;
    public const int MaxProducts = 1000;

    private readonly LedgerEngine _ledger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Product> _products = new(StringComparer.Ordinal);
    private readonly List<Product> _productList = [];
    private readonly Dictionary<string, int> _customerByReference = new(StringComparer.Ordinal);
    /// <summary>Which loan each credit application was booked as: one loan per approved application.</summary>
    private readonly Dictionary<string, long> _loanByApplication = new(StringComparer.Ordinal);
    private CustomerEntry[] _customers = new CustomerEntry[16];
    private LoanState[] _loans = new LoanState[16];
    private InstalmentState[] _instalments = new InstalmentState[256];
    private int _customerCount;
    private int _loanCount;
    private int _instalmentCount;
    private long _transferSequence;
    private bool _chartReady;
    private BookJournal? _journal;
    private bool _replaying;
    /// <summary>While replaying: ask the ledger whether each batch exists instead of assuming it (decision 0504).</summary>
    private bool _verifying;
    /// <summary>Set when a posting's outcome is unknown (the ledger call threw): the book must be reopened to reconcile.</summary>
    private bool _faulted;

    public LoanBook(LedgerEngine ledger, LendingChart chart, ClassificationRules rules)
    {
        var error = rules.Validate();
        if (error is not null) throw new ArgumentException(error, nameof(rules));
        _ledger = ledger;
        Chart = chart;
        Rules = rules;
    }

    public LendingChart Chart { get; }
    public ClassificationRules Rules { get; }
    public int LoanCount => Volatile.Read(ref _loanCount);
    public int CustomerCount => Volatile.Read(ref _customerCount);

    /// <summary>The last date every active loan was closed for (null before the first close).</summary>
    public DateOnly? LastCloseDate { get; private set; }

    internal LedgerEngine Ledger => _ledger;

    public ValueTask DisposeAsync()
    {
        _journal?.Dispose();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_faulted)
        {
            _gate.Release();
            throw new InvalidOperationException("A ledger posting of the loan book ended with an unknown outcome; reopen the book to reconcile it with the ledger.");
        }
        return new Releaser(_gate);
    }

    /// <summary>
    /// Test seam for crash simulation: called with "intended" (journal line written, nothing posted)
    /// and "posted" (the ledger accepted, the book not yet changed). If it throws, the book is faulted,
    /// exactly as after a ledger call whose outcome is unknown.
    /// </summary>
    internal Action<string>? CrashPoint { get; set; }

    private void Checkpoint(string point)
    {
        if (CrashPoint is not { } crash || _replaying) return;
        try
        {
            crash(point);
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    private long NextTransfer() => ++_transferSequence;

    /// <summary>The sequence a step starts after, from its first transfer (ids carry the sequence in their low 56 bits).</summary>
    private static long StartOf(in Transfer first) => checked((long)((ulong)first.Id & 0x00FF_FFFF_FFFF_FFFFUL) - 1);

    /// <summary>Ledger account creation, switched off while replaying the journal (the accounts exist).</summary>
    private ValueTask<CreateAccountResult[]> CreateAccountsAsync(ReadOnlyMemory<Account> accounts, CancellationToken cancellationToken) =>
        _replaying ? ValueTask.FromResult(new CreateAccountResult[accounts.Length]) : _ledger.CreateAccountsAsync(accounts, cancellationToken);

    /// <summary>
    /// Ledger postings. While replaying nothing is posted: a confirmed step is taken as created; a step
    /// being verified (decision 0504) counts as created only if its first transfer is in the ledger —
    /// each batch is one linked chain, so the first transfer stands for all of it.
    /// </summary>
    private async ValueTask<CreateTransferResult[]> CreateTransfersAsync(ReadOnlyMemory<Transfer> transfers, CancellationToken cancellationToken)
    {
        if (_replaying) return await VerifyAsync(transfers, cancellationToken).ConfigureAwait(false);
        Checkpoint("intended");
        CreateTransferResult[] results;
        try
        {
            results = await _ledger.CreateTransfersAsync(transfers, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _faulted = true; // the ledger may or may not have taken the batch: only a replay knows
            throw;
        }
        if (results.All(r => r == CreateTransferResult.Created)) Checkpoint("posted");
        return results;
    }

    private async ValueTask<CreateTransferResult[]> VerifyAsync(ReadOnlyMemory<Transfer> transfers, CancellationToken cancellationToken)
    {
        var results = new CreateTransferResult[transfers.Length];
        if (!_verifying || transfers.IsEmpty) return results;
        var expected = transfers.Span[0];
        var found = await _ledger.LookupTransfersAsync(new[] { expected.Id }, cancellationToken).ConfigureAwait(false);
        if (found.Length == 0)
        {
            Array.Fill(results, CreateTransferResult.LinkedEventFailed);
            return results;
        }
        if (found[0].Amount != expected.Amount || found[0].DebitAccountId != expected.DebitAccountId || found[0].CreditAccountId != expected.CreditAccountId)
            throw new InvalidDataException($"{BookJournal.FileName}: ledger transfer {expected.Id} does not match the journaled step");
        return results;
    }

    /// <summary>Write-ahead: journals a step before its transfers are posted, with the transfer sequence it starts from (decision 0504).</summary>
    private void Intend(JournalEntry entry, long start, bool sync = true)
    {
        if (_replaying || _journal is null) return;
        _journal.Append(entry with { Start = start }, sync);
    }

    /// <summary>Marks every intended step since the last mark as resolved. Not synced: if lost, start-up asks the ledger.</summary>
    private void Done()
    {
        if (_replaying || _journal is null) return;
        _journal.Append(new JournalEntry { Kind = "done" }, sync: false);
    }

    /// <summary>Marks the intended step starting at <paramref name="start"/> as refused (nothing posted). Not synced either.</summary>
    private void Abort(long start)
    {
        if (_replaying || _journal is null) return;
        _journal.Append(new JournalEntry { Kind = "abort", Start = start }, sync: false);
    }

    /// <summary>Journals a step the ledger accepted, with the transfer sequence reached.</summary>
    private void Record(JournalEntry entry, bool sync = true)
    {
        if (_replaying || _journal is null) return;
        _journal.Append(entry with { Seq = _transferSequence }, sync);
    }

    /// <summary>Makes entries recorded with <c>sync: false</c> durable (end of a bulk step).</summary>
    private void SyncJournal()
    {
        if (!_replaying) _journal?.Sync();
    }

    /// <summary>Creates the bank accounts once (an existing account with the same fields counts as created).</summary>
    private async Task<Outcome<bool>> EnsureChartAsync(CancellationToken cancellationToken)
    {
        if (_chartReady) return Outcome<bool>.Success(true);
        var results = await CreateAccountsAsync(Chart.BankAccounts(), cancellationToken).ConfigureAwait(false);
        foreach (var r in results)
        {
            if (r is not (CreateAccountResult.Created or CreateAccountResult.Exists))
                return Outcome<bool>.Fail(Refusal.LedgerRejected, $"the ledger refused a bank account: {r}");
        }
        _chartReady = true;
        return Outcome<bool>.Success(true);
    }

    /// <summary>Runs a linked batch; true only if every transfer was created (then all were, else none).</summary>
    private async Task<(bool Ok, CreateTransferResult First)> PostLinkedAsync(Transfer[] batch, CancellationToken cancellationToken)
    {
        if (batch.Length == 0) return (true, CreateTransferResult.Created);
        var results = await CreateTransfersAsync(batch, cancellationToken).ConfigureAwait(false);
        foreach (var r in results)
        {
            if (r is not (CreateTransferResult.Created or CreateTransferResult.LinkedEventFailed)) return (false, r);
        }
        return results.All(r => r == CreateTransferResult.Created) ? (true, CreateTransferResult.Created) : (false, results[0]);
    }

    /// <summary>Builds a linked chain from the non-zero legs (the last leg carries no <c>linked</c> flag).</summary>
    private Transfer[] Chain(long loanNumber, ReadOnlySpan<(UInt128 Debit, UInt128 Credit, long Amount, ushort Code)> legs)
    {
        var count = 0;
        foreach (var leg in legs) if (leg.Amount > 0) count++;
        var batch = new Transfer[count];
        var i = 0;
        foreach (var leg in legs)
        {
            if (leg.Amount <= 0) continue;
            batch[i] = Chart.Posting(NextTransfer(), leg.Debit, leg.Credit, leg.Amount, leg.Code, loanNumber, linked: i < count - 1);
            i++;
        }
        return batch;
    }

    private static Refusal RefusalFor(CreateTransferResult result) =>
        result is CreateTransferResult.ExceedsCredits ? Refusal.InsufficientFunds : Refusal.LedgerRejected;

    private static void Grow<T>(ref T[] array, int needed)
    {
        if (needed <= array.Length) return;
        var size = Math.Max(needed, array.Length * 2);
        Array.Resize(ref array, size);
    }

    public bool TryGetLoan(long loanNumber, out LoanState loan)
    {
        if (loanNumber < 1 || loanNumber > _loanCount)
        {
            loan = default;
            return false;
        }
        loan = _loans[loanNumber - 1];
        return true;
    }

    /// <summary>A copy of the loan's instalment states (for the API and tests).</summary>
    public InstalmentState[] Schedule(long loanNumber)
    {
        if (!TryGetLoan(loanNumber, out var loan)) return [];
        return _instalments.AsSpan(loan.ScheduleOffset, loan.ScheduleCount).ToArray();
    }

    public CustomerEntry Customer(int index) => _customers[index];

    public bool TryFindCustomer(string reference, out CustomerEntry customer)
    {
        if (_customerByReference.TryGetValue(reference, out var index))
        {
            customer = _customers[index];
            return true;
        }
        customer = default;
        return false;
    }

    public IReadOnlyList<Product> Products => _productList;

    public bool TryGetProduct(string code, out Product product)
    {
        lock (_products) return _products.TryGetValue(code, out product!);
    }

    /// <summary>Adds a product (serialised with the lifecycle steps, which read the product list).</summary>
    public Outcome<Product> AddProduct(Product product, bool record = true)
    {
        var error = product.Validate();
        if (error is not null) return Outcome<Product>.Fail(Refusal.Invalid, error);
        _gate.Wait();
        try
        {
            if (_productList.Count >= MaxProducts) return Outcome<Product>.Fail(Refusal.Invalid, "too many products");
            lock (_products)
            {
                if (!_products.TryAdd(product.Code, product)) return Outcome<Product>.Fail(Refusal.WrongState, $"product '{product.Code}' exists");
                _productList.Add(product);
            }
            if (record) Record(new JournalEntry { Kind = "product", Product = product });
            return Outcome<Product>.Success(product);
        }
        finally
        {
            _gate.Release();
        }
    }
}
