using Banyan.Lending.Contracts;

namespace Banyan.RegTech.Data;

/// <summary>An account's posted balances at a cut-off, with what the mapping needs to place it.</summary>
/// Counterparty: account <c>user_data_128</c>: the counterparty id for concentration (0: the account is its own counterparty).
internal readonly record struct AccountBalance(UInt128 Id, uint Ledger, ushort Code, UInt128 Counterparty, UInt128 DebitsPosted, UInt128 CreditsPosted);

/// <summary>A posted transfer (the amount actually moved).</summary>
internal readonly record struct TransferFact(UInt128 Id, uint Ledger, ushort Code, UInt128 Amount, ulong Timestamp);

/// <summary>
/// Ledger data as of a cut-off: what the indicators are computed from. Implemented over the ledger's
/// journal stream (LedgerMirror); tests use a fixture bank.
/// </summary>
internal interface IBankData
{
    /// <summary>Posted balances of every account created at or before <paramref name="cutoff"/>, counting transfers with timestamp ≤ cut-off, ordered by id.</summary>
    ValueTask<IReadOnlyList<AccountBalance>> BalancesAsync(ulong cutoff, CancellationToken cancellationToken);

    /// <summary>Posted transfers with <paramref name="after"/> &lt; timestamp ≤ <paramref name="upTo"/> and amount ≥ <paramref name="minAmount"/>, by timestamp.</summary>
    ValueTask<IReadOnlyList<TransferFact>> TransfersAsync(ulong after, ulong upTo, UInt128 minAmount, CancellationToken cancellationToken);
}

/// <summary>Loan-book figures for a date and where they come from (live book, the book's close history, a RegTech snapshot).</summary>
internal sealed record PortfolioReading(PortfolioFigures Figures, string Origin);

/// <summary>Loan-book figures (<see cref="ILoanPortfolio"/>) for a reporting date, or null when none are known for it.</summary>
internal interface IPortfolioSource
{
    ValueTask<PortfolioReading?> FiguresAsync(DateOnly asOf, CancellationToken cancellationToken);
}

/// <summary>A count of reports filed, with the items behind it (at most a bounded list; may be shorter than the count).</summary>
internal sealed record ReportCount(long Count, IReadOnlyList<string> Items);

/// <summary>
/// Counts of reports filed with the regulator, by source name (<c>suspicious_reports</c>: STRs filed
/// from AML cases, through <c>Banyan.Aml.Contracts.ISuspiciousReportCounts</c>). docs/regtech.md "Sources".
/// </summary>
internal interface IReportCountSource
{
    /// <summary>Reports filed from <paramref name="from"/> to <paramref name="to"/> (days inclusive), or null for a source it does not know.</summary>
    ValueTask<ReportCount?> CountAsync(string source, DateOnly from, DateOnly to, CancellationToken cancellationToken);
}

/// <summary>Reporting date → ledger cut-off timestamp (ns since the Unix epoch).</summary>
internal interface ICutoffs
{
    ValueTask<ulong> CutoffAsync(DateOnly asOf, CancellationToken cancellationToken);
}

/// <summary>The default cut-off: the end of the reporting day in UTC (the last nanosecond before midnight).</summary>
internal static class EndOfDay
{
    public static ulong Of(DateOnly date)
    {
        var next = date.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var ns = (next - DateTime.UnixEpoch).Ticks * 100L - 1;
        return ns < 0 ? 0 : (ulong)ns;
    }
}
