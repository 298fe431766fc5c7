namespace Banyan.Lending.Schedules;

/// <summary>How principal is repaid over the term.</summary>
internal enum Amortization
{
    /// <summary>Annuity: a level instalment (principal + interest), the last one absorbing rounding.</summary>
    EqualInstalment = 1,
    /// <summary>The same principal every instalment plus interest on the declining balance.</summary>
    EqualPrincipal = 2,
    /// <summary>Interest only; all principal in the last instalment (bullet).</summary>
    InterestOnly = 3,
}

/// <summary>Day-count convention: how many days a period has and what a year is.</summary>
internal enum DayCount
{
    /// <summary>Actual days / 360.</summary>
    Act360 = 1,
    /// <summary>Actual days / 365 (ACT/365 Fixed: leap years still divide by 365).</summary>
    Act365 = 2,
    /// <summary>30/360 Bond Basis (ISDA 2006 §4.16(f)).</summary>
    Thirty360 = 3,
}

/// <summary>Repayment frequency, as months per period.</summary>
internal enum Frequency
{
    Monthly = 1,
    Quarterly = 3,
}

/// <summary>What a schedule is computed from. Amounts in minor units; the rate is nominal per year (0.12 = 12 %).</summary>
internal readonly record struct ScheduleTerms(
    long Principal,
    decimal AnnualRate,
    DateOnly Start,
    int Instalments,
    Frequency Frequency,
    Amortization Amortization,
    DayCount DayCount,
    int GraceInstalments = 0)
{
    public const int MaxInstalments = 600;
    public const long MaxPrincipal = 1_000_000_000_000_000; // 10^15 minor units keeps balance × rate × days inside decimal precision.

    /// <summary>The first rule the terms break, or null when they are valid.</summary>
    public string? Validate()
    {
        if (Principal <= 0 || Principal > MaxPrincipal) return $"principal must be between 1 and {MaxPrincipal} minor units";
        if (AnnualRate < 0m || AnnualRate > 1m) return "annual_rate must be between 0 and 1";
        if (Instalments < 1 || Instalments > MaxInstalments) return $"instalments must be between 1 and {MaxInstalments}";
        if (GraceInstalments < 0 || GraceInstalments >= Instalments) return "grace_instalments must be at least 0 and below instalments";
        if (!Enum.IsDefined(Frequency)) return "frequency is not supported";
        if (!Enum.IsDefined(Amortization)) return "amortization is not supported";
        if (!Enum.IsDefined(DayCount)) return "day_count is not supported";
        if (Start.Year > 2400 - (Instalments * (int)Frequency / 12) - 1) return "start date too far in the future";
        return null;
    }
}

/// <summary>One row of a schedule. <see cref="Opening"/> is the balance interest is charged on for the period.</summary>
internal readonly record struct Instalment(
    int Number,
    DateOnly PeriodStart,
    DateOnly DueDate,
    long Opening,
    long Principal,
    long Interest)
{
    public long Total => Principal + Interest;
    public long Closing => Opening - Principal;
}
