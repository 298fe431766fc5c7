namespace Banyan.Lending;

/// <summary>Configuration of the module (section <c>Banyan:Lending</c>).</summary>
internal sealed record LendingOptions
{
    /// <summary>The ledger (currency) loans are booked in: the ISO 4217 numeric code, 156 = CNY (docs/architecture.md "Conventions").</summary>
    public uint Ledger { get; init; } = 156;

    /// <summary>
    /// Book a loan only for an application the credit module approved, within its limit (default true).
    /// A host without the credit module must turn this off explicitly; otherwise every loan is refused.
    /// </summary>
    public bool RequireCreditDecision { get; init; } = true;
}
