using Banyan.Lending.Schedules;
using Banyan.Ledger;

namespace Banyan.Lending.Book;

internal sealed partial class LoanBook
{
    /// <summary>
    /// Opens many customers at once (demo data, benchmark): deposit accounts in batches of 8,190.
    /// References that exist are skipped.
    /// </summary>
    public async Task OpenCustomersAsync(IReadOnlyList<string> references, CancellationToken cancellationToken)
    {
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var chart = await EnsureChartAsync(cancellationToken).ConfigureAwait(false);
        if (!chart.Ok) throw new InvalidOperationException(chart.Detail);
        var fresh = references.Distinct(StringComparer.Ordinal).Where(r => !_customerByReference.ContainsKey(r)).ToList();
        if (_customerCount + fresh.Count > MaxCustomers) throw new ArgumentException("too many customers", nameof(references));
        foreach (var chunk in fresh.Chunk(LedgerEngine.MaxBatchEvents))
        {
            var accounts = new Account[chunk.Length];
            for (var i = 0; i < chunk.Length; i++) accounts[i] = Chart.CustomerAccount(_customerCount + i + 1L);
            var results = await CreateAccountsAsync(accounts, cancellationToken).ConfigureAwait(false);
            if (results.Any(r => r is not (CreateAccountResult.Created or CreateAccountResult.Exists)))
                throw new InvalidOperationException("the ledger refused a customer account");
            foreach (var reference in chunk)
            {
                AddCustomer(_customerCount + 1L, reference);
                Record(new JournalEntry { Kind = "customer", Reference = reference }, sync: false);
            }
        }
        SyncJournal();
    }

    /// <summary>
    /// Disburses many approved applications (demo data, benchmark): accounts and transfers in ledger
    /// batches; each disbursement is its own transfer and its loan is booked only if it was created.
    /// Returns how many were disbursed.
    /// </summary>
    public async Task<int> DisburseManyAsync(IReadOnlyList<LoanApplication> applications, CancellationToken cancellationToken)
    {
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var chart = await EnsureChartAsync(cancellationToken).ConfigureAwait(false);
        if (!chart.Ok) throw new InvalidOperationException(chart.Detail);
        var disbursed = 0;
        foreach (var chunk in applications.Chunk(LedgerEngine.MaxBatchEvents / 2))
            disbursed += await DisburseChunkAsync(chunk, cancellationToken).ConfigureAwait(false);
        SyncJournal();
        return disbursed;
    }

    private async Task<int> DisburseChunkAsync(LoanApplication[] chunk, CancellationToken cancellationToken)
    {
        var plans = new (int Customer, int Product, Instalment[] Schedule)[chunk.Length];
        var accounts = new Account[chunk.Length * 2];
        var transfers = new Transfer[chunk.Length];
        for (var i = 0; i < chunk.Length; i++)
        {
            var plan = PlanDisbursement(chunk[i]);
            if (!plan.Ok) throw new ArgumentException($"application {i}: {plan.Detail}", nameof(chunk));
            if (_productList[plan.Value.Product].OriginationFeeRate > 0m) throw new ArgumentException($"application {i}: products with an origination fee are disbursed one by one", nameof(chunk));
            plans[i] = plan.Value;
            var number = _loanCount + i + 1L;
            Chart.LoanAccounts(number, accounts.AsSpan(2 * i, 2));
            IntendLoan(chunk[i], _transferSequence, sync: false);
            transfers[i] = Chart.Posting(NextTransfer(), Chart.Loan(number, LoanAccount.PrincipalReceivable), _customers[plan.Value.Customer].Account, chunk[i].Principal, LendingCodes.Disbursement, number, linked: false);
        }
        var created = await CreateAccountsAsync(accounts, cancellationToken).ConfigureAwait(false);
        if (created.Any(r => r is not (CreateAccountResult.Created or CreateAccountResult.Exists)))
            throw new InvalidOperationException("the ledger refused a loan account");
        SyncJournal();
        var results = await CreateTransfersAsync(transfers, cancellationToken).ConfigureAwait(false);
        // Loan numbers must stay dense: stop at the first refusal (later ones would hold the wrong accounts).
        var booked = 0;
        for (var i = 0; i < chunk.Length && results[i] == CreateTransferResult.Created; i++, booked++)
        {
            AppendLoan(_loanCount + 1L, plans[i].Customer, plans[i].Product, chunk[i], plans[i].Schedule);
        }
        // Refused ones (and any after the first refusal) are dropped from the journal; see decision 0504 for the caveat.
        for (var i = booked; i < chunk.Length; i++) Abort(StartOf(transfers[i]));
        Done();
        if (booked < chunk.Length) throw new InvalidOperationException($"the ledger refused disbursement {booked}: {results[booked]}");
        return booked;
    }
}

internal sealed partial class LoanBook
{
    /// <summary>
    /// A collection run (e.g. a direct-debit file): many repayments dated <paramref name="date"/>, each
    /// loan's repayment its own linked chain, up to 8,190 transfers per ledger request. A refused
    /// repayment changes nothing and does not stop the others. Returns the loans that were repaid.
    /// </summary>
    public async Task<List<long>> RepayManyAsync(IReadOnlyList<(long Loan, long Amount)> repayments, DateOnly date, CancellationToken cancellationToken)
    {
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var repaid = new List<long>();
        foreach (var chunk in repayments.Chunk(LedgerEngine.MaxBatchEvents / 4))
        {
            var chains = new List<(long Loan, long Amount, int From, int Count)>(chunk.Length);
            var batch = new List<Transfer>(chunk.Length * 4);
            foreach (var (number, amount) in chunk)
            {
                if (!TryGetLoan(number, out var loan) || loan.Status != LoanStatus.Active || amount <= 0 || date < loan.LastClosed) continue;
                var legs = Allocate(ref loan, date, amount, apply: false);
                if (legs.Unallocated > 0) continue;
                var start = _transferSequence;
                var chain = RepaymentChain(number, loan, legs);
                Intend(new JournalEntry { Kind = "repay", Loan = number, Amount = amount, Date = date }, start, sync: false);
                chains.Add((number, amount, batch.Count, chain.Length));
                batch.AddRange(chain);
            }
            SyncJournal();
            var results = batch.Count == 0 ? [] : await CreateTransfersAsync(batch.ToArray(), cancellationToken).ConfigureAwait(false);
            foreach (var (number, amount, from, count) in chains)
            {
                if (results.AsSpan(from, count).ContainsAnyExcept(CreateTransferResult.Created))
                {
                    Abort(StartOf(batch[from]));
                    continue;
                }
                var applied = Allocate(ref _loans[number - 1], date, amount, apply: true).Allocation;
                Log(new LoanEvent(number, date, "repayment", applied.Principal, applied.Interest, applied.Penalty, 0, 0));
                repaid.Add(number);
            }
            Done();
        }
        SyncJournal();
        return repaid;
    }

    /// <summary>Penalty plus everything unpaid of instalments due by <paramref name="date"/> (what clears the arrears).</summary>
    public long ArrearsDue(long loanNumber, DateOnly date)
    {
        if (!TryGetLoan(loanNumber, out var loan) || loan.Status != LoanStatus.Active) return 0;
        var due = loan.PenaltyRecognised - loan.PenaltyPaid;
        foreach (var row in _instalments.AsSpan(loan.ScheduleOffset + loan.NextUnpaid, loan.ScheduleCount - loan.NextUnpaid))
        {
            if (row.Due > date) break;
            due += row.Unpaid;
        }
        return due;
    }
}
