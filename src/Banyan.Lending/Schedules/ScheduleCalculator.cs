namespace Banyan.Lending.Schedules;

/// <summary>
/// Repayment schedules as pure functions of <see cref="ScheduleTerms"/>. Rules (docs/lending.md §2):
/// due dates are <c>start + k × months</c> (clamped to month end, always from the start date, never
/// chained); interest per instalment is the opening balance × rate × day-count fraction of the period,
/// rounded half-up once; grace instalments pay interest only; the last instalment takes whatever
/// principal remains so principal sums exactly.
/// </summary>
internal static class ScheduleCalculator
{
    /// <summary>The schedule for valid terms.</summary>
    /// <exception cref="ArgumentException">The terms break a rule of <see cref="ScheduleTerms.Validate"/>.</exception>
    public static Instalment[] Build(in ScheduleTerms terms)
    {
        var error = terms.Validate();
        if (error is not null) throw new ArgumentException(error, nameof(terms));
        var rows = new Instalment[terms.Instalments];
        var level = LevelPrincipalOrPayment(terms);
        var balance = terms.Principal;
        var previous = terms.Start;
        for (var k = 1; k <= terms.Instalments; k++)
        {
            var due = DueDate(terms, k);
            var interest = Money.Interest(balance, terms.AnnualRate, terms.DayCount, previous, due);
            var principal = PrincipalFor(terms, k, level, balance, interest);
            rows[k - 1] = new Instalment(k, previous, due, balance, principal, interest);
            balance -= principal;
            previous = due;
        }
        if (balance != 0) throw new InvalidOperationException("A schedule must repay its principal exactly.");
        return rows;
    }

    /// <summary>Due date of instalment <paramref name="k"/> (1-based).</summary>
    public static DateOnly DueDate(in ScheduleTerms terms, int k) => terms.Start.AddMonths(k * (int)terms.Frequency);

    /// <summary>
    /// The level payment of an annuity at the nominal periodic rate (rate × months / 12) over the
    /// amortising instalments, rounded half-up; for equal principal, the principal per instalment.
    /// </summary>
    internal static long LevelPrincipalOrPayment(in ScheduleTerms terms)
    {
        var n = terms.Instalments - terms.GraceInstalments;
        switch (terms.Amortization)
        {
            case Amortization.EqualPrincipal:
                return Money.RoundHalfUp((decimal)terms.Principal / n);
            case Amortization.EqualInstalment:
                var r = terms.AnnualRate * (int)terms.Frequency / 12m;
                if (r == 0m) return Money.RoundHalfUp((decimal)terms.Principal / n);
                var growth = 1m;
                for (var i = 0; i < n; i++) growth *= 1m + r;
                return Money.RoundHalfUp(terms.Principal * r * growth / (growth - 1m));
            default:
                return 0;
        }
    }

    private static long PrincipalFor(in ScheduleTerms terms, int k, long level, long balance, long interest)
    {
        if (k == terms.Instalments) return balance;
        if (k <= terms.GraceInstalments) return 0;
        var principal = terms.Amortization switch
        {
            Amortization.EqualPrincipal => level,
            // The day-count interest may differ from the nominal periodic rate; principal takes the difference.
            Amortization.EqualInstalment => Math.Max(0, level - interest),
            _ => 0,
        };
        return Math.Min(principal, balance);
    }
}
