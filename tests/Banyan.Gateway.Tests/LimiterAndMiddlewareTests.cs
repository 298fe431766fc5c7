using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Banyan.Gateway.Tests;

internal sealed class FakeTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

public sealed class LimiterAndMiddlewareTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 23, 59, 0, TimeSpan.Zero);

    [Fact]
    public void Each_window_refuses_when_full_and_says_when_it_reopens()
    {
        var limiter = new PartnerRateLimiter(_ => new PartnerLimits(2, 3, 100, 1000));
        Assert.True(limiter.TryAcquire("p", T0).Allowed);
        Assert.True(limiter.TryAcquire("p", T0.AddMilliseconds(10)).Allowed);
        var second = limiter.TryAcquire("p", T0.AddMilliseconds(20));
        Assert.Equal(("second", 1L), (second.Window, second.RetryAfterSeconds));
        Assert.True(limiter.TryAcquire("p", T0.AddSeconds(1)).Allowed);
        var minute = limiter.TryAcquire("p", T0.AddSeconds(20));
        Assert.Equal(("minute", 40L), (minute.Window, minute.RetryAfterSeconds));
        Assert.True(limiter.TryAcquire("other", T0.AddSeconds(20)).Allowed);
        Assert.True(limiter.TryAcquire("p", T0.AddSeconds(60)).Allowed);
    }

    [Fact]
    public void The_monthly_quota_runs_out_and_reopens_on_the_first_of_the_next_month()
    {
        var limiter = new PartnerRateLimiter(_ => new PartnerLimits(100, 100, 100, 3));
        for (var i = 0; i < 3; i++) Assert.True(limiter.TryAcquire("p", T0.AddSeconds(i)).Allowed);
        var month = limiter.TryAcquire("p", T0.AddSeconds(5));
        Assert.Equal("month", month.Window);
        Assert.Equal(55, month.RetryAfterSeconds);
        Assert.True(limiter.TryAcquire("p", T0.AddSeconds(61)).Allowed);
    }

    [Fact]
    public void Refused_calls_use_no_quota()
    {
        var limiter = new PartnerRateLimiter(_ => new PartnerLimits(1, 100, 100, 2));
        Assert.True(limiter.TryAcquire("p", T0).Allowed);
        for (var i = 0; i < 10; i++) Assert.False(limiter.TryAcquire("p", T0).Allowed);
        Assert.Equal(1, limiter.MonthCount("p", T0));
        Assert.True(limiter.TryAcquire("p", T0.AddSeconds(1)).Allowed);
    }

    [Fact]
    public async Task Middleware_answers_429_problem_with_retry_after_from_the_fake_clock_and_only_on_protected_paths()
    {
        var time = new FakeTime(T0.AddSeconds(30));
        var gateway = Gateway(time, new PartnerLimits(1000, 2, 1000, 1000));
        var passed = 0;
        var middleware = gateway.Middleware(_ => { passed++; return Task.CompletedTask; });
        Assert.Equal(200, (await Invoke(middleware, "/v1/open-banking/accounts")).StatusCode);
        Assert.Equal(200, (await Invoke(middleware, "/v1/open-banking/accounts")).StatusCode);
        var limited = await Invoke(middleware, "/v1/open-banking/accounts");
        Assert.Equal(429, limited.StatusCode);
        Assert.Equal("30", limited.Response.Headers.RetryAfter.ToString());
        using var problem = JsonDocument.Parse(limited.Body);
        Assert.Equal("https://banyan.dev/problems/rate-limited", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(200, (await Invoke(middleware, "/v1/ledger/accounts")).StatusCode);
        Assert.Equal(3, passed);
        time.Now = T0.AddSeconds(60);
        Assert.Equal(200, (await Invoke(middleware, "/v1/open-banking/accounts")).StatusCode);
    }

    [Fact]
    public async Task Forwarded_for_is_believed_only_from_a_trusted_proxy()
    {
        var time = new FakeTime(T0);
        var gateway = Gateway(time, PartnerLimits.Default, trustedProxies: ["10.9.0.0/16"]);
        var middleware = gateway.Middleware(_ => Task.CompletedTask);
        var direct = Context("/v1/open-banking/accounts", "10.1.0.1");
        direct.Request.Headers["X-Forwarded-For"] = "10.5.0.1";
        Assert.Equal(IPAddress.Parse("10.1.0.1"), middleware.SourceOf(direct));
        var proxied = Context("/v1/open-banking/accounts", "10.9.0.1");
        proxied.Request.Headers["X-Forwarded-For"] = "10.5.0.1, 10.9.0.2";
        Assert.Equal(IPAddress.Parse("10.5.0.1"), middleware.SourceOf(proxied));
    }

    [Fact]
    public async Task A_blocked_call_is_a_403_problem_with_reasons_and_is_not_metered()
    {
        var time = new FakeTime(T0);
        var gateway = Gateway(time, PartnerLimits.Default);
        var middleware = gateway.Middleware(_ => Task.CompletedTask);
        HttpContext? blocked = null;
        for (var i = 0; i < 40 && blocked is null; i++)
        {
            time.Now = T0.AddMilliseconds(i);
            var result = await Invoke(middleware, "/v1/open-banking/products");
            if (result.StatusCode == 403) blocked = result.Context;
        }

        Assert.NotNull(blocked);
        Assert.Equal(1, gateway.Stats.Blocked);
    }

    private sealed record GatewayParts(GatewayOptions Options, RegionTable Regions, GatewayDecider Decider, GatewaySink Sink, OverheadStats Stats, TimeProvider Time)
    {
        public GatewayMiddleware Middleware(RequestDelegate next) => new(next, Options, Regions, Decider, Sink, Stats, Time);
    }

    private static GatewayParts Gateway(TimeProvider time, PartnerLimits limits, string[]? trustedProxies = null)
    {
        var options = new GatewayOptions { DefaultLimits = limits, TrustedProxies = trustedProxies ?? [] };
        var store = new LimitsStore(options);
        var detector = new AbnormalCallDetector(options.Detector);
        var decider = new GatewayDecider(detector, new PartnerRateLimiter(store.For), store);
        var sink = new GatewaySink(null!, options, NullLogger<GatewaySink>.Instance);
        return new GatewayParts(options, TrafficSimulator.RegionTable, decider, sink, new OverheadStats(), time);
    }

    private static DefaultHttpContext Context(string path, string remote = "10.1.0.1")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("client_id", "partner-x")], "test"));
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static async Task<(int StatusCode, HttpResponse Response, string Body, HttpContext Context)> Invoke(GatewayMiddleware middleware, string path)
    {
        var context = Context(path);
        context.RequestServices = new EmptyServices();
        await middleware.InvokeAsync(context);
        context.Response.Body.Position = 0;
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        return (context.Response.StatusCode, context.Response, body, context);
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
