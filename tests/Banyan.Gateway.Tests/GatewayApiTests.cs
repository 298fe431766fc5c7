using System.Text.Json;

namespace Banyan.Gateway.Tests;

[Collection(GatewayHostCollection.Name)]
public sealed class GatewayApiTests(GatewayHostFixture host)
{
    [Fact]
    public async Task Admin_endpoints_refuse_a_token_without_the_admin_scope()
    {
        using var partner = await host.ClientWithScopeAsync("gateway");
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"v1/gateway/usage?partner={GatewayHostFixture.ClientId}"),
            (HttpMethod.Get, "v1/gateway/decisions"),
            (HttpMethod.Get, "v1/gateway/partners/p1/limits"),
            (HttpMethod.Post, "v1/gateway/partners/p1/release"),
            (HttpMethod.Get, "v1/gateway/stats"),
        })
        {
            var (status, body, response) = await partner.SendAsync(method, path);
            response.Dispose();
            Assert.Equal(403, status);
            Assert.Equal("https://banyan.dev/problems/forbidden", body.GetProperty("type").GetString());
        }

        var (put, _, r) = await partner.SendAsync(HttpMethod.Put, "v1/gateway/partners/p1/limits", """{"per_second":1,"per_minute":1,"per_hour":1,"per_month":1}""");
        r.Dispose();
        Assert.Equal(403, put);
        using var admin = await host.ClientWithScopeAsync("admin");
        var (limits, body2, r2) = await admin.SendAsync(HttpMethod.Get, "v1/gateway/partners/p1/limits");
        r2.Dispose();
        Assert.Equal(200, limits);
        Assert.Equal(PartnerLimits.Default.PerSecond, body2.GetProperty("per_second").GetInt64());
    }

    [Fact]
    public async Task Minute_limit_answers_429_with_retry_after_and_a_problem_and_metering_bills_each_request_id_once()
    {
        using var admin = await host.ClientWithScopeAsync("admin");
        using var partner = await host.ClientWithScopeAsync("gateway");
        var (set, _, r) = await admin.SendAsync(HttpMethod.Put, $"v1/gateway/partners/{GatewayHostFixture.ClientId}/limits",
            """{"per_second":1000,"per_minute":4,"per_hour":1000,"per_month":1000}""");
        r.Dispose();
        Assert.Equal(200, set);
        var (_, before, r0) = await admin.SendAsync(HttpMethod.Get, $"v1/gateway/usage?partner={GatewayHostFixture.ClientId}");
        r0.Dispose();
        var billedBefore = before.GetProperty("billable_calls").GetInt64();
        try
        {
            // Two requests reuse one request id (a client retry): four calls fit the minute, three are billable.
            var id = "retry-" + Guid.NewGuid().ToString("N");
            var statuses = new List<int>();
            HttpResponseMessage? limited = null;
            JsonElement problem = default;
            for (var i = 0; i < 6 && limited is null; i++)
            {
                var (status, body, response) = await partner.SendAsync(HttpMethod.Get, $"v1/gateway/echo/{i}", requestId: i < 2 ? id : null);
                statuses.Add(status);
                if (status == 429) (limited, problem) = (response, body);
                else response.Dispose();
            }

            Assert.NotNull(limited);
            using (limited)
            {
                Assert.True(statuses.Count(s => s == 200) <= 4);
                var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(retryAfter, 1, 60);
                Assert.Equal("https://banyan.dev/problems/rate-limited", problem.GetProperty("type").GetString());
                Assert.Equal("minute", problem.GetProperty("window").GetString());
            }

            var ok = statuses.Count(s => s == 200);
            var (_, usage, r1) = await admin.SendAsync(HttpMethod.Get, $"v1/gateway/usage?partner={GatewayHostFixture.ClientId}");
            r1.Dispose();
            Assert.Equal(billedBefore + ok - 1, usage.GetProperty("billable_calls").GetInt64());
            var (_, decisions, r2) = await admin.SendAsync(HttpMethod.Get, $"v1/gateway/decisions?partner={GatewayHostFixture.ClientId}&outcome=rate_limited");
            r2.Dispose();
            Assert.Contains(decisions.GetProperty("items").EnumerateArray(), d => d.GetProperty("reasons")[0].GetString()!.Contains("minute", StringComparison.Ordinal));
        }
        finally
        {
            using var reset = (await admin.SendAsync(HttpMethod.Put, $"v1/gateway/partners/{GatewayHostFixture.ClientId}/limits",
                """{"per_second":1000,"per_minute":100000,"per_hour":1000000,"per_month":100000000}""")).Response;
        }
    }

    [Fact]
    public async Task Invalid_limits_are_a_validation_problem_and_change_nothing()
    {
        using var admin = await host.ClientWithScopeAsync("admin");
        var (status, body, r) = await admin.SendAsync(HttpMethod.Put, "v1/gateway/partners/p-invalid/limits", """{"per_second":0,"per_minute":10,"per_hour":10,"per_month":10}""");
        r.Dispose();
        Assert.Equal(400, status);
        Assert.True(body.GetProperty("errors").TryGetProperty("per_second", out _));
        var (_, limits, r2) = await admin.SendAsync(HttpMethod.Get, "v1/gateway/partners/p-invalid/limits");
        r2.Dispose();
        Assert.Equal(PartnerLimits.Default.PerMinute, limits.GetProperty("per_minute").GetInt64());
    }
}
