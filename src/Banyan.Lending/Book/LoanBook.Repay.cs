using Banyan.Ledger;

namespace Banyan.Lending.Book;

internal sealed partial class LoanBook
{
    /// <summary>What a repayment moves, split by destination account.</summary>
    private readonly record struct RepaymentLegs(long Penalty, long InterestFromReceivable, long InterestDirect, long Principal, long Unallocated)
    {
        public RepaymentAllocation Allocation => new(Penalty, InterestFromReceivable + InterestDirect, Principal);
    }

    /// <summary>
    /// A repayment on <paramref name="date"/>: allocated to unpaid penalty, then instalment by
    /// instalment (oldest first) to interest, then principal, over every instalment due by the date
    /// and the next one falling due. More than that is refused (use early settlement). One linked
    /// batch from the customer's deposit account; refused as a whole if the funds do not cover it.
    /// </summary>
    public async Task<Outcome<RepaymentAllocation>> RepayAsync(long loanNumber, long amount, DateOnly date, CancellationToken cancellationToken)
    {
        if (amount <= 0) return Outcome<RepaymentAllocation>.Fail(Refusal.Invalid, "amount must be positive");
        using var _ = await EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!TryGetLoan(loanNumber, out var loan)) return Outcome<RepaymentAllocation>.Fail(Refusal.NotFound, $"no loan {loanNumber}");
        if (loan.Status != LoanStatus.Active) return Outcome<RepaymentAllocation>.Fail(Refusal.WrongState, $"loan {loanNumber} is {loan.Status}");
        if (date < loan.LastClosed) return Outcome<RepaymentAllocation>.Fail(Refusal.Invalid, $"date is before the loan's disbursement or last close ({loan.LastClosed:yyyy-MM-dd})");
        var legs = Allocate(ref loan, date, amount, apply: false);
        if (legs.Unallocated > 0)
            return Outcome<RepaymentAllocation>.Fail(Refusal.Invalid, $"amount exceeds the {amount - legs.Unallocated} due by the next instalment; use an early settlement");
        var start = _transferSequence;
        var batch = RepaymentChain(loanNumber, loan, legs);
        Intend(new JournalEntry { Kind = "repay", Loan = loanNumber, Amount = amount, Date = date }, start);
        var (ok, first) = await PostLinkedAsync(batch, cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            Abort(start);
            return Outcome<RepaymentAllocation>.Fail(RefusalFor(first), $"the ledger refused the repayment: {first}");
        }
        ref var stored = ref _loans[loanNumber - 1];
        var applied = Allocate(ref stored, date, amount, apply: true);
        Log(new LoanEvent(loanNumber, date, "repayment", applied.Allocation.Principal, applied.Allocation.Interest, applied.Allocation.Penalty, 0, 0));
        Done();
        return Outcome<RepaymentAllocation>.Success(applied.Allocation);
    }

    private Transfer[] RepaymentChain(long loanNumber, in LoanState loan, RepaymentLegs legs)
    {
        var customer = _customers[loan.Customer].Account;
        return Chain(loanNumber,
        [
            (customer, Chart.Loan(loanNumber, LoanAccount.InterestReceivable), legs.Penalty, LendingCodes.RepayPenalty),
            (customer, Chart.Loan(loanNumber, LoanAccount.InterestReceivable), legs.InterestFromReceivable, LendingCodes.RepayInterest),
            (customer, Chart.Bank(BankAccount.InterestIncome), legs.InterestDirect, LendingCodes.RepayInterest),
            (customer, Chart.Loan(loanNumber, LoanAccount.PrincipalReceivable), legs.Principal, LendingCodes.RepayPrincipal),
        ]);
    }

    /// <summary>The amount a repayment on <paramref name="date"/> may cover (penalty + instalments due + the next one).</summary>
    public long AmountDue(long loanNumber, DateOnly date)
    {
        if (!TryGetLoan(loanNumber, out var loan) || loan.Status != LoanStatus.Active) return 0;
        var legs = Allocate(ref loan, date, long.MaxValue, apply: false);
        return long.MaxValue - legs.Unallocated;
    }

    /// <summary>Allocates <paramref name="amount"/>; mutates the loan and its instalments only when <paramref name="apply"/>.</summary>
    private RepaymentLegs Allocate(ref LoanState loan, DateOnly date, long amount, bool apply)
    {
        var remaining = amount;
        var penalty = Math.Min(remaining, loan.PenaltyRecognised - loan.PenaltyPaid);
        remaining -= penalty;
        long fromReceivable = 0, direct = 0, principal = 0;
        var schedule = _instalments.AsSpan(loan.ScheduleOffset, loan.ScheduleCount);
        for (var k = loan.NextUnpaid; k < schedule.Length && remaining > 0; k++)
        {
            ref var row = ref schedule[k];
            var interest = Math.Min(remaining, row.Interest - row.InterestPaid);
            remaining -= interest;
            var received = Math.Min(interest, row.InterestRecognised - row.InterestPaid);
            fromReceivable += received;
            direct += interest - received;
            var toPrincipal = Math.Min(remaining, row.Principal - row.PrincipalPaid);
            remaining -= toPrincipal;
            principal += toPrincipal;
            if (apply)
            {
                row.InterestRecognised += interest - received;
                row.InterestPaid += interest;
                row.PrincipalPaid += toPrincipal;
            }
            if (row.Due > date) break; // the next instalment falling due is the last one a repayment may reach
        }
        if (apply) ApplyPaid(ref loan, schedule, penalty, fromReceivable, principal);
        return new RepaymentLegs(penalty, fromReceivable, direct, principal, remaining);
    }

    private static void ApplyPaid(ref LoanState loan, Span<InstalmentState> schedule, long penalty, long fromReceivable, long principal)
    {
        loan.PenaltyPaid += penalty;
        loan.InterestReceivable -= penalty + fromReceivable;
        loan.PrincipalOutstanding -= principal;
        while (loan.NextUnpaid < schedule.Length && schedule[loan.NextUnpaid].Unpaid == 0) loan.NextUnpaid++;
        if (loan.NextUnpaid == schedule.Length) loan.Status = LoanStatus.Settled;
        if (loan.InterestReceivable < 0 || loan.PrincipalOutstanding < 0) throw new InvalidOperationException("A repayment took a loan balance below zero.");
    }
}
