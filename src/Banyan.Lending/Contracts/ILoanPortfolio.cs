namespace Banyan.Lending.Contracts;

/// <summary>Regulatory portfolio figures of the loan book (for RegTech reporting).</summary>
public interface ILoanPortfolio
{
    /// <summary>The figures as of the last daily close (or now, for loans not yet closed).</summary>
    PortfolioFigures Figures();

    /// <summary>
    /// The figures as they stood at the end of the latest daily close on or before <paramref name="date"/>
    /// (the book records them at every close, and rebuilds that history when it replays its journal at
    /// start). Null when the book has no close on or before the date (or only one older than the kept
    /// history, <c>MaxCloseHistory</c> closes): then the figures for that date are unknown, not zero.
    /// </summary>
    PortfolioFigures? FiguresAsOf(DateOnly date);
}

/// <summary>Five-category loan classification (by days past due, configurable thresholds).</summary>
public enum LoanCategory : byte
{
    /// <summary>Performing, not past due.</summary>
    Normal = 0,
    /// <summary>Past due, not yet non-performing.</summary>
    SpecialMention = 1,
    /// <summary>Non-performing.</summary>
    Substandard = 2,
    /// <summary>Non-performing.</summary>
    Doubtful = 3,
    /// <summary>Non-performing.</summary>
    Loss = 4,
}

/// <summary>
/// Portfolio figures in minor units of the book's ledger currency. Ratios are fractions (0.0123 =
/// 1.23 %), 0 when the denominator is 0. Concentration is relative to gross loans; the absolute
/// exposures are given so a reporter can divide by regulatory capital instead.
/// </summary>
/// <param name="LoanCount">Active loans.</param>
/// <param name="GrossLoans">Outstanding principal of active loans.</param>
/// <param name="ByCategory">Outstanding principal per <see cref="LoanCategory"/>, indexed by its value.</param>
/// <param name="NonPerformingLoans">Substandard + doubtful + loss principal.</param>
/// <param name="LoanLossReserve">Provisions held (the loan-loss reserve account).</param>
/// <param name="NplRatio">Non-performing / gross.</param>
/// <param name="ProvisionCoverage">Reserve / non-performing.</param>
/// <param name="LoanLossReserveRatio">Reserve / gross.</param>
/// <param name="Top10CustomersExposure">Exposure (principal + receivable interest) of the ten largest customers.</param>
/// <param name="Top10Concentration">Top-10 exposure / gross.</param>
/// <param name="LargestCustomerExposure">Exposure of the largest customer.</param>
/// <param name="SingleCustomerConcentration">Largest customer exposure / gross.</param>
public sealed record PortfolioFigures(
    int LoanCount,
    long GrossLoans,
    IReadOnlyList<long> ByCategory,
    long NonPerformingLoans,
    long LoanLossReserve,
    decimal NplRatio,
    decimal ProvisionCoverage,
    decimal LoanLossReserveRatio,
    long Top10CustomersExposure,
    decimal Top10Concentration,
    long LargestCustomerExposure,
    decimal SingleCustomerConcentration);
