namespace Banyan.Lending.Schedules;

/// <summary>
/// Rebuilding the rest of a schedule over explicit due dates (partial prepayment, rescheduling):
/// the same rules as <see cref="ScheduleCalculator"/> — day-count interest per period rounded
/// half-up once, the last row takes the remaining principal — but the due dates are given, so a
/// re-amortised loan keeps its anniversary days (docs/lending.md §2a).
/// </summary>
internal static class Reamortisation
{
    /// <summary>
    /// Rows repaying <paramref name="balance"/> from <paramref name="from"/> over <paramref name="dues"/>.
    /// <paramref name="keepLevel"/> null: the level payment (annuity) or principal (equal principal)
    /// is recomputed for all the dates (the term is kept, the instalment falls). Given: that level is
    /// kept and the rows stop once the balance is repaid (the term shortens).
    /// </summary>
    public static Instalment[] Build(long balance, decimal rate, DayCount dayCount, Amortization amortization, Frequency frequency, DateOnly from, IReadOnlyList<DateOnly> dues, long? keepLevel)
    {
        if (balance <= 0 || dues.Count == 0) throw new ArgumentException("a re-amortisation needs a balance and at least one due date");
        if (dues[0] < from) throw new ArgumentException("the first due date is before the start", nameof(dues));
        var level = keepLevel ?? ScheduleCalculator.LevelPrincipalOrPayment(new ScheduleTerms(balance, rate, from, dues.Count, frequency, amortization, dayCount));
        var rows = new List<Instalment>(dues.Count);
        var previous = from;
        for (var j = 0; j < dues.Count && balance > 0; j++)
        {
            var interest = Money.Interest(balance, rate, dayCount, previous, dues[j]);
            var principal = j == dues.Count - 1 ? balance : amortization switch
            {
                Amortization.EqualPrincipal => level,
                Amortization.EqualInstalment => Math.Max(0, level - interest),
                _ => 0,
            };
            principal = Math.Min(principal, balance);
            rows.Add(new Instalment(j + 1, previous, dues[j], balance, principal, interest));
            balance -= principal;
            previous = dues[j];
        }
        if (balance != 0) throw new InvalidOperationException("A re-amortised schedule must repay its balance exactly.");
        return [.. rows];
    }
}
