namespace Banyan.Lending.Schedules;

/// <summary>The one rounding rule of the module and the interest formula every figure goes through.</summary>
internal static class Money
{
    /// <summary>
    /// Half-up to the minor unit (0.5 → 1). Amounts here are never negative, so this is
    /// <see cref="MidpointRounding.AwayFromZero"/>; the decimal → long conversion is checked.
    /// </summary>
    public static long RoundHalfUp(decimal value)
    {
        if (value < 0m) throw new ArgumentOutOfRangeException(nameof(value), value, "Money amounts here are never negative.");
        return (long)Math.Round(value, 0, MidpointRounding.AwayFromZero);
    }

    /// <summary>Interest on <paramref name="balance"/> for the day-count fraction between two dates, rounded once.</summary>
    public static long Interest(long balance, decimal annualRate, DayCount dayCount, DateOnly from, DateOnly to)
    {
        if (to <= from || balance == 0 || annualRate == 0m) return 0;
        // Multiply before dividing: days/360 is not a terminating decimal.
        var days = DayCounts.Days(dayCount, from, to);
        return RoundHalfUp(balance * annualRate * days / DayCounts.YearDays(dayCount));
    }

    /// <summary>Interest for <paramref name="days"/> days at <paramref name="annualRate"/> (used by daily penalty).</summary>
    public static long InterestForDays(long balance, decimal annualRate, DayCount dayCount, int days)
    {
        if (days <= 0 || balance == 0 || annualRate == 0m) return 0;
        return RoundHalfUp(balance * annualRate * days / DayCounts.YearDays(dayCount));
    }
}

/// <summary>Day counts: days between two dates and the year length of each convention.</summary>
internal static class DayCounts
{
    public static int YearDays(DayCount dayCount) => dayCount switch
    {
        DayCount.Act360 or DayCount.Thirty360 => 360,
        DayCount.Act365 => 365,
        _ => throw new ArgumentOutOfRangeException(nameof(dayCount)),
    };

    /// <summary>Days from <paramref name="from"/> to <paramref name="to"/> under the convention (from &lt;= to).</summary>
    public static int Days(DayCount dayCount, DateOnly from, DateOnly to) => dayCount switch
    {
        DayCount.Act360 or DayCount.Act365 => to.DayNumber - from.DayNumber,
        DayCount.Thirty360 => Thirty360(from, to),
        _ => throw new ArgumentOutOfRangeException(nameof(dayCount)),
    };

    /// <summary>
    /// 30/360 Bond Basis: D1 = 31 becomes 30; D2 = 31 becomes 30 when D1 (adjusted) is 30. February
    /// month-ends are not adjusted (that would be 30/360 US "SIA").
    /// </summary>
    public static int Thirty360(DateOnly from, DateOnly to)
    {
        var d1 = Math.Min(from.Day, 30);
        var d2 = to.Day == 31 && d1 == 30 ? 30 : to.Day;
        return (360 * (to.Year - from.Year)) + (30 * (to.Month - from.Month)) + (d2 - d1);
    }
}
