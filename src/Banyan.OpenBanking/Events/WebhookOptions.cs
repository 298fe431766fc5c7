using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Banyan.OpenBanking.Events;

/// <summary>
/// Delivery settings (<c>Banyan:OpenBanking:Webhooks:*</c>). Attempt n (1-based) that fails is retried after
/// <c>min(BaseDelay · 2^(n-1), MaxDelay)</c> scaled by a random factor in [0.75, 1) (jitter, so receivers that
/// come back are not hit by every sender at once); after <see cref="MaxAttempts"/> attempts the delivery is <c>failed</c>.
/// </summary>
internal sealed record WebhookOptions(TimeSpan BaseDelay, TimeSpan MaxDelay, int MaxAttempts, TimeSpan PollInterval, TimeSpan Timeout)
{
    public const string Section = "Banyan:OpenBanking:Webhooks";

    /// <summary>Webhook endpoints one partner may register.</summary>
    public const int MaxEndpointsPerPartner = 5;

    public static readonly WebhookOptions Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), 8, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

    public static WebhookOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var options = new WebhookOptions(
            Millis(section, "BaseDelayMs", Default.BaseDelay),
            Millis(section, "MaxDelayMs", Default.MaxDelay),
            int.TryParse(section["MaxAttempts"], NumberStyles.None, CultureInfo.InvariantCulture, out var max) ? max : Default.MaxAttempts,
            Millis(section, "PollIntervalMs", Default.PollInterval),
            Millis(section, "TimeoutMs", Default.Timeout));
        if (options.MaxAttempts is < 1 or > 20 || options.BaseDelay <= TimeSpan.Zero || options.MaxDelay < options.BaseDelay || options.MaxDelay > TimeSpan.FromDays(1)
            || options.PollInterval <= TimeSpan.Zero || options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromSeconds(60))
        {
            throw new InvalidOperationException($"{Section}: MaxAttempts 1-20, 0 < BaseDelayMs <= MaxDelayMs <= 1 day, PollIntervalMs > 0, TimeoutMs 1-60000.");
        }

        return options;
    }

    /// <summary>The delay before the attempt after failed attempt <paramref name="attempt"/> (1-based); <paramref name="unit"/> in [0, 1) is the jitter draw.</summary>
    public TimeSpan Backoff(int attempt, double unit)
    {
        if (attempt < 1 || unit is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(attempt), "attempt >= 1 and unit in [0, 1)");
        }

        // Doubles cannot overflow here: attempt <= 20, so 2^19 times a day is still finite and then capped.
        var exponential = Math.Min(BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1), MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Max(1, exponential * (0.75 + (0.25 * unit))));
    }

    private static TimeSpan Millis(IConfigurationSection section, string key, TimeSpan fallback) =>
        long.TryParse(section[key], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(ms) : fallback;
}
