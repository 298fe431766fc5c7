using Banyan.Platform;

namespace Banyan.Gateway;

/// <summary>
/// Gateway protection for partner-facing APIs (issue 5 items 7 and 8): per-partner rate limits and
/// monthly quotas, per-call metering, the abnormal-call detector and the zero-trust access risk engine
/// (<see cref="Banyan.Platform.Security.IAccessRiskEngine"/>). Operators use <c>/v1/gateway</c> (scope
/// <c>admin</c>); docs/gateway.md.
/// </summary>
public sealed class GatewayModule : BanyanModule
{
    /// <inheritdoc />
    public override string Name => "gateway";

    /// <inheritdoc />
    public override IReadOnlyList<string> Scopes => ["gateway"];
}
