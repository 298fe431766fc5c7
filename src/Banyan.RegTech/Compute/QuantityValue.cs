namespace Banyan.RegTech.Compute;

/// <summary>
/// One line of a drill-down: an account (with its balance and the factor applied), a transfer, a
/// counterparty group or a facade figure, and the amount it adds to the quantity. Amounts are integer
/// minor units; for a <c>count</c> quantity each contribution is one counted item.
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
    string? Note = null);

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
