using Banyan.Lending.Contracts;
using Banyan.Lending.Schedules;

namespace Banyan.Lending.Book;

/// <summary>A loan product: the terms a loan inherits. Rates are nominal per year.</summary>
internal sealed record Product(
    string Code,
    string Name,
    Amortization Amortization,
    Frequency Frequency,
    DayCount DayCount,
    decimal AnnualRate,
    decimal PenaltyRate,
    int MinInstalments,
    int MaxInstalments,
    int GraceInstalments,
    long MaxPrincipal,
    decimal PrepaymentFeeRate,
    decimal OriginationFeeRate = 0m,
    bool OriginationFeeFinanced = false,
    long LateFee = 0,
    int LateFeeAfterDays = 0,
    string? Benchmark = null,
    decimal Spread = 0m,
    int RepriceEveryInstalments = 1)
{
    public bool Floating => Benchmark is not null;

    /// <summary>The origination fee on a requested principal (half-up); deducted from the disbursement or financed (decision 0506).</summary>
    public long OriginationFee(long principal) => Money.RoundHalfUp(principal * OriginationFeeRate);

    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Code) || Code.Length > 40) return "code must be 1 to 40 characters";
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 200) return "name must be 1 to 200 characters";
        if (PenaltyRate < 0m || PenaltyRate > 1m) return "penalty_rate must be between 0 and 1";
        if (PrepaymentFeeRate < 0m || PrepaymentFeeRate > 0.1m) return "prepayment_fee_rate must be between 0 and 0.1";
        if (OriginationFeeRate < 0m || OriginationFeeRate > 0.1m) return "origination_fee_rate must be between 0 and 0.1";
        if (LateFee < 0 || LateFee > MaxPrincipal) return "late_fee must be between 0 and max_principal";
        if (LateFeeAfterDays < 0 || LateFeeAfterDays > 90) return "late_fee_after_days must be between 0 and 90";
        if (Benchmark is not null && (Benchmark.Length is < 1 or > 20)) return "benchmark must be 1 to 20 characters";
        if (Spread < -0.1m || Spread > 0.5m) return "spread must be between -0.1 and 0.5";
        if (RepriceEveryInstalments < 1 || RepriceEveryInstalments > 120) return "reprice_every_instalments must be between 1 and 120";
        if (Benchmark is not null && GraceInstalments > 0) return "a floating-rate product cannot have grace instalments";
        if (MinInstalments < 1 || MaxInstalments < MinInstalments) return "min_instalments must be at least 1 and at most max_instalments";
        if (MaxPrincipal <= 0 || MaxPrincipal > ScheduleTerms.MaxPrincipal) return "max_principal is out of range";
        return new ScheduleTerms(1, AnnualRate, new DateOnly(2000, 1, 1), MaxInstalments, Frequency, Amortization, DayCount, GraceInstalments).Validate();
    }
}

internal enum LoanStatus : byte
{
    Active = 1,
    Settled = 2,
    WrittenOff = 3,
}

/// <summary>Contractual and accounting state of one instalment (in the book's flat instalment array).</summary>
internal struct InstalmentState
{
    public DateOnly Start;
    public DateOnly Due;
    public long Opening;
    public long Principal;
    public long Interest;
    public long PrincipalPaid;
    public long InterestPaid;
    /// <summary>Interest recognised as income so far (by accrual, or at payment for the part not yet accrued); never above <see cref="Interest"/>.</summary>
    public long InterestRecognised;

    public readonly long Unpaid => Principal - PrincipalPaid + Interest - InterestPaid;
}

/// <summary>
/// The state of one loan: a mutable struct in one flat array, so the daily close walks memory
/// without allocating. It holds contract position (what is owed), never the ledger's balances; the
/// reconciliation tests show the two agree.
/// </summary>
internal struct LoanState
{
    public long Number;
    public int Customer;
    public int Product;
    public int ScheduleOffset;
    public int ScheduleCount;
    /// <summary>Index (within the schedule) of the oldest instalment not fully paid.</summary>
    public int NextUnpaid;
    /// <summary>Index of the first instalment whose interest is not fully recognised.</summary>
    public int AccrualIndex;
    public long Disbursed;
    public long PrincipalOutstanding;
    /// <summary>Recognised but unpaid interest and penalty: mirrors the loan's interest receivable account.</summary>
    public long InterestReceivable;
    public long PenaltyRecognised;
    public long PenaltyPaid;
    public decimal AnnualRate;
    public decimal PenaltyRate;
    public DayCount DayCount;
    public LoanStatus Status;
    public LoanCategory Category;
    public int DaysPastDue;
    public long ProvisionHeld;
    public long Recovered;
    public long WrittenOff;
    public DateOnly Disbursement;
    public DateOnly LastClosed;
    /// <summary>A loan rescheduled while in arrears is at least substandard until this date (decision 0505); default: none.</summary>
    public DateOnly ObservationUntil;
    /// <summary>Instalments [0, LateFeeIndex) have been looked at for a late fee (decision 0506).</summary>
    public int LateFeeIndex;
    /// <summary>Floating rate: index of the next instalment whose start is a reset date (0 for fixed-rate loans).</summary>
    public int NextReset;
    /// <summary>Late fees charged (part of the penalty recognised; for statements).</summary>
    public long LateFees;
    /// <summary>Origination fee charged at disbursement (deducted or financed).</summary>
    public long OriginationFee;

    public readonly long Exposure => PrincipalOutstanding + InterestReceivable;
}

/// <summary>A customer the book knows: an external reference and the deposit account repayments come from.</summary>
internal readonly record struct CustomerEntry(long Number, string Reference, UInt128 Account);

/// <summary>Why a step was refused (nothing changed).</summary>
internal enum Refusal
{
    None = 0,
    NotFound,
    Invalid,
    WrongState,
    InsufficientFunds,
    OverLimit,
    LedgerRejected,
}

/// <summary>The result of a lifecycle step: a value, or a refusal with a human-readable reason.</summary>
internal readonly record struct Outcome<T>(T Value, Refusal Refusal, string? Detail)
{
    public bool Ok => Refusal == Refusal.None;

    public static Outcome<T> Success(T value) => new(value, Refusal.None, null);

    public static Outcome<T> Fail(Refusal refusal, string detail) => new(default!, refusal, detail);
}

/// <summary>An early-settlement quote as of a date: everything needed to close the loan that day.</summary>
internal readonly record struct SettlementQuote(long LoanNumber, DateOnly AsOf, long Principal, long Interest, long Penalty, long Fee)
{
    public long Total => Principal + Interest + Penalty + Fee;
}

/// <summary>How a repayment was allocated.</summary>
internal readonly record struct RepaymentAllocation(long Penalty, long Interest, long Principal)
{
    public long Total => Penalty + Interest + Principal;
}

/// <summary>How a partial prepayment re-amortises the rest of the loan.</summary>
internal enum PrepaymentMode
{
    /// <summary>Same due dates, lower instalment.</summary>
    KeepTerm = 1,
    /// <summary>Same instalment (or principal per instalment), fewer instalments.</summary>
    KeepInstalment = 2,
}

/// <summary>What a partial prepayment took: principal, interest of the running period to the date, the fee; and the new schedule's shape.</summary>
internal readonly record struct PrepaymentResult(long Principal, long Interest, long Fee, int InstalmentsLeft, long NextInstalment)
{
    public long Total => Principal + Interest + Fee;
}

/// <summary>What a rescheduling did: interest capitalised, the new principal, rate and number of instalments left.</summary>
internal readonly record struct RescheduleResult(long Capitalised, long Principal, decimal AnnualRate, int InstalmentsLeft, DateOnly ObservationUntil);
