using Banyan.Lending.Contracts;
using Banyan.Lending.Schedules;
using Banyan.Ledger;

namespace Banyan.Lending.Book;

/// <summary>An approved application: who, which product, how much, over how many instalments, from when.</summary>
internal readonly record struct LoanApplication(string CustomerReference, string ProductCode, long Principal, int Instalments, DateOnly Start, string? ApplicationId = null);

internal sealed partial class LoanBook
{
    /// <summary>
    /// Disburses an approved application: the loan's two accounts are created, then one transfer
    /// moves the principal from the loan asset to the customer's deposit account. The loan number is
    /// taken only on success; accounts created before a refused transfer stay empty and are reused by
    /// the next loan (their ids depend on the loan number only).
    /// </summary>
    public async Task<Outcome<long>> DisburseAsync(LoanApplication application, CancellationToken cancellationToken)
    {
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var plan = PlanDisbursement(application);
        if (!plan.Ok) return Outcome<long>.Fail(plan.Refusal, plan.Detail!);
        var chart = await EnsureChartAsync(cancellationToken).ConfigureAwait(false);
        if (!chart.Ok) return Outcome<long>.Fail(chart.Refusal, chart.Detail!);
        var (customer, productIndex, schedule) = plan.Value;
        var number = (long)_loanCount + 1;
        var accounts = new Account[2];
        Chart.LoanAccounts(number, accounts);
        var created = await CreateAccountsAsync(accounts, cancellationToken).ConfigureAwait(false);
        if (created.Any(r => r is not (CreateAccountResult.Created or CreateAccountResult.Exists)))
            return Outcome<long>.Fail(Refusal.LedgerRejected, $"the ledger refused the loan accounts: {created[0]}");
        var start = _transferSequence;
        var product = _productList[productIndex];
        var fee = product.OriginationFee(application.Principal);
        var principalAccount = Chart.Loan(number, LoanAccount.PrincipalReceivable);
        // Deducted: the borrower pays the fee out of the money received. Financed: the loan asset carries it.
        var feeFrom = product.OriginationFeeFinanced ? principalAccount : _customers[customer].Account;
        var batch = Chain(number,
        [
            (principalAccount, _customers[customer].Account, application.Principal, LendingCodes.Disbursement),
            (feeFrom, Chart.Bank(BankAccount.FeeIncome), fee, LendingCodes.OriginationFee),
        ]);
        IntendLoan(application, start);
        var (ok, first) = await PostLinkedAsync(batch, cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            Abort(start);
            return Outcome<long>.Fail(RefusalFor(first), $"the ledger refused the disbursement: {first}");
        }
        AppendLoan(number, customer, productIndex, application, schedule);
        Done();
        return Outcome<long>.Success(number);
    }

    private Outcome<(int Customer, int Product, Instalment[] Schedule)> PlanDisbursement(LoanApplication application)
    {
        if (!_customerByReference.TryGetValue(application.CustomerReference ?? "", out var customer))
            return Outcome<(int, int, Instalment[])>.Fail(Refusal.NotFound, $"no customer '{application.CustomerReference}'");
        var productIndex = _productList.FindIndex(p => p.Code == application.ProductCode);
        if (productIndex < 0) return Outcome<(int, int, Instalment[])>.Fail(Refusal.NotFound, $"no product '{application.ProductCode}'");
        var product = _productList[productIndex];
        if (application.Principal <= 0 || application.Principal > product.MaxPrincipal)
            return Outcome<(int, int, Instalment[])>.Fail(Refusal.Invalid, $"principal must be between 1 and {product.MaxPrincipal}");
        if (application.Instalments < product.MinInstalments || application.Instalments > product.MaxInstalments)
            return Outcome<(int, int, Instalment[])>.Fail(Refusal.Invalid, $"instalments must be between {product.MinInstalments} and {product.MaxInstalments}");
        if (application.ApplicationId is { } applicationId && _loanByApplication.TryGetValue(applicationId, out var booked))
            return Outcome<(int, int, Instalment[])>.Fail(Refusal.WrongState, $"application '{applicationId}' is already booked as loan {booked}");
        if (_loanCount >= MaxLoans) return Outcome<(int, int, Instalment[])>.Fail(Refusal.Invalid, "the book holds no more loans");
        var rate = RateAt(product, application.Start);
        if (rate is null) return Outcome<(int, int, Instalment[])>.Fail(Refusal.Invalid, $"no {product.Benchmark} rate is effective on {application.Start:yyyy-MM-dd}, or benchmark + spread is negative");
        var terms = TermsFor(product, application) with { AnnualRate = rate.Value };
        var error = terms.Validate();
        if (error is not null) return Outcome<(int, int, Instalment[])>.Fail(Refusal.Invalid, error);
        return Outcome<(int, int, Instalment[])>.Success((customer, productIndex, ScheduleCalculator.Build(terms)));
    }

    private void IntendLoan(LoanApplication a, long start, bool sync = true) =>
        Intend(new JournalEntry { Kind = "loan", Reference = a.CustomerReference, ProductCode = a.ProductCode, Amount = a.Principal, Instalments = a.Instalments, Date = a.Start, Application = a.ApplicationId }, start, sync);

    internal static ScheduleTerms TermsFor(Product product, LoanApplication application) =>
        new(application.Principal + (product.OriginationFeeFinanced ? product.OriginationFee(application.Principal) : 0), product.AnnualRate, application.Start, application.Instalments, product.Frequency,
            product.Amortization, product.DayCount, Math.Min(product.GraceInstalments, application.Instalments - 1));

    /// <summary>Appends a disbursed loan to the flat arrays (amortised growth; no per-loan objects kept).</summary>
    private void AppendLoan(long number, int customer, int productIndex, LoanApplication application, Instalment[] schedule)
    {
        Grow(ref _instalments, _instalmentCount + schedule.Length);
        for (var i = 0; i < schedule.Length; i++)
        {
            var row = schedule[i];
            _instalments[_instalmentCount + i] = new InstalmentState
            {
                Start = row.PeriodStart, Due = row.DueDate, Opening = row.Opening, Principal = row.Principal, Interest = row.Interest,
            };
        }
        var product = _productList[productIndex];
        if (application.ApplicationId is { } applicationId) _loanByApplication[applicationId] = number;
        Grow(ref _loans, _loanCount + 1);
        _loans[_loanCount] = new LoanState
        {
            Number = number, Customer = customer, Product = productIndex,
            ScheduleOffset = _instalmentCount, ScheduleCount = schedule.Length,
            Disbursed = schedule[0].Opening, PrincipalOutstanding = schedule[0].Opening,
            AnnualRate = RateAt(product, application.Start) ?? throw new InvalidOperationException("A planned loan lost its rate."), PenaltyRate = product.PenaltyRate, DayCount = product.DayCount,
            Status = LoanStatus.Active, Category = LoanCategory.Normal,
            Disbursement = application.Start, LastClosed = application.Start,
            OriginationFee = product.OriginationFee(application.Principal),
        };
        _instalmentCount += schedule.Length;
        if (product.Floating)
        {
            _loans[_loanCount].NextReset = product.RepriceEveryInstalments;
            _floating.Add(number);
        }
        Volatile.Write(ref _loanCount, _loanCount + 1);
    }
}
