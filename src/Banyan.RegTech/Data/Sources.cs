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

/// <summary>Loan-book figures (<see cref="ILoanPortfolio"/>) for a reporting date, or null when none are known for it.</summary>
internal interface IPortfolioSource
{
    ValueTask<PortfolioFigures?> FiguresAsync(DateOnly asOf, CancellationToken cancellationToken);
}

/// <summary>
/// Counts of reports filed with the regulator (suspicious transaction reports). No module publishes them
/// yet (AML keeps its STRs in its own tables with no public contract), so the host registers none and
/// the indicators that need it are "undefined" with that reason. docs/regtech.md "Sources".
/// </summary>
internal interface IReportCountSource
{
    ValueTask<long> CountAsync(string source, DateOnly from, DateOnly to, CancellationToken cancellationToken);
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
