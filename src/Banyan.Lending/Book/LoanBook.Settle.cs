using Banyan.Lending.Schedules;

namespace Banyan.Lending.Book;

internal sealed partial class LoanBook
{
    /// <summary>
    /// What closes the loan on <paramref name="date"/>: outstanding principal, interest owed to the
    /// date (instalments due in full; the running period by day count to the date, rounded half-up),
    /// unpaid penalty, and the product's prepayment fee on the outstanding principal.
    /// </summary>
    public Outcome<SettlementQuote> Quote(long loanNumber, DateOnly date)
    {
        if (!TryGetLoan(loanNumber, out var loan)) return Outcome<SettlementQuote>.Fail(Refusal.NotFound, $"no loan {loanNumber}");
        if (loan.Status != LoanStatus.Active) return Outcome<SettlementQuote>.Fail(Refusal.WrongState, $"loan {loanNumber} is {loan.Status}");
        if (date < loan.LastClosed) return Outcome<SettlementQuote>.Fail(Refusal.Invalid, $"date is before the loan's disbursement or last close ({loan.LastClosed:yyyy-MM-dd})");
        long interest = 0;
        var schedule = _instalments.AsSpan(loan.ScheduleOffset, loan.ScheduleCount);
        for (var k = loan.NextUnpaid; k < schedule.Length && schedule[k].Start < date; k++)
        {
            var owed = InterestTo(schedule[k], loan.AnnualRate, loan.DayCount, date);
            interest += Math.Max(0, owed - schedule[k].InterestPaid);
        }
        var fee = Money.RoundHalfUp(loan.PrincipalOutstanding * _productList[loan.Product].PrepaymentFeeRate);
        return Outcome<SettlementQuote>.Success(new SettlementQuote(loanNumber, date, loan.PrincipalOutstanding, interest, loan.PenaltyRecognised - loan.PenaltyPaid, fee));
    }

    /// <summary>Interest of an instalment recognisable by <paramref name="date"/>: all of it once due, else accrued by day count.</summary>
    internal static long InterestTo(in InstalmentState row, decimal rate, DayCount dayCount, DateOnly date) =>
        row.Due <= date ? row.Interest : Math.Min(row.Interest, Money.Interest(row.Opening, rate, dayCount, row.Start, date));

    /// <summary>
    /// Settles the loan early at the quote for <paramref name="date"/>; <paramref name="expectedTotal"/>
    /// must equal the quote (so a client pays what it was shown). One linked batch: principal,
    /// receivable interest and penalty, the interest not yet recognised, the fee, and the release of
    /// the loan's provision.
    /// </summary>
    public async Task<Outcome<SettlementQuote>> SettleAsync(long loanNumber, DateOnly date, long expectedTotal, CancellationToken cancellationToken)
    {
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var quoted = Quote(loanNumber, date);
        if (!quoted.Ok) return quoted;
        var quote = quoted.Value;
        if (quote.Total != expectedTotal)
            return Outcome<SettlementQuote>.Fail(Refusal.Invalid, $"the settlement amount on {date:yyyy-MM-dd} is {quote.Total}, not {expectedTotal}");
        var loan = _loans[loanNumber - 1];
        var customer = _customers[loan.Customer].Account;
        var receivable = loan.InterestReceivable;
        var direct = quote.Interest + quote.Penalty - receivable;
        if (direct < 0) throw new InvalidOperationException("Receivable interest exceeds the interest owed at settlement.");
        var start = _transferSequence;
        var batch = Chain(loanNumber,
        [
            (customer, Chart.Loan(loanNumber, LoanAccount.InterestReceivable), receivable, LendingCodes.RepayInterest),
            (customer, Chart.Bank(BankAccount.InterestIncome), direct, LendingCodes.RepayInterest),
            (customer, Chart.Loan(loanNumber, LoanAccount.PrincipalReceivable), quote.Principal, LendingCodes.RepayPrincipal),
            (customer, Chart.Bank(BankAccount.FeeIncome), quote.Fee, LendingCodes.SettlementFee),
            (Chart.Bank(BankAccount.LoanLossReserve), Chart.Bank(BankAccount.ProvisionExpense), loan.ProvisionHeld, LendingCodes.ProvisionRelease),
        ]);
        Intend(new JournalEntry { Kind = "settle", Loan = loanNumber, Amount = expectedTotal, Date = date }, start);
        var (ok, first) = await PostLinkedAsync(batch, cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            Abort(start);
            return Outcome<SettlementQuote>.Fail(RefusalFor(first), $"the ledger refused the settlement: {first}");
        }
        CloseOut(ref _loans[loanNumber - 1], LoanStatus.Settled);
        Log(new LoanEvent(loanNumber, date, "settlement", quote.Principal, quote.Interest, quote.Penalty, quote.Fee, 0));
        Done();
        return Outcome<SettlementQuote>.Success(quote);
    }

    /// <summary>Marks everything owed as dealt with; the loan leaves the close.</summary>
    private void CloseOut(ref LoanState loan, LoanStatus status)
    {
        var schedule = _instalments.AsSpan(loan.ScheduleOffset, loan.ScheduleCount);
        for (var k = loan.NextUnpaid; k < schedule.Length; k++) schedule[k].PrincipalPaid = schedule[k].Principal;
        loan.NextUnpaid = schedule.Length;
        loan.PrincipalOutstanding = 0;
        loan.InterestReceivable = 0;
        loan.PenaltyPaid = loan.PenaltyRecognised;
        loan.ProvisionHeld = 0;
        loan.DaysPastDue = 0;
        loan.Status = status;
    }

    /// <summary>
    /// Writes the loan off: the reserve absorbs principal and receivable interest, topped up from
    /// provision expense first if the loan's provision is short. One linked batch.
    /// </summary>
    public async Task<Outcome<long>> WriteOffAsync(long loanNumber, CancellationToken cancellationToken)
    {
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!TryGetLoan(loanNumber, out var current)) return Outcome<long>.Fail(Refusal.NotFound, $"no loan {loanNumber}");
        if (current.Status != LoanStatus.Active) return Outcome<long>.Fail(Refusal.WrongState, $"loan {loanNumber} is {current.Status}");
        var loan = current;
        var exposure = loan.Exposure;
        var reserve = Chart.Bank(BankAccount.LoanLossReserve);
        var start = _transferSequence;
        var batch = Chain(loanNumber,
        [
            (Chart.Bank(BankAccount.ProvisionExpense), reserve, exposure - loan.ProvisionHeld, LendingCodes.ProvisionCharge),
            (reserve, Chart.Bank(BankAccount.ProvisionExpense), loan.ProvisionHeld - exposure, LendingCodes.ProvisionRelease),
            (reserve, Chart.Loan(loanNumber, LoanAccount.PrincipalReceivable), loan.PrincipalOutstanding, LendingCodes.WriteOff),
            (reserve, Chart.Loan(loanNumber, LoanAccount.InterestReceivable), loan.InterestReceivable, LendingCodes.WriteOff),
        ]);
        Intend(new JournalEntry { Kind = "writeoff", Loan = loanNumber }, start);
        var (ok, first) = await PostLinkedAsync(batch, cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            Abort(start);
            return Outcome<long>.Fail(RefusalFor(first), $"the ledger refused the write-off: {first}");
        }
        _loans[loanNumber - 1].WrittenOff = exposure;
        Log(new LoanEvent(loanNumber, loan.LastClosed, "writeoff", loan.PrincipalOutstanding, loan.InterestReceivable, 0, 0, 0));
        CloseOut(ref _loans[loanNumber - 1], LoanStatus.WrittenOff);
        Done();
        return Outcome<long>.Success(exposure);
    }

    /// <summary>Cash recovered on a written-off loan: customer → provision expense (a reversal of the loss), up to what was written off.</summary>
    public async Task<Outcome<long>> RecoverAsync(long loanNumber, long amount, CancellationToken cancellationToken)
    {
        if (amount <= 0) return Outcome<long>.Fail(Refusal.Invalid, "amount must be positive");
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!TryGetLoan(loanNumber, out var current)) return Outcome<long>.Fail(Refusal.NotFound, $"no loan {loanNumber}");
        if (current.Status != LoanStatus.WrittenOff) return Outcome<long>.Fail(Refusal.WrongState, $"loan {loanNumber} is {current.Status}, not written off");
        if (amount > current.WrittenOff - current.Recovered)
            return Outcome<long>.Fail(Refusal.Invalid, $"at most {current.WrittenOff - current.Recovered} remains to recover");
        var start = _transferSequence;
        var batch = Chain(loanNumber, [(_customers[current.Customer].Account, Chart.Bank(BankAccount.ProvisionExpense), amount, LendingCodes.Recovery)]);
        Intend(new JournalEntry { Kind = "recover", Loan = loanNumber, Amount = amount }, start);
        var (ok, first) = await PostLinkedAsync(batch, cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            Abort(start);
            return Outcome<long>.Fail(RefusalFor(first), $"the ledger refused the recovery: {first}");
        }
        _loans[loanNumber - 1].Recovered += amount;
        Done();
        return Outcome<long>.Success(amount);
    }
}
