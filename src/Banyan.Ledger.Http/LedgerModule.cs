using Banyan.Platform;

namespace Banyan.Ledger.Http;

/// <summary>The ledger module: owns the engine's lifetime and exposes it under <c>/v1/ledger</c> (scope <c>ledger</c>).</summary>
public sealed class LedgerModule : BanyanModule
{
    /// <inheritdoc />
    public override string Name => "ledger";

    /// <inheritdoc />
    public override IReadOnlyList<string> Scopes => ["ledger"];
}
