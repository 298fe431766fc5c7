namespace Banyan.RegTech.Compute;

/// <summary>
/// One line of a drill-down: an account (with its balance and the factor applied), a transfer, a
/// counterparty group or a facade figure, and the amount it adds to the quantity. Amounts are integer
/// minor units of the reporting currency; for a <c>count</c> quantity each contribution is one counted item.
/// A converted account also carries its own <c>Currency</c>, its <c>OriginalBalance</c> there (minor units),
/// the <c>FxRate</c> used (1 unit of it = rate units of the reporting currency) and the rate's date.
/// </summary>
internal sealed record Contribution(
    string Source,
    string? AccountId = null,
    uint? Ledger = null,
    ushort? Code = null,
    string? Line = null,
    string? Counterparty = null,
    long? Balance = null,
    decimal? Factor = null,
    long Amount = 0,
    string? TransferId = null,
    string? Note = null,
    string? Currency = null,
    long? OriginalBalance = null,
    decimal? FxRate = null,
    DateOnly? FxRateDate = null);

/// <summary>A computed base quantity as of a date, with its drill-down.</summary>
/// Measure: <c>amount</c>: contributions sum to the value; <c>count</c>: the value is the number of contributions; <c>expression</c>: see Expr.
internal sealed record QuantityValue(
    QuantityRef Ref,
    DateOnly Date,
    string Kind,
    string Name,
    decimal? Value,
    string? Undefined,
    string Measure,
    IReadOnlyList<Contribution> Contributions,
    string? Expr = null);
