namespace Banyan.Platform.Http;

/// <summary>Names of the host's rate-limit policies, for <c>.RequireRateLimiting(...)</c> on module endpoints.</summary>
public static class RateLimitPolicies
{
    /// <summary>Per OAuth client token bucket (<c>Banyan:RateLimits:ClientPermitsPerSecond</c>, default 1000/s).</summary>
    public const string PerClient = "per-client";

    /// <summary>Per remote address, 60/min by default; used by <c>/connect/token</c>.</summary>
    public const string Token = "token";
}
