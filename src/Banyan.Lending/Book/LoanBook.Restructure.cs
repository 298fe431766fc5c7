using Banyan.Lending.Schedules;
using Banyan.Ledger;

namespace Banyan.Lending.Book;

internal sealed partial class LoanBook
{
    /// <summary>Months a loan rescheduled while in arrears stays at least substandard (decision 0505).</summary>
    public const int RestructuredObservationMonths = 12;
    public const int MaxRescheduleExtension = 120;

    /// <summary>
    /// A partial prepayment on <paramref name="date"/>: <paramref name="principal"/> off the balance,
    /// plus the running period's interest to the date and the product's prepayment fee on the
    /// principal; the rest is re-amortised over the same due dates (<see cref="PrepaymentMode.KeepTerm"/>)
    /// or at the same level until repaid (<see cref="PrepaymentMode.KeepInstalment"/>). One linked batch.
    /// Refused (nothing changed) in arrears, on a part-paid running instalment, or for the whole balance.
    /// </summary>
    public async Task<Outcome<PrepaymentResult>> PrepayAsync(long loanNumber, long principal, DateOnly date, PrepaymentMode mode, CancellationToken cancellationToken)
    {
        if (principal <= 0) return Outcome<PrepaymentResult>.Fail(Refusal.Invalid, "amount must be positive");
        if (!Enum.IsDefined(mode)) return Outcome<PrepaymentResult>.Fail(Refusal.Invalid, "mode must be keep_term or keep_instalment");
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var plan = PlanPrepayment(loanNumber, principal, date, mode);
        if (!plan.Ok) return Outcome<PrepaymentResult>.Fail(plan.Refusal, plan.Detail!);
        var (k, stub, rows, fee) = plan.Value;
        var loan = _loans[loanNumber - 1];
        var customer = _customers[loan.Customer].Account;
        var recognised = _instalments[loan.ScheduleOffset + k].InterestRecognised;
        var start = _transferSequence;
        var batch = Chain(loanNumber,
        [
            (customer, Chart.Loan(loanNumber, LoanAccount.InterestReceivable), recognised, LendingCodes.RepayInterest),
            (customer, Chart.Bank(BankAccount.InterestIncome), stub.Interest - recognised, LendingCodes.RepayInterest),
            (customer, Chart.Loan(loanNumber, LoanAccount.PrincipalReceivable), principal, LendingCodes.Prepayment),
            (customer, Chart.Bank(BankAccount.FeeIncome), fee, LendingCodes.SettlementFee),
        ]);
        Intend(new JournalEntry { Kind = "prepay", Loan = loanNumber, Amount = principal, Date = date, Mode = mode == PrepaymentMode.KeepTerm ? "keep_term" : "keep_instalment" }, start);
        var (ok, first) = await PostLinkedAsync(batch, cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            Abort(start);
            return Outcome<PrepaymentResult>.Fail(RefusalFor(first), $"the ledger refused the prepayment: {first}");
        }
        ref var stored = ref _loans[loanNumber - 1];
        stored.PrincipalOutstanding -= principal;
        stored.InterestReceivable -= recognised;
        ReplaceSchedule(ref stored, k, [stub, .. rows]);
        RealignReset(ref stored, date);
        Log(new LoanEvent(loanNumber, date, "prepayment", principal, stub.Interest, 0, fee, 0));
        Done();
        return Outcome<PrepaymentResult>.Success(new PrepaymentResult(principal, stub.Interest, fee, rows.Length, rows[0].Principal + rows[0].Interest));
    }

    private Outcome<(int K, InstalmentState Stub, InstalmentState[] Rows, long Fee)> PlanPrepayment(long loanNumber, long principal, DateOnly date, PrepaymentMode mode)
    {
        static Outcome<(int, InstalmentState, InstalmentState[], long)> Fail(Refusal r, string d) => Outcome<(int, InstalmentState, InstalmentState[], long)>.Fail(r, d);
        if (!TryGetLoan(loanNumber, out var loan)) return Fail(Refusal.NotFound, $"no loan {loanNumber}");
        if (loan.Status != LoanStatus.Active) return Fail(Refusal.WrongState, $"loan {loanNumber} is {loan.Status}");
        if (date < loan.LastClosed) return Fail(Refusal.Invalid, $"date is before the loan's disbursement or last close ({loan.LastClosed:yyyy-MM-dd})");
        var schedule = _instalments.AsSpan(loan.ScheduleOffset, loan.ScheduleCount);
        var k = loan.NextUnpaid;
        var row = schedule[k];
        if (row.Due <= date || loan.PenaltyRecognised > loan.PenaltyPaid) return Fail(Refusal.WrongState, $"loan {loanNumber} has amounts due by {date:yyyy-MM-dd}; repay them first");
        if (row.PrincipalPaid > 0 || row.InterestPaid > 0) return Fail(Refusal.Invalid, "the running instalment is part-paid; pay it in full first");
        if (date < row.Start) return Fail(Refusal.Invalid, $"a prepayment falls in the running period (from {row.Start:yyyy-MM-dd})");
        if (principal >= loan.PrincipalOutstanding) return Fail(Refusal.Invalid, $"the whole balance ({loan.PrincipalOutstanding}) is repaid by an early settlement");
        var product = _productList[loan.Product];
        if (mode == PrepaymentMode.KeepInstalment && product.Amortization == Amortization.InterestOnly) return Fail(Refusal.Invalid, "keep_instalment needs an amortising loan");
        var interest = InterestTo(row, loan.AnnualRate, loan.DayCount, date);
        if (interest < row.InterestRecognised) throw new InvalidOperationException("Recognised interest exceeds the interest to the prepayment date.");
        var stub = new InstalmentState { Start = row.Start, Due = date, Opening = row.Opening, Principal = principal, Interest = interest, PrincipalPaid = principal, InterestPaid = interest, InterestRecognised = interest };
        var dues = new DateOnly[schedule.Length - k];
        for (var j = k; j < schedule.Length; j++) dues[j - k] = schedule[j].Due;
        long? level = mode == PrepaymentMode.KeepTerm ? null
            : ScheduleCalculator.LevelPrincipalOrPayment(new ScheduleTerms(row.Opening, loan.AnnualRate, row.Start, dues.Length, product.Frequency, product.Amortization, loan.DayCount));
        var rows = Reamortisation.Build(loan.PrincipalOutstanding - principal, loan.AnnualRate, loan.DayCount, product.Amortization, product.Frequency, date, dues, level);
        var fee = Money.RoundHalfUp(principal * product.PrepaymentFeeRate);
        return Outcome<(int, InstalmentState, InstalmentState[], long)>.Success((k, stub, ToStates(rows), fee));
    }

    /// <summary>
    /// Reschedules the loan as of its last close date: unpaid recognised interest is capitalised
    /// (interest receivable → principal receivable, one linked batch), and the balance is
    /// re-amortised over the remaining due dates plus <paramref name="extraInstalments"/> more, at
    /// <paramref name="newRate"/> if given. A loan in arrears becomes "restructured": at least
    /// substandard for <see cref="RestructuredObservationMonths"/> months (decision 0505).
    /// </summary>
    public async Task<Outcome<RescheduleResult>> RescheduleAsync(long loanNumber, DateOnly date, int extraInstalments, decimal? newRate, CancellationToken cancellationToken)
    {
        if (extraInstalments is < 0 or > MaxRescheduleExtension) return Outcome<RescheduleResult>.Fail(Refusal.Invalid, $"extra_instalments must be between 0 and {MaxRescheduleExtension}");
        if (newRate is < 0m or > 1m) return Outcome<RescheduleResult>.Fail(Refusal.Invalid, "annual_rate must be between 0 and 1");
        if (extraInstalments == 0 && newRate is null) return Outcome<RescheduleResult>.Fail(Refusal.Invalid, "nothing to change: give extra_instalments or annual_rate");
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var plan = PlanReschedule(loanNumber, date, extraInstalments, newRate);
        if (!plan.Ok) return Outcome<RescheduleResult>.Fail(plan.Refusal, plan.Detail!);
        var (k, tail, capitalised, rate) = plan.Value;
        var start = _transferSequence;
        var batch = Chain(loanNumber, [(Chart.Loan(loanNumber, LoanAccount.PrincipalReceivable), Chart.Loan(loanNumber, LoanAccount.InterestReceivable), capitalised, LendingCodes.InterestCapitalised)]);
        Intend(new JournalEntry { Kind = "reschedule", Loan = loanNumber, Date = date, Instalments = extraInstalments, Rate = newRate }, start);
        var (ok, first) = await PostLinkedAsync(batch, cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            Abort(start);
            return Outcome<RescheduleResult>.Fail(RefusalFor(first), $"the ledger refused the rescheduling: {first}");
        }
        ref var stored = ref _loans[loanNumber - 1];
        stored.PrincipalOutstanding += capitalised;
        stored.InterestReceivable -= capitalised;
        stored.AnnualRate = rate;
        if (stored.DaysPastDue > 0) stored.ObservationUntil = date.AddMonths(RestructuredObservationMonths);
        var left = tail.Length - (tail[0].Due == date ? 1 : 0);
        ReplaceSchedule(ref stored, k, tail);
        RealignReset(ref stored, date);
        Log(new LoanEvent(loanNumber, date, "reschedule", 0, 0, 0, 0, capitalised));
        Done();
        return Outcome<RescheduleResult>.Success(new RescheduleResult(capitalised, stored.PrincipalOutstanding, rate, left, stored.ObservationUntil));
    }

    private Outcome<(int K, InstalmentState[] Tail, long Capitalised, decimal Rate)> PlanReschedule(long loanNumber, DateOnly date, int extra, decimal? newRate)
    {
        static Outcome<(int, InstalmentState[], long, decimal)> Fail(Refusal r, string d) => Outcome<(int, InstalmentState[], long, decimal)>.Fail(r, d);
        if (!TryGetLoan(loanNumber, out var loan)) return Fail(Refusal.NotFound, $"no loan {loanNumber}");
        if (loan.Status != LoanStatus.Active) return Fail(Refusal.WrongState, $"loan {loanNumber} is {loan.Status}");
        if (date != loan.LastClosed) return Fail(Refusal.Invalid, $"a rescheduling is dated the loan's last close ({loan.LastClosed:yyyy-MM-dd}); close the day first");
        var product = _productList[loan.Product];
        var schedule = _instalments.AsSpan(loan.ScheduleOffset, loan.ScheduleCount);
        var k = loan.NextUnpaid;
        long capitalised = 0, paidPrincipal = 0, paidInterest = 0;
        var dues = new List<DateOnly>();
        for (var j = k; j < schedule.Length; j++)
        {
            capitalised += schedule[j].InterestRecognised - schedule[j].InterestPaid;
            paidPrincipal += schedule[j].PrincipalPaid;
            paidInterest += schedule[j].InterestPaid;
            if (schedule[j].Due > date) dues.Add(schedule[j].Due);
        }
        if (capitalised != loan.InterestReceivable - (loan.PenaltyRecognised - loan.PenaltyPaid)) throw new InvalidOperationException("Unpaid recognised interest does not match the interest receivable.");
        AddDueDates(dues, loan.Disbursement, schedule[^1].Due, product.Frequency, extra);
        if (dues.Count == 0) return Fail(Refusal.Invalid, "every instalment is due: give extra_instalments");
        var rate = newRate ?? loan.AnnualRate;
        var rows = Reamortisation.Build(loan.PrincipalOutstanding + capitalised, rate, loan.DayCount, product.Amortization, product.Frequency, date, dues, keepLevel: null);
        var tail = new List<InstalmentState>(rows.Length + 1);
        if (paidPrincipal + paidInterest + capitalised > 0)
        {
            // The replaced instalments collapse into one settled row: what was paid, and the interest capitalised.
            var interest = paidInterest + capitalised;
            tail.Add(new InstalmentState { Start = Min(schedule[k].Start, date), Due = date, Opening = schedule[k].Opening, Principal = paidPrincipal, Interest = interest, PrincipalPaid = paidPrincipal, InterestPaid = interest, InterestRecognised = interest });
        }
        tail.AddRange(ToStates(rows));
        return Outcome<(int, InstalmentState[], long, decimal)>.Success((k, [.. tail], capitalised, rate));
    }

    /// <summary>
    /// A floating loan's next reset after its schedule was rebuilt: the first instalment starting
    /// after the date (the rows' indices moved). A rate given at a rescheduling lasts until then.
    /// </summary>
    private void RealignReset(ref LoanState loan, DateOnly date)
    {
        if (loan.NextReset == 0) return;
        var schedule = _instalments.AsSpan(loan.ScheduleOffset, loan.ScheduleCount);
        var k = 0;
        while (k < schedule.Length && schedule[k].Start <= date) k++;
        loan.NextReset = Math.Max(1, k);
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    /// <summary>Appends <paramref name="extra"/> due dates after <paramref name="last"/>, anchored on the disbursement day (no month-end drift).</summary>
    private static void AddDueDates(List<DateOnly> dues, DateOnly anchor, DateOnly last, Frequency frequency, int extra)
    {
        var added = 0;
        for (var m = 1; added < extra && m <= ScheduleTerms.MaxInstalments + MaxRescheduleExtension; m++)
        {
            var due = anchor.AddMonths(m * (int)frequency);
            if (due <= last) continue;
            dues.Add(due);
            added++;
        }
    }

    private static InstalmentState[] ToStates(Instalment[] rows)
    {
        var states = new InstalmentState[rows.Length];
        for (var i = 0; i < rows.Length; i++)
            states[i] = new InstalmentState { Start = rows[i].PeriodStart, Due = rows[i].DueDate, Opening = rows[i].Opening, Principal = rows[i].Principal, Interest = rows[i].Interest };
        return states;
    }

    /// <summary>
    /// Replaces the loan's instalments from index <paramref name="keep"/> on: the kept history and the
    /// new tail are appended to the flat array (the old rows stay as unreferenced space — rare steps).
    /// </summary>
    private void ReplaceSchedule(ref LoanState loan, int keep, ReadOnlySpan<InstalmentState> tail)
    {
        var count = keep + tail.Length;
        if (count > ScheduleTerms.MaxInstalments + MaxRescheduleExtension + 2) throw new InvalidOperationException("A schedule grew beyond its limit.");
        Grow(ref _instalments, _instalmentCount + count);
        Array.Copy(_instalments, loan.ScheduleOffset, _instalments, _instalmentCount, keep);
        tail.CopyTo(_instalments.AsSpan(_instalmentCount + keep));
        loan.ScheduleOffset = _instalmentCount;
        loan.ScheduleCount = count;
        _instalmentCount += count;
        var schedule = _instalments.AsSpan(loan.ScheduleOffset, count);
        loan.NextUnpaid = 0;
        while (loan.NextUnpaid < count && schedule[loan.NextUnpaid].Unpaid == 0) loan.NextUnpaid++;
        loan.LateFeeIndex = Math.Max(loan.NextUnpaid, Math.Min(loan.LateFeeIndex, keep));
        loan.AccrualIndex = 0;
        while (loan.AccrualIndex < count && schedule[loan.AccrualIndex].InterestRecognised == schedule[loan.AccrualIndex].Interest && schedule[loan.AccrualIndex].Unpaid == 0) loan.AccrualIndex++;
    }
}
