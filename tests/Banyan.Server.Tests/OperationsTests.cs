using System.Net;
using System.Text;
using System.Text.Json;
using Banyan.Server.Tests.Support;

namespace Banyan.Server.Tests;

public sealed class OperationsTests
{
    [Fact]
    public async Task Health_is_anonymous_and_ready_reports_storage_and_module_checks()
    {
        await using var host = await TestHost.StartAsync();
        using var live = await host.Client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("healthy", JsonDocument.Parse(await live.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());

        using var ready = await host.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var checks = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        Assert.Equal("healthy", checks.GetProperty("storage").GetProperty("status").GetString());
        Assert.Equal("healthy", checks.GetProperty("test-module").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_is_a_503_problem_when_storage_is_unreachable()
    {
        await using var host = await TestHost.StartAsync();
        File.Delete(Path.Combine(host.DataDirectory, "banyan.db-wal"));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(Path.Combine(host.DataDirectory, "banyan.db"));
        Directory.CreateDirectory(Path.Combine(host.DataDirectory, "banyan.db"));
        using var ready = await host.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var problem = await Problems.AssertProblemAsync(ready, HttpStatusCode.ServiceUnavailable, "unavailable");
        Assert.Equal("unhealthy", problem.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Metrics_expose_http_server_and_module_meters_in_prometheus_text()
    {
        await using var host = await TestHost.StartAsync();
        using var api = await host.AuthorizedClientAsync();
        using var content = new StringContent("""{"text": "m", "amount_minor": 1}""", Encoding.UTF8, "application/json");
        using var echo = await api.PostAsync(new Uri("/v1/test/echo", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Created, echo.StatusCode);

        using var response = await host.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("banyan_test_echoes", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_and_tokens_never_reach_the_logs()
    {
        // Everything at Trace, including OpenIddict and ASP.NET Core: even the most verbose logs stay clean.
        await using var host = await TestHost.StartAsync(["--Logging:LogLevel:Default=Trace", "--Logging:LogLevel:OpenIddict=Trace", "--Logging:LogLevel:Microsoft=Trace", "--Logging:LogLevel:Microsoft.AspNetCore=Trace", "--Logging:Capturing:LogLevel:Default=Trace"]);
        var file = host.ReadBootstrapFile();
        using var api = await host.AuthorizedClientAsync();
        var token = api.DefaultRequestHeaders.Authorization!.Parameter!;
        using var ping = await api.GetAsync(new Uri("/v1/test/ping", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);

        Assert.NotEmpty(host.Logs.Lines);
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(file.ClientSecret, StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(token, StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(token.Split('.')[2], StringComparison.Ordinal));
    }
}
