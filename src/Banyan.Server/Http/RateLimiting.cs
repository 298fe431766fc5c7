using System.Globalization;
using System.Threading.RateLimiting;
using Banyan.Platform.Http;
using Banyan.Server.Identity;
using Microsoft.AspNetCore.RateLimiting;

namespace Banyan.Server.Http;

/// <summary>
/// Rate-limit policies: <c>token</c> (per remote address, on <c>/connect/token</c>) and
/// <c>per-client</c> (per OAuth client, for modules that opt in with <c>.RequireRateLimiting("per-client")</c>).
/// Rejections are 429 problems with <c>Retry-After</c>.
/// </summary>
internal static class RateLimiting
{
    public const string TokenPolicy = RateLimitPolicies.Token;
    public const string PerClientPolicy = RateLimitPolicies.PerClient;

    public static void AddBanyanRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var tokenPermits = Math.Max(1, configuration.GetValue("Banyan:RateLimits:TokenPermitsPerMinute", 60));
        var clientPermits = Math.Max(1, configuration.GetValue("Banyan:RateLimits:ClientPermitsPerSecond", 1000));
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(TokenPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = tokenPermits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            options.AddPolicy(PerClientPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                IdentityRegistration.ClientIdOf(context.User) ?? context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = clientPermits,
                    TokensPerPeriod = clientPermits,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
            options.OnRejected = WriteRejectionAsync;
        });
    }

    private static async ValueTask WriteRejectionAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = BanyanProblems.Create(ProblemTypes.RateLimited, $"Too many requests; retry after {retryAfter} s."),
        });
    }
}
