using Banyan.Platform.Security;

namespace Banyan.Gateway;

/// <summary>What the gateway does with one call: the detector's decision, then (for allowed calls) the limiter's.</summary>
internal readonly record struct GatewayVerdict(DetectorDecision Decision, LimitVerdict Limit)
{
    public bool Refused => Decision.Outcome == AccessOutcome.Block || !Limit.Allowed;
}

/// <summary>
/// The order of the gateway's checks, shared by the middleware and the traffic simulator: the
/// detector first, so a blocked call never uses the partner's quota (an attacker with a stolen key
/// cannot exhaust a partner's limits for its legitimate traffic), then the partner's limits.
/// </summary>
internal sealed class GatewayDecider(AbnormalCallDetector detector, PartnerRateLimiter limiter, LimitsStore limits)
{
    public GatewayVerdict Decide(CallObservation call)
    {
        var decision = detector.Observe(call with { PartnerPerSecondLimit = limits.For(call.Partner).PerSecond });
        if (decision.Outcome == AccessOutcome.Block) return new GatewayVerdict(decision, LimitVerdict.Allow);
        return new GatewayVerdict(decision, limiter.TryAcquire(call.Partner, call.At));
    }
}
