using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Banyan.Gateway;

/// <summary>
/// Each partner's limits: admin-set values (gateway_partner_limits, cached here) win over
/// <c>Banyan:Gateway:Partners:&lt;id&gt;</c>, which wins over <c>DefaultLimits</c>.
/// </summary>
internal sealed class LimitsStore(GatewayOptions options)
{
    private readonly ConcurrentDictionary<string, PartnerLimits> _stored = new(StringComparer.Ordinal);

    public PartnerLimits For(string partner) =>
        _stored.TryGetValue(partner, out var stored) ? stored
        : options.Partners.TryGetValue(partner, out var configured) ? configured
        : options.DefaultLimits;

    public bool IsStored(string partner) => _stored.ContainsKey(partner);

    public void Cache(string partner, PartnerLimits limits) => _stored[partner] = limits;

    public async Task LoadAsync(DbContext db, CancellationToken ct)
    {
        var rows = await db.Set<PartnerLimitsRow>().AsNoTracking().ToListAsync(ct);
        foreach (var row in rows) _stored[row.Partner] = new PartnerLimits(row.PerSecond, row.PerMinute, row.PerHour, row.PerMonth);
    }
}

/// <summary>
/// On start (after the host created the schema): loads admin-set limits and this month's metered
/// calls per partner, so a restart neither forgets limits nor hands out a fresh monthly quota.
/// </summary>
internal sealed class GatewayStartup(IServiceScopeFactory scopes, LimitsStore limits, PartnerRateLimiter limiter, TimeProvider time) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        await limits.LoadAsync(db, cancellationToken);
        var now = time.GetUtcNow();
        var month = MonthOf(now);
        var counts = await db.Set<MeteringRow>().AsNoTracking().Where(m => m.Month == month)
            .GroupBy(m => m.Partner).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);
        foreach (var count in counts) limiter.SeedMonth(count.Key, now, count.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static int MonthOf(DateTimeOffset at) => (at.UtcDateTime.Year * 100) + at.UtcDateTime.Month;
}
