using Banyan.Lending.Close;
using Banyan.Lending.Contracts;
using Banyan.Lending.Schedules;
using Banyan.Ledger;

namespace Banyan.Lending.Book;

/// <summary>What one daily close did.</summary>
internal sealed record CloseSummary(
    DateOnly Date,
    int LoansClosed,
    long InterestAccrued,
    long PenaltyAccrued,
    long ProvisionCharged,
    long ProvisionReleased,
    int[] ByCategory,
    int Batches);

/// <summary>The per-loan outcome of the close for one date.</summary>
internal readonly record struct CloseStep(long Accrual, long Penalty, long ProvisionDelta, bool Closed);

internal sealed partial class LoanBook
{
    /// <summary>Loans per ledger batch: two transfers each (accrual, penalty) plus two provision legs per chunk.</summary>
    internal const int LoansPerChunk = (LedgerEngine.MaxBatchEvents - 2) / 2;

    /// <summary>
    /// The daily close for <paramref name="date"/>: interest accrual, due/overdue detection, penalty
    /// interest, classification and provisions, over every loan in chunks of
    /// <see cref="LoansPerChunk"/>. Each chunk is one linked ledger batch and changes the book only if
    /// the ledger accepted it; the next chunk is computed while the previous one is being written.
    /// A loan already closed for the date is skipped, so a close that stopped part-way can be rerun.
    /// </summary>
    public async Task<CloseSummary> CloseDayAsync(DateOnly date, CancellationToken cancellationToken)
    {
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        if (LastCloseDate is { } last && date < last) throw new ArgumentException($"the book was closed for {last:yyyy-MM-dd}; a close cannot go back", nameof(date));
        var chart = await EnsureChartAsync(cancellationToken).ConfigureAwait(false);
        if (!chart.Ok) throw new InvalidOperationException(chart.Detail);
        var totals = new CloseTotals(date);
        RepriceFloating(date);
        Intend(new JournalEntry { Kind = "close", Date = date }, _transferSequence);
        Transfer[][] buffers = [new Transfer[LedgerEngine.MaxBatchEvents], new Transfer[LedgerEngine.MaxBatchEvents]];
        (Task<CreateTransferResult[]> Task, int From, int To)? inFlight = null;
        Exception? failure = null;
        var loans = _loanCount;
        for (int from = 0, chunk = 0; from < loans && failure is null; from += LoansPerChunk, chunk++)
        {
            var to = Math.Min(loans, from + LoansPerChunk);
            var count = BuildChunk(date, from, to, buffers[chunk & 1]);
            var task = count == 0 ? Task.FromResult(Array.Empty<CreateTransferResult>()) : CreateTransfersAsync(buffers[chunk & 1].AsMemory(0, count), cancellationToken).AsTask();
            if (inFlight is { } previous) failure = await FinishChunkAsync(previous, date, totals).ConfigureAwait(false);
            inFlight = (task, from, to);
        }
        if (inFlight is { } tail) failure ??= await FinishChunkAsync(tail, date, totals).ConfigureAwait(false);
        if (failure is null) await CloseLinesAsync(date, cancellationToken).ConfigureAwait(false);
        // A stopped close keeps the chunks the ledger accepted; its replay asks the ledger chunk by chunk (decision 0504).
        Done();
        if (failure is not null) throw new InvalidOperationException("The daily close stopped: a ledger batch was refused; rerun the close for the same date.", failure);
        LastCloseDate = date;
        RememberClose(date);
        return totals.ToSummary();
    }

    private async Task<Exception?> FinishChunkAsync((Task<CreateTransferResult[]> Task, int From, int To) chunk, DateOnly date, CloseTotals totals)
    {
        var results = await chunk.Task.ConfigureAwait(false);
        foreach (var r in results)
        {
            if (r != CreateTransferResult.Created) return new InvalidOperationException($"close batch for loans {chunk.From + 1}..{chunk.To} refused: {r}");
        }
        ApplyChunk(date, chunk.From, chunk.To, totals);
        totals.Batches++;
        return null;
    }

    /// <summary>Computes the chunk without changing anything and writes its transfers; returns how many.</summary>
    private int BuildChunk(DateOnly date, int from, int to, Transfer[] buffer)
    {
        var n = 0;
        long charge = 0, release = 0;
        for (var i = from; i < to; i++)
        {
            ref var loan = ref _loans[i];
            var step = CloseLoan(ref loan, date, apply: false);
            if (step.Accrual > 0) buffer[n++] = Chart.Posting(NextTransfer(), Chart.Loan(loan.Number, LoanAccount.InterestReceivable), Chart.Bank(BankAccount.InterestIncome), step.Accrual, LendingCodes.InterestAccrual, loan.Number, linked: true);
            if (step.Penalty > 0) buffer[n++] = Chart.Posting(NextTransfer(), Chart.Loan(loan.Number, LoanAccount.InterestReceivable), Chart.Bank(BankAccount.PenaltyIncome), step.Penalty, LendingCodes.PenaltyAccrual, loan.Number, linked: true);
            if (step.ProvisionDelta > 0) charge += step.ProvisionDelta;
            else release -= step.ProvisionDelta;
        }
        var reserve = Chart.Bank(BankAccount.LoanLossReserve);
        var expense = Chart.Bank(BankAccount.ProvisionExpense);
        if (charge > 0) buffer[n++] = Chart.Posting(NextTransfer(), expense, reserve, charge, LendingCodes.ProvisionCharge, 0, linked: true);
        if (release > 0) buffer[n++] = Chart.Posting(NextTransfer(), reserve, expense, release, LendingCodes.ProvisionRelease, 0, linked: true);
        // The chunk is one linked chain: the last event closes it.
        if (n > 0) buffer[n - 1].Flags &= ~TransferFlags.Linked;
        return n;
    }

    private void ApplyChunk(DateOnly date, int from, int to, CloseTotals totals)
    {
        for (var i = from; i < to; i++)
        {
            ref var loan = ref _loans[i];
            var step = CloseLoan(ref loan, date, apply: true);
            totals.Add(step, loan);
        }
    }

    /// <summary>
    /// One loan's close. Pure when <paramref name="apply"/> is false; with it, stores the result.
    /// Accrual recognises each running instalment's interest up to the date (the whole of it once
    /// due), so daily postings sum exactly to the scheduled interest.
    /// </summary>
    internal CloseStep CloseLoan(ref LoanState loan, DateOnly date, bool apply)
    {
        if (loan.Status != LoanStatus.Active)
        {
            // Settled or written-off loans only give back a provision still held.
            if (apply) loan.ProvisionHeld = 0;
            return new CloseStep(0, 0, -loan.ProvisionHeld, false);
        }
        if (date <= loan.LastClosed) return default;
        var schedule = _instalments.AsSpan(loan.ScheduleOffset, loan.ScheduleCount);
        var accrual = Accrue(ref loan, schedule, date, apply);
        var (daysPastDue, overdue) = Overdue(loan, schedule, date);
        var days = date.DayNumber - loan.LastClosed.DayNumber;
        var lateFees = LateFeesDue(ref loan, schedule, date, apply);
        var penalty = Money.InterestForDays(overdue, loan.PenaltyRate, loan.DayCount, days) + lateFees;
        var category = Rules.Classify(daysPastDue);
        // A loan rescheduled in arrears stays at least substandard through its observation period (decision 0505).
        if (date < loan.ObservationUntil && category < LoanCategory.Substandard) category = LoanCategory.Substandard;
        var exposure = loan.PrincipalOutstanding + loan.InterestReceivable + accrual + penalty;
        var provision = Money.RoundHalfUp(exposure * Rules.Rate(category));
        var delta = provision - loan.ProvisionHeld;
        if (apply)
        {
            loan.InterestReceivable += accrual + penalty;
            loan.PenaltyRecognised += penalty;
            loan.DaysPastDue = daysPastDue;
            loan.Category = category;
            loan.ProvisionHeld = provision;
            loan.LastClosed = date;
        }
        return new CloseStep(accrual, penalty, delta, true);
    }

    /// <summary>
    /// A product's flat late fee, once per instalment still unpaid more than its grace days after the
    /// due date. Booked with the penalty (penalty income, code 5006) so the close keeps two transfers
    /// per loan; counted apart in <see cref="LoanState.LateFees"/> (decision 0506).
    /// </summary>
    private long LateFeesDue(ref LoanState loan, Span<InstalmentState> schedule, DateOnly date, bool apply)
    {
        var product = _productList[loan.Product];
        if (product.LateFee == 0) return 0;
        long fees = 0;
        var k = loan.LateFeeIndex;
        for (; k < schedule.Length && schedule[k].Due.AddDays(product.LateFeeAfterDays) < date; k++)
        {
            if (schedule[k].Unpaid > 0) fees += product.LateFee;
        }
        if (apply)
        {
            loan.LateFeeIndex = k;
            loan.LateFees += fees;
        }
        return fees;
    }

    private long Accrue(ref LoanState loan, Span<InstalmentState> schedule, DateOnly date, bool apply)
    {
        if (date <= loan.LastClosed) return 0;
        long accrual = 0;
        var k = loan.AccrualIndex;
        for (; k < schedule.Length && schedule[k].Start < date; k++)
        {
            ref var row = ref schedule[k];
            var target = InterestTo(row, loan.AnnualRate, loan.DayCount, date);
            if (target > row.InterestRecognised)
            {
                accrual += target - row.InterestRecognised;
                if (apply) row.InterestRecognised = target;
            }
            if (row.Due > date) break;
        }
        if (apply) loan.AccrualIndex = k;
        return accrual;
    }

    /// <summary>Days past due of the oldest unpaid instalment and the total unpaid of instalments past due (due before the date).</summary>
    private static (int DaysPastDue, long Overdue) Overdue(in LoanState loan, Span<InstalmentState> schedule, DateOnly date)
    {
        var k = loan.NextUnpaid;
        if (k >= schedule.Length || schedule[k].Due >= date) return (0, 0);
        var daysPastDue = date.DayNumber - schedule[k].Due.DayNumber;
        long overdue = 0;
        for (; k < schedule.Length && schedule[k].Due < date; k++) overdue += schedule[k].Unpaid;
        return (daysPastDue, overdue);
    }

    private sealed class CloseTotals(DateOnly date)
    {
        private readonly int[] _byCategory = new int[5];
        private long _interest, _penalty, _charged, _released;
        private int _closed;
        public int Batches;

        public void Add(CloseStep step, in LoanState loan)
        {
            if (!step.Closed && step.ProvisionDelta == 0) return;
            _interest += step.Accrual;
            _penalty += step.Penalty;
            if (step.ProvisionDelta > 0) _charged += step.ProvisionDelta;
            else _released -= step.ProvisionDelta;
            if (!step.Closed) return;
            _closed++;
            _byCategory[(int)loan.Category]++;
        }

        public CloseSummary ToSummary() => new(date, _closed, _interest, _penalty, _charged, _released, _byCategory, Batches);
    }
}
