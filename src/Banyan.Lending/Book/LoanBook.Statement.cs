namespace Banyan.Lending.Book;

/// <summary>What a lifecycle step moved for one loan on its business date (the statement's lines).</summary>
internal readonly record struct LoanEvent(long Loan, DateOnly Date, string Kind, long Principal, long Interest, long Penalty, long Fee, long Capitalised);

/// <summary>A loan's statement for a period (decision 0509). Amounts in minor units.</summary>
internal sealed record LoanStatement(
    long LoanNumber, DateOnly From, DateOnly To,
    long OpeningPrincipal, long Disbursed, long CapitalisedInterest, long PrincipalPaid, long ClosingPrincipal,
    long InterestAccrued, long InterestPaid, long PenaltyPaid, long FeesCharged, long WrittenOff,
    long LateFeesToDate, long? LedgerPrincipalBalance, IReadOnlyList<LoanEvent> Events);

internal sealed partial class LoanBook
{
    public const int MaxStatementDays = 3660;
    private readonly List<LoanEvent> _events = [];
    private readonly Dictionary<long, List<int>> _eventsByLoan = [];

    private void Log(LoanEvent e)
    {
        _events.Add(e);
        if (!_eventsByLoan.TryGetValue(e.Loan, out var list)) _eventsByLoan[e.Loan] = list = [];
        list.Add(_events.Count - 1);
    }

    /// <summary>
    /// The statement of a loan for [<paramref name="from"/>, <paramref name="to"/>]: principal at the
    /// start and end, what was disbursed, capitalised, paid (principal, interest, penalty) and charged
    /// as fees in the period, the contractual interest accrued by day count over it, and — when the
    /// period reaches today's state — the ledger's principal balance to reconcile against.
    /// </summary>
    public async Task<Outcome<LoanStatement>> StatementAsync(long loanNumber, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        if (to < from || to.DayNumber - from.DayNumber > MaxStatementDays) return Outcome<LoanStatement>.Fail(Refusal.Invalid, $"from must be on or before to, at most {MaxStatementDays} days apart");
        LoanStatement statement;
        using (await EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!TryGetLoan(loanNumber, out var loan)) return Outcome<LoanStatement>.Fail(Refusal.NotFound, $"no loan {loanNumber}");
            statement = Compose(loan, from, to);
        }
        if (to < LatestEvent(loan: loanNumber)) return Outcome<LoanStatement>.Success(statement);
        var account = await _ledger.LookupAccountsAsync(new[] { Chart.Loan(loanNumber, LoanAccount.PrincipalReceivable) }, cancellationToken).ConfigureAwait(false);
        var balance = account.Length == 1 ? (long)(account[0].DebitsPosted - account[0].CreditsPosted) : (long?)null;
        return Outcome<LoanStatement>.Success(statement with { LedgerPrincipalBalance = balance });
    }

    private DateOnly LatestEvent(long loan)
    {
        var latest = _loans[loan - 1].Disbursement;
        if (_eventsByLoan.TryGetValue(loan, out var list) && list.Count > 0 && _events[list[^1]].Date > latest) latest = _events[list[^1]].Date;
        return latest;
    }

    private LoanStatement Compose(in LoanState loan, DateOnly from, DateOnly to)
    {
        var disbursedBefore = loan.Disbursement < from ? loan.Disbursed : 0;
        var disbursedIn = loan.Disbursement >= from && loan.Disbursement <= to ? loan.Disbursed : 0;
        var originationFee = disbursedIn > 0 ? loan.OriginationFee : 0;
        long opening = disbursedBefore, capitalised = 0, principalPaid = 0, interestPaid = 0, penaltyPaid = 0, fees = originationFee, writtenOff = 0;
        var lines = new List<LoanEvent>();
        foreach (var index in _eventsByLoan.GetValueOrDefault(loan.Number) ?? [])
        {
            var e = _events[index];
            if (e.Date < from)
            {
                opening += e.Capitalised - e.Principal;
                continue;
            }
            if (e.Date > to) continue;
            lines.Add(e);
            capitalised += e.Capitalised;
            fees += e.Fee;
            if (e.Kind == "writeoff") writtenOff += e.Principal;
            else
            {
                principalPaid += e.Principal;
                interestPaid += e.Interest;
                penaltyPaid += e.Penalty;
            }
        }
        var closing = opening + disbursedIn + capitalised - principalPaid - writtenOff;
        var accrued = ContractInterestTo(loan, to) - ContractInterestTo(loan, from.AddDays(-1));
        return new LoanStatement(loan.Number, from, to, opening, disbursedIn, capitalised, principalPaid, closing, accrued, interestPaid, penaltyPaid, fees, writtenOff, loan.LateFees, null, lines);
    }

    /// <summary>Interest the schedule has earned by <paramref name="date"/>, as the close accrues it (day count; whole instalments once due).</summary>
    private long ContractInterestTo(in LoanState loan, DateOnly date)
    {
        long total = 0;
        foreach (var row in _instalments.AsSpan(loan.ScheduleOffset, loan.ScheduleCount))
        {
            if (row.Start >= date) break;
            total += InterestTo(row, loan.AnnualRate, loan.DayCount, date);
        }
        return total;
    }
}
