using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using Banyan.Platform.Http;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Banyan.Gateway;

/// <summary>Problem types of the gateway (docs/gateway.md).</summary>
internal static class GatewayProblems
{
    public static readonly ProblemType Blocked = ProblemType.Define("gateway/call-blocked", 403, "The gateway blocked this call.");

    public static readonly ProblemType StepUpRequired = ProblemType.Define("gateway/step-up-required", 403, "The customer must confirm with a second factor.");
}

/// <summary>Who is calling, from where, as the gateway resolved it.</summary>
internal readonly record struct CallerIdentity(string Partner, string? Customer, IPAddress? Source, string Region, string? CustomerSource, string? CustomerRegion);

/// <summary>
/// Gateway protection on the protected prefixes: identify partner, customer, source and region; apply
/// the detector (403 with reasons on block or customer step-up), then the partner's limits (429 + Retry-After);
/// meter successful calls. Requests outside the prefixes cost one prefix comparison.
/// </summary>
internal sealed class GatewayMiddleware(
    RequestDelegate next,
    GatewayOptions options,
    RegionTable regions,
    GatewayDecider decider,
    GatewaySink sink,
    OverheadStats stats,
    TimeProvider time)
{
    public const string CustomerIpHeader = "x-fapi-customer-ip-address";
    private readonly IPNetwork[] _trustedProxies = [.. options.TrustedProxies.Select(IPNetwork.Parse)];

    public async Task InvokeAsync(HttpContext context)
    {
        if (!IsProtected(context.Request.Path) || Caller(context) is not { } caller)
        {
            await next(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        var endpoint = EndpointName(context);
        var verdict = decider.Decide(new CallObservation(caller.Partner, caller.Customer, endpoint, Resource(context), caller.Source?.ToString() ?? "unknown",
            caller.Region, caller.CustomerSource, caller.CustomerRegion, now, 0, HasSecondFactor(context.User)));
        var decision = verdict.Decision;
        if (decision.Outcome != AccessOutcome.Allow && await RefuseAsync(context, caller, endpoint, now, decision, started)) return;
        if (!verdict.Limit.Allowed)
        {
            var limit = verdict.Limit;
            stats.CountRateLimited();
            Record(context, caller, endpoint, now, "rate_limited", [$"rate_limit: {limit.Window} limit reached"], "limit:" + caller.Partner + "|" + limit.Window);
            context.Response.Headers.RetryAfter = limit.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await WriteProblemAsync(context, ProblemTypes.RateLimited, $"The {limit.Window} limit of partner '{caller.Partner}' is reached; retry after {limit.RetryAfterSeconds} s.",
                [new("window", limit.Window)], started);
            return;
        }

        var before = Stopwatch.GetTimestamp() - started;
        await next(context);
        var after = Stopwatch.GetTimestamp();
        if (context.Response.StatusCode is >= 200 and < 300) Meter(context, caller, endpoint, now);
        stats.Record(before + (Stopwatch.GetTimestamp() - after));
    }

    /// <summary>Writes the refusal for a block (and a customer step-up); a partner-only step-up is recorded and let through.</summary>
    private async Task<bool> RefuseAsync(HttpContext context, CallerIdentity caller, string endpoint, DateTimeOffset now, DetectorDecision decision, long started)
    {
        var block = decision.Outcome == AccessOutcome.Block;
        if (block) stats.CountBlocked();
        else stats.CountStepUp();
        Record(context, caller, endpoint, now, block ? "block" : "step_up", decision.Reasons, decision.Key);
        if (!block && caller.Customer is null) return false;
        var type = block ? GatewayProblems.Blocked : GatewayProblems.StepUpRequired;
        await WriteProblemAsync(context, type, string.Join("; ", decision.Reasons), [new("reasons", decision.Reasons)], started);
        return true;
    }

    private bool IsProtected(PathString path)
    {
        foreach (var prefix in options.ProtectedPrefixes)
        {
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }

    /// <summary>The partner is the token's <c>client_id</c> (or <c>sub</c> of a client-credentials token); unauthenticated calls are left to the endpoint's authorization.</summary>
    private CallerIdentity? Caller(HttpContext context)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true) return null;
        var partner = Claim(user, "client_id") ?? Claim(user, "sub") ?? Claim(user, ClaimTypes.NameIdentifier);
        if (partner is null) return null;
        var source = SourceOf(context);
        IPAddress? customerSource = null;
        var header = context.Request.Headers[CustomerIpHeader].ToString();
        if (header.Length is > 0 and <= 64 && IPAddress.TryParse(header, out var parsed)) customerSource = parsed;
        return new CallerIdentity(partner, Claim(user, "customer_id"), source, regions.RegionOf(source),
            customerSource?.ToString(), customerSource is null ? null : regions.RegionOf(customerSource));
    }

    /// <summary>Authentication methods (RFC 8176 <c>amr</c>) that satisfy a step-up: one-time password or multi-factor.</summary>
    private static bool HasSecondFactor(ClaimsPrincipal user) =>
        user.FindAll("amr").Any(c => c.Value is "otp" or "mfa" || c.Value.Contains("\"otp\"", StringComparison.Ordinal) || c.Value.Contains("\"mfa\"", StringComparison.Ordinal));

    private static string? Claim(ClaimsPrincipal user, string type)
    {
        var value = user.FindFirst(type)?.Value;
        return string.IsNullOrWhiteSpace(value) || value.Length > GatewayModel.Id ? null : value;
    }

    /// <summary>The TCP peer, or — only when that peer is a trusted proxy — the nearest untrusted X-Forwarded-For hop.</summary>
    internal IPAddress? SourceOf(HttpContext context)
    {
        var peer = Normalize(context.Connection.RemoteIpAddress);
        if (peer is null || !IsTrusted(peer)) return peer;
        var hops = context.Request.Headers["X-Forwarded-For"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = hops.Length - 1; i >= 0 && hops.Length - i <= 16; i--)
        {
            if (!IPAddress.TryParse(hops[i], out var hop)) return peer;
            hop = Normalize(hop)!;
            if (!IsTrusted(hop)) return hop;
        }

        return peer;
    }

    private static IPAddress? Normalize(IPAddress? address) => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;

    private bool IsTrusted(IPAddress address) => _trustedProxies.Any(n => n.Contains(address));

    private static string EndpointName(HttpContext context)
    {
        var template = context.GetEndpoint() is RouteEndpoint route ? route.RoutePattern.RawText : null;
        var path = template ?? context.Request.Path.Value ?? "/";
        var name = context.Request.Method + " " + (path.StartsWith('/') ? path : "/" + path);
        return name.Length <= GatewayModel.Endpoint ? name : name[..GatewayModel.Endpoint];
    }

    /// <summary>The route values (e.g. an account id) that name the resource, for enumeration checks.</summary>
    private static string? Resource(HttpContext context)
    {
        var values = context.Request.RouteValues;
        if (values.Count == 0) return null;
        var parts = values.Where(v => v.Value is not null).OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Key + "=" + v.Value);
        var resource = string.Join('&', parts);
        return resource.Length == 0 ? null : resource[..Math.Min(resource.Length, GatewayModel.Id)];
    }

    private static string RequestId(HttpContext context)
    {
        var id = context.Request.Headers["X-Request-ID"].ToString();
        if (id.Length == 0) id = context.Response.Headers["X-Request-ID"].ToString();
        if (id.Length == 0) id = context.TraceIdentifier;
        return id.Length <= GatewayModel.Id ? id : id[..GatewayModel.Id];
    }

    private void Meter(HttpContext context, CallerIdentity caller, string endpoint, DateTimeOffset now) => sink.Meter(new MeteringRow
    {
        Partner = caller.Partner,
        RequestId = RequestId(context),
        Customer = caller.Customer,
        Endpoint = endpoint,
        Status = context.Response.StatusCode,
        Month = GatewayStartup.MonthOf(now),
        AtUnixMs = now.ToUnixTimeMilliseconds(),
    });

    private void Record(HttpContext context, CallerIdentity caller, string endpoint, DateTimeOffset now, string outcome, IReadOnlyList<string> reasons, string? key)
    {
        var text = string.Join('\n', reasons);
        sink.Decide(new DecisionRow
        {
            AtUnixMs = now.ToUnixTimeMilliseconds(),
            Partner = caller.Partner,
            Customer = caller.Customer,
            Source = caller.Customer is not null && caller.CustomerSource is not null ? caller.CustomerSource : caller.Source?.ToString() ?? "unknown",
            Region = caller.Customer is not null && caller.CustomerRegion is not null ? caller.CustomerRegion : caller.Region,
            Endpoint = endpoint,
            Outcome = outcome,
            Reasons = text.Length <= GatewayModel.Reasons ? text : text[..GatewayModel.Reasons],
            RequestId = RequestId(context),
        }, key);
    }

    private async Task WriteProblemAsync(HttpContext context, ProblemType type, string detail, KeyValuePair<string, object?>[] extensions, long started)
    {
        context.Response.StatusCode = type.Status;
        var problems = context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        var problem = BanyanProblems.Create(type, detail, extensions);
        stats.Record(Stopwatch.GetTimestamp() - started);
        if (problems is null || !await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
        }
    }
}
