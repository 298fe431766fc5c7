using Banyan.Lending.Schedules;
using Banyan.Ledger;

namespace Banyan.Lending.Book;

/// <summary>
/// A revolving credit line: a limit, a drawn balance and interest on it by day count. Interest is
/// accrued per balance segment (the time the drawn balance stays the same): the segment's interest
/// to a date is computed once from its start and the part not yet recognised is posted, so the
/// postings of a segment sum exactly to its interest, however often the close runs (decision 0508).
/// </summary>
internal struct CreditLine
{
    public long Number;
    public int Customer;
    public long Limit;
    public decimal AnnualRate;
    public DayCount DayCount;
    public long Drawn;
    /// <summary>Recognised, unpaid interest: mirrors the line's interest receivable account.</summary>
    public long InterestReceivable;
    public DateOnly SegmentStart;
    public long SegmentRecognised;
    public DateOnly LastEvent;
    public long InterestRecognisedTotal;
    public long DrawnTotal;
    public long RepaidPrincipalTotal;
    public long RepaidInterestTotal;

    public readonly long Available => Limit - Drawn;
}

internal sealed partial class LoanBook
{
    public const int MaxLines = 1 << 20;
    private CreditLine[] _lines = new CreditLine[16];
    private int _lineCount;

    public int LineCount => _lineCount;

    public bool TryGetLine(long number, out CreditLine line)
    {
        if (number < 1 || number > _lineCount)
        {
            line = default;
            return false;
        }
        line = _lines[number - 1];
        return true;
    }

    /// <summary>Opens a revolving line for a customer (its two ledger accounts; no money moves).</summary>
    public async Task<Outcome<long>> OpenLineAsync(string customerReference, long limit, decimal annualRate, DayCount dayCount, DateOnly opened, CancellationToken cancellationToken)
    {
        if (limit <= 0 || limit > ScheduleTerms.MaxPrincipal) return Outcome<long>.Fail(Refusal.Invalid, $"limit must be between 1 and {ScheduleTerms.MaxPrincipal}");
        if (annualRate < 0m || annualRate > 1m) return Outcome<long>.Fail(Refusal.Invalid, "annual_rate must be between 0 and 1");
        if (!Enum.IsDefined(dayCount)) return Outcome<long>.Fail(Refusal.Invalid, "day_count is not supported");
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!_customerByReference.TryGetValue(customerReference ?? "", out var customer)) return Outcome<long>.Fail(Refusal.NotFound, $"no customer '{customerReference}'");
        if (_lineCount >= MaxLines) return Outcome<long>.Fail(Refusal.Invalid, "the book holds no more credit lines");
        var chart = await EnsureChartAsync(cancellationToken).ConfigureAwait(false);
        if (!chart.Ok) return Outcome<long>.Fail(chart.Refusal, chart.Detail!);
        var number = _lineCount + 1L;
        var created = await CreateAccountsAsync(Chart.LineAccounts(number), cancellationToken).ConfigureAwait(false);
        if (created.Any(r => r is not (CreateAccountResult.Created or CreateAccountResult.Exists)))
            return Outcome<long>.Fail(Refusal.LedgerRejected, $"the ledger refused the line accounts: {created[0]}");
        Grow(ref _lines, _lineCount + 1);
        _lines[_lineCount] = new CreditLine { Number = number, Customer = customer, Limit = limit, AnnualRate = annualRate, DayCount = dayCount, SegmentStart = opened, LastEvent = opened };
        _lineCount++;
        Record(new JournalEntry { Kind = "line", Reference = customerReference, Amount = limit, Rate = annualRate, Mode = dayCount.ToString(), Date = opened });
        return Outcome<long>.Success(number);
    }

    /// <summary>Interest of the line's running segment not yet recognised by <paramref name="date"/>.</summary>
    private static long LineAccrual(in CreditLine line, DateOnly date) =>
        Math.Max(0, Money.Interest(line.Drawn, line.AnnualRate, line.DayCount, line.SegmentStart, date) - line.SegmentRecognised);

    /// <summary>
    /// A drawdown (principal receivable → customer) within the available amount, with the running
    /// segment's interest recognised first (one linked batch). Over the limit: refused, nothing changed.
    /// </summary>
    public async Task<Outcome<long>> DrawAsync(long lineNumber, long amount, DateOnly date, CancellationToken cancellationToken)
    {
        if (amount <= 0) return Outcome<long>.Fail(Refusal.Invalid, "amount must be positive");
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!TryGetLine(lineNumber, out var line)) return Outcome<long>.Fail(Refusal.NotFound, $"no credit line {lineNumber}");
        if (date < line.LastEvent) return Outcome<long>.Fail(Refusal.Invalid, $"date is before the line's last event ({line.LastEvent:yyyy-MM-dd})");
        if (amount > line.Available) return Outcome<long>.Fail(Refusal.OverLimit, $"the drawdown of {amount} exceeds the {line.Available} available on the line");
        var accrual = LineAccrual(line, date);
        var start = _transferSequence;
        var batch = Chain(lineNumber,
        [
            (Chart.Line(lineNumber, LoanAccount.InterestReceivable), Chart.Bank(BankAccount.InterestIncome), accrual, LendingCodes.InterestAccrual),
            (Chart.Line(lineNumber, LoanAccount.PrincipalReceivable), _customers[line.Customer].Account, amount, LendingCodes.Drawdown),
        ]);
        Intend(new JournalEntry { Kind = "draw", Loan = lineNumber, Amount = amount, Date = date }, start);
        var (ok, first) = await PostLinkedAsync(batch, cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            Abort(start);
            return Outcome<long>.Fail(RefusalFor(first), $"the ledger refused the drawdown: {first}");
        }
        ref var stored = ref _lines[lineNumber - 1];
        NewSegment(ref stored, accrual, date);
        stored.Drawn += amount;
        stored.DrawnTotal += amount;
        Done();
        return Outcome<long>.Success(stored.Available);
    }

    /// <summary>
    /// A repayment on the line: interest recognised to the date first, then drawn principal; more
    /// than is owed is refused. Repaid principal is available again. One linked batch.
    /// </summary>
    public async Task<Outcome<long>> RepayLineAsync(long lineNumber, long amount, DateOnly date, CancellationToken cancellationToken)
    {
        if (amount <= 0) return Outcome<long>.Fail(Refusal.Invalid, "amount must be positive");
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!TryGetLine(lineNumber, out var line)) return Outcome<long>.Fail(Refusal.NotFound, $"no credit line {lineNumber}");
        if (date < line.LastEvent) return Outcome<long>.Fail(Refusal.Invalid, $"date is before the line's last event ({line.LastEvent:yyyy-MM-dd})");
        var accrual = LineAccrual(line, date);
        var interest = Math.Min(amount, line.InterestReceivable + accrual);
        var principal = amount - interest;
        if (principal > line.Drawn) return Outcome<long>.Fail(Refusal.Invalid, $"at most {line.Drawn + line.InterestReceivable + accrual} is owed on the line");
        var customer = _customers[line.Customer].Account;
        var start = _transferSequence;
        var batch = Chain(lineNumber,
        [
            (Chart.Line(lineNumber, LoanAccount.InterestReceivable), Chart.Bank(BankAccount.InterestIncome), accrual, LendingCodes.InterestAccrual),
            (customer, Chart.Line(lineNumber, LoanAccount.InterestReceivable), interest, LendingCodes.RepayInterest),
            (customer, Chart.Line(lineNumber, LoanAccount.PrincipalReceivable), principal, LendingCodes.LineRepayment),
        ]);
        Intend(new JournalEntry { Kind = "linerepay", Loan = lineNumber, Amount = amount, Date = date }, start);
        var (ok, first) = await PostLinkedAsync(batch, cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            Abort(start);
            return Outcome<long>.Fail(RefusalFor(first), $"the ledger refused the repayment: {first}");
        }
        ref var stored = ref _lines[lineNumber - 1];
        NewSegment(ref stored, accrual, date);
        stored.InterestReceivable -= interest;
        stored.Drawn -= principal;
        stored.RepaidInterestTotal += interest;
        stored.RepaidPrincipalTotal += principal;
        Done();
        return Outcome<long>.Success(stored.Available);
    }

    /// <summary>Recognises <paramref name="accrual"/> and starts a new balance segment on <paramref name="date"/>.</summary>
    private static void NewSegment(ref CreditLine line, long accrual, DateOnly date)
    {
        line.InterestReceivable += accrual;
        line.InterestRecognisedTotal += accrual;
        line.SegmentStart = date;
        line.SegmentRecognised = 0;
        line.LastEvent = date;
    }

    /// <summary>
    /// The close's part for lines: each line's running-segment interest to the date, in linked
    /// batches of up to 8,190 lines (applied only when the ledger accepted the batch).
    /// </summary>
    private async Task CloseLinesAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var transfers = new List<Transfer>();
        var accruals = new List<(int Index, long Amount)>();
        for (var from = 0; from < _lineCount; from += LedgerEngine.MaxBatchEvents)
        {
            transfers.Clear();
            accruals.Clear();
            for (var i = from; i < Math.Min(_lineCount, from + LedgerEngine.MaxBatchEvents); i++)
            {
                if (date <= _lines[i].LastEvent) continue;
                var accrual = LineAccrual(_lines[i], date);
                accruals.Add((i, accrual));
                if (accrual > 0)
                    transfers.Add(Chart.Posting(NextTransfer(), Chart.Line(i + 1, LoanAccount.InterestReceivable), Chart.Bank(BankAccount.InterestIncome), accrual, LendingCodes.InterestAccrual, i + 1, linked: true));
            }
            if (transfers.Count > 0)
            {
                var last = transfers[^1];
                last.Flags &= ~TransferFlags.Linked;
                transfers[^1] = last;
                var (ok, first) = await PostLinkedAsync([.. transfers], cancellationToken).ConfigureAwait(false);
                if (!ok) throw new InvalidOperationException($"The daily close stopped: the credit-line accrual batch was refused: {first}; rerun the close for the same date.");
            }
            foreach (var (i, amount) in accruals)
            {
                ref var line = ref _lines[i];
                line.InterestReceivable += amount;
                line.InterestRecognisedTotal += amount;
                line.SegmentRecognised += amount;
                line.LastEvent = date;
            }
        }
    }
}
