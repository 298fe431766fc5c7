using System.Globalization;
using System.Security.Claims;
using Banyan.Platform;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Gateway;

/// <summary>Usage of one partner in one month.</summary>
internal sealed record UsageReport(string Partner, string Month, long BillableCalls, IReadOnlyList<EndpointUsage> ByEndpoint, PartnerLimitsView Limits);

internal sealed record EndpointUsage(string Endpoint, long Calls);

/// <summary>A partner's limits as the API shows and accepts them.</summary>
internal sealed record PartnerLimitsView(long PerSecond, long PerMinute, long PerHour, long PerMonth);

internal sealed record DecisionView(long Id, DateTimeOffset At, string Partner, string? Customer, string Source, string Region, string Endpoint, string Outcome, IReadOnlyList<string> Reasons, string? RequestId);

internal sealed record DecisionPage(IReadOnlyList<DecisionView> Items, long? Next);

internal sealed record GatewayStatsView(long Calls, long Blocked, long StepUps, long RateLimited, double OverheadP50Micros, double OverheadP99Micros, double OverheadP999Micros, int TrackedKeys, long SinkDropped);

internal sealed record EchoView(string Partner, string? Customer, string? Id, DateTimeOffset At);

/// <summary>The gateway's API under <c>/v1/gateway</c>: operator endpoints (scope <c>admin</c>) and a protected echo for benchmarks and checks.</summary>
internal static class GatewayEndpoints
{
    public const string EchoPath = "/v1/gateway/echo";
    public const int MaxPageSize = 200;

    public static void Map(IEndpointRouteBuilder v1)
    {
        v1.MapGet("/gateway/echo/{id?}", Echo).RequireAuthorization(ScopePolicy.For("gateway")).WithTags("Gateway").WithName("GatewayEcho")
            .WithSummary("A protected read that returns who the gateway thinks is calling; used by the gateway benchmark and health checks.");
        var admin = v1.MapGroup("/gateway").RequireAuthorization(ScopePolicy.For(ScopePolicy.Admin)).WithTags("Gateway");
        admin.MapGet("/usage", UsageAsync).WithName("GetGatewayUsage")
            .WithSummary("Billable calls of a partner in a month (?partner=&month=YYYY-MM), in total and per endpoint.");
        admin.MapGet("/decisions", DecisionsAsync).WithName("ListGatewayDecisions")
            .WithSummary("Non-allow decisions, newest first (?partner=&outcome=block|step_up|rate_limited&after=<id>&limit=1..200).");
        admin.MapGet("/partners/{partner}/limits", GetLimits).WithName("GetGatewayPartnerLimits").WithSummary("A partner's effective limits.");
        admin.MapPut("/partners/{partner}/limits", PutLimitsAsync).WithName("SetGatewayPartnerLimits")
            .WithSummary("Sets a partner's limits: body {per_second, per_minute, per_hour, per_month}.");
        admin.MapPost("/partners/{partner}/release", Release).WithName("ReleaseGatewayPartner")
            .WithSummary("Lifts the detector's quarantines and forgets the short-term flows of a partner.");
        admin.MapGet("/stats", Stats).WithName("GetGatewayStats").WithSummary("Counters and the middleware's own time per call (p50/p99/p99.9, µs).");
    }

    private static Ok<EchoView> Echo(HttpContext http, TimeProvider time, string? id) =>
        TypedResults.Ok(new EchoView(ActorOf(http.User), http.User.FindFirst("customer_id")?.Value, id, time.GetUtcNow()));

    private static async Task<Results<Ok<UsageReport>, ProblemHttpResult>> UsageAsync(HttpContext http, GatewaySink sink, LimitsStore limits, TimeProvider time, string? partner, string? month)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(partner) || partner.Length > GatewayModel.Id) errors["partner"] = [$"is required, 1..{GatewayModel.Id} characters"];
        var at = time.GetUtcNow();
        if (month is not null)
        {
            if (DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) at = new DateTimeOffset(parsed.Year, parsed.Month, 1, 0, 0, 0, TimeSpan.Zero);
            else errors["month"] = ["must be YYYY-MM"];
        }

        if (errors.Count > 0) return BanyanProblems.Validation("one or more query parameters are invalid", errors);
        await sink.FlushAsync(http.RequestAborted);
        var key = GatewayStartup.MonthOf(at);
        var db = http.RequestServices.GetRequiredService<DbContext>();
        var rows = await db.Set<MeteringRow>().AsNoTracking().Where(m => m.Partner == partner && m.Month == key)
            .GroupBy(m => m.Endpoint).Select(g => new { g.Key, Calls = g.LongCount() }).ToListAsync(http.RequestAborted);
        var byEndpoint = rows.OrderByDescending(r => r.Calls).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => new EndpointUsage(r.Key, r.Calls)).ToList();
        return TypedResults.Ok(new UsageReport(partner!, at.ToString("yyyy-MM", CultureInfo.InvariantCulture), byEndpoint.Sum(e => e.Calls), byEndpoint, View(limits.For(partner!))));
    }

    private static async Task<Results<Ok<DecisionPage>, ProblemHttpResult>> DecisionsAsync(HttpContext http, GatewaySink sink, string? partner, string? outcome, string? after, string? limit)
    {
        var errors = new Dictionary<string, string[]>();
        if (partner is { Length: 0 or > GatewayModel.Id }) errors["partner"] = [$"must be 1..{GatewayModel.Id} characters"];
        if (outcome is not (null or "block" or "step_up" or "rate_limited")) errors["outcome"] = ["must be block, step_up or rate_limited"];
        long afterId = long.MaxValue;
        if (after is not null && (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterId) || afterId < 1)) errors["after"] = ["must be a decision id"];
        var size = 50;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize)) errors["limit"] = [$"must be 1..{MaxPageSize}"];
        if (errors.Count > 0) return BanyanProblems.Validation("one or more query parameters are invalid", errors);
        await sink.FlushAsync(http.RequestAborted);
        var db = http.RequestServices.GetRequiredService<DbContext>();
        var query = db.Set<DecisionRow>().AsNoTracking().Where(d => d.Id < afterId);
        if (partner is not null) query = query.Where(d => d.Partner == partner);
        if (outcome is not null) query = query.Where(d => d.Outcome == outcome);
        var rows = await query.OrderByDescending(d => d.Id).Take(size + 1).ToListAsync(http.RequestAborted);
        var items = rows.Take(size).Select(d => new DecisionView(d.Id, DateTimeOffset.FromUnixTimeMilliseconds(d.AtUnixMs), d.Partner, d.Customer, d.Source, d.Region, d.Endpoint, d.Outcome,
            d.Reasons.Split('\n', StringSplitOptions.RemoveEmptyEntries), d.RequestId)).ToList();
        return TypedResults.Ok(new DecisionPage(items, rows.Count > size ? items[^1].Id : null));
    }

    private static Results<Ok<PartnerLimitsView>, ProblemHttpResult> GetLimits(LimitsStore limits, string partner) =>
        partner.Length > GatewayModel.Id ? BanyanProblems.Validation("partner is too long") : TypedResults.Ok(View(limits.For(partner)));

    private static async Task<Results<Ok<PartnerLimitsView>, ProblemHttpResult>> PutLimitsAsync(HttpContext http, LimitsStore limits, TimeProvider time, string partner, PartnerLimitsView body)
    {
        if (partner.Length > GatewayModel.Id) return BanyanProblems.Validation("partner is too long");
        var value = new PartnerLimits(body.PerSecond, body.PerMinute, body.PerHour, body.PerMonth);
        if (value.Validate() is { } errors) return BanyanProblems.Validation("one or more limits are invalid", errors);
        var db = http.RequestServices.GetRequiredService<DbContext>();
        var row = await db.Set<PartnerLimitsRow>().FindAsync([partner], http.RequestAborted);
        if (row is null) db.Set<PartnerLimitsRow>().Add(row = new PartnerLimitsRow { Partner = partner });
        (row.PerSecond, row.PerMinute, row.PerHour, row.PerMonth) = (value.PerSecond, value.PerMinute, value.PerHour, value.PerMonth);
        row.UpdatedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        row.UpdatedBy = ActorOf(http.User);
        await db.SaveChangesAsync(http.RequestAborted);
        limits.Cache(partner, value);
        await AuditAsync(http, "partner_limits_set", partner, $"{value.PerSecond}/s {value.PerMinute}/min {value.PerHour}/h {value.PerMonth}/month");
        return TypedResults.Ok(View(value));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Release(HttpContext http, AbnormalCallDetector detector, string partner)
    {
        if (partner.Length > GatewayModel.Id) return BanyanProblems.Validation("partner is too long");
        detector.Release(partner);
        await AuditAsync(http, "partner_released", partner, "quarantines lifted");
        return TypedResults.NoContent();
    }

    private static Ok<GatewayStatsView> Stats(OverheadStats stats, AbnormalCallDetector detector, GatewaySink sink) => TypedResults.Ok(new GatewayStatsView(
        stats.Count, stats.Blocked, stats.StepUps, stats.RateLimited, stats.PercentileMicros(0.5), stats.PercentileMicros(0.99), stats.PercentileMicros(0.999), detector.TrackedKeys, sink.Dropped));

    private static PartnerLimitsView View(PartnerLimits l) => new(l.PerSecond, l.PerMinute, l.PerHour, l.PerMonth);

    private static async Task AuditAsync(HttpContext http, string action, string partner, string detail)
    {
        if (http.RequestServices.GetService<Banyan.Platform.Security.IAuditLog>() is not { } audit) return;
        await audit.AppendAsync(new Banyan.Platform.Security.AuditEntry("gateway", action, ActorOf(http.User), partner, "succeeded",
            new Dictionary<string, string> { ["detail"] = detail }), http.RequestAborted);
    }

    internal static string ActorOf(ClaimsPrincipal user) => user.FindFirst("client_id")?.Value ?? user.FindFirst("sub")?.Value ?? "unknown";
}
