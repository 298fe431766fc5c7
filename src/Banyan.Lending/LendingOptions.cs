namespace Banyan.Lending;

/// <summary>Configuration of the module (section <c>Banyan:Lending</c>).</summary>
internal sealed record LendingOptions
{
    /// <summary>The ledger (currency) loans are booked in; 1 = CNY in the demo chart.</summary>
    public uint Ledger { get; init; } = 1;
}
