using Banyan.Ledger;

namespace Banyan.Lending.Book;

internal sealed partial class LoanBook
{
    /// <summary>Opens a customer with a deposit account on the ledger (idempotent on the reference).</summary>
    public async Task<Outcome<CustomerEntry>> OpenCustomerAsync(string reference, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reference) || reference.Length > 64)
            return Outcome<CustomerEntry>.Fail(Refusal.Invalid, "customer reference must be 1 to 64 characters");
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        if (TryFindCustomer(reference, out var existing)) return Outcome<CustomerEntry>.Success(existing);
        if (_customerCount >= MaxCustomers) return Outcome<CustomerEntry>.Fail(Refusal.Invalid, "the book holds no more customers");
        var chart = await EnsureChartAsync(cancellationToken).ConfigureAwait(false);
        if (!chart.Ok) return Outcome<CustomerEntry>.Fail(chart.Refusal, chart.Detail!);
        var number = (long)_customerCount + 1;
        var results = await CreateAccountsAsync(new[] { Chart.CustomerAccount(number) }, cancellationToken).ConfigureAwait(false);
        if (results[0] is not (CreateAccountResult.Created or CreateAccountResult.Exists))
            return Outcome<CustomerEntry>.Fail(Refusal.LedgerRejected, $"the ledger refused the deposit account: {results[0]}");
        var entry = AddCustomer(number, reference);
        Record(new JournalEntry { Kind = "customer", Reference = reference });
        return Outcome<CustomerEntry>.Success(entry);
    }

    private CustomerEntry AddCustomer(long number, string reference)
    {
        Grow(ref _customers, _customerCount + 1);
        var entry = new CustomerEntry(number, reference, Chart.Customer(number));
        _customers[_customerCount] = entry;
        _customerByReference[reference] = _customerCount;
        Volatile.Write(ref _customerCount, _customerCount + 1);
        return entry;
    }

    /// <summary>Cash in: settlement → the customer's deposit account (how customers fund repayments).</summary>
    public async Task<Outcome<long>> DepositAsync(string reference, long amount, CancellationToken cancellationToken)
    {
        if (amount <= 0) return Outcome<long>.Fail(Refusal.Invalid, "amount must be positive");
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!TryFindCustomer(reference, out var customer)) return Outcome<long>.Fail(Refusal.NotFound, $"no customer '{reference}'");
        var start = _transferSequence;
        var batch = Chain(0, [(Chart.Bank(BankAccount.Settlement), customer.Account, amount, LendingCodes.CustomerDeposit)]);
        Intend(new JournalEntry { Kind = "cash", Reference = reference, Amount = amount }, start);
        var (ok, first) = await PostLinkedAsync(batch, cancellationToken).ConfigureAwait(false);
        if (ok) Done();
        else Abort(start);
        return ok ? Outcome<long>.Success(amount) : Outcome<long>.Fail(RefusalFor(first), $"the ledger refused the deposit: {first}");
    }

    /// <summary>Cash out: the customer's deposit account → settlement; refused (nothing changed) beyond the funds.</summary>
    public async Task<Outcome<long>> WithdrawAsync(string reference, long amount, CancellationToken cancellationToken)
    {
        if (amount <= 0) return Outcome<long>.Fail(Refusal.Invalid, "amount must be positive");
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!TryFindCustomer(reference, out var customer)) return Outcome<long>.Fail(Refusal.NotFound, $"no customer '{reference}'");
        var start = _transferSequence;
        var batch = Chain(0, [(customer.Account, Chart.Bank(BankAccount.Settlement), amount, LendingCodes.CustomerWithdrawal)]);
        Intend(new JournalEntry { Kind = "cash", Reference = reference, Amount = -amount }, start);
        var (ok, first) = await PostLinkedAsync(batch, cancellationToken).ConfigureAwait(false);
        if (ok) Done();
        else Abort(start);
        return ok ? Outcome<long>.Success(amount) : Outcome<long>.Fail(RefusalFor(first), $"the ledger refused the withdrawal: {first}");
    }
}
