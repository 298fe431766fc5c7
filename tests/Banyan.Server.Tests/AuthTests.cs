using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Banyan.Server.Tests.Support;

namespace Banyan.Server.Tests;

public sealed class AuthTests
{
    [Fact]
    public async Task First_start_writes_an_owner_only_bootstrap_file_whose_client_gets_a_signed_jwt()
    {
        await using var host = await TestHost.StartAsync();
        var path = Path.Combine(host.DataDirectory, "bootstrap-client.json");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(host.DataDirectory, "keys", "signing.pem")));
        }

        var file = host.ReadBootstrapFile();
        Assert.Equal(host.Client.BaseAddress + "connect/token", file.TokenEndpoint);
        Assert.Contains("test", file.Scopes);
        Assert.Contains("admin", file.Scopes);
        using var response = await host.RequestTokenAsync(file.ClientId, file.ClientSecret);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = await response.Content.ReadFromJsonAsync<JsonElement>();
        var jwt = token.GetProperty("access_token").GetString()!;
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonDocument.Parse(Base64UrlDecode(parts[0])).RootElement;
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        var payload = JsonDocument.Parse(Base64UrlDecode(parts[1])).RootElement;
        Assert.Contains("test", payload.GetProperty("scope").GetString()!.Split(' '));
        Assert.Equal(file.ClientId, payload.GetProperty("sub").GetString());

        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(file.ClientSecret, StringComparison.Ordinal) || line.Contains(jwt, StringComparison.Ordinal));
        Assert.Contains(host.Logs.Lines, line => line.Contains(path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wrong_secret_gets_an_oauth_invalid_client_error_and_no_token()
    {
        await using var host = await TestHost.StartAsync();
        var file = host.ReadBootstrapFile();
        using var response = await host.RequestTokenAsync(file.ClientId, file.ClientSecret + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Environment_bootstrap_client_is_provisioned_and_its_changed_secret_is_applied_on_restart()
    {
        var directory = TestHost.NewDataDirectory();
        try
        {
            await using (var host = await TestHost.StartAsync(["--BANYAN_BOOTSTRAP_CLIENT_ID=ops", "--BANYAN_BOOTSTRAP_CLIENT_SECRET=first-secret"], directory))
            {
                Assert.False(File.Exists(Path.Combine(directory, "bootstrap-client.json")));
                using var ok = await host.RequestTokenAsync("ops", "first-secret", "test admin");
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            }

            await using (var host = await TestHost.StartAsync(["--BANYAN_BOOTSTRAP_CLIENT_ID=ops", "--BANYAN_BOOTSTRAP_CLIENT_SECRET=second-secret"], directory))
            {
                using var old = await host.RequestTokenAsync("ops", "first-secret");
                Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
                using var current = await host.RequestTokenAsync("ops", "second-secret");
                Assert.Equal(HttpStatusCode.OK, current.StatusCode);
            }
        }
        finally
        {
            TestHost.TryDelete(directory);
        }
    }

    [Fact]
    public async Task Restart_keeps_keys_and_client_so_old_tokens_stay_valid()
    {
        var directory = TestHost.NewDataDirectory();
        try
        {
            string token;
            await using (var host = await TestHost.StartAsync(["--Banyan:Auth:Issuer=http://banyan.test/"], directory))
            {
                using var client = await host.AuthorizedClientAsync();
                token = client.DefaultRequestHeaders.Authorization!.Parameter!;
            }

            await using (var host = await TestHost.StartAsync(["--Banyan:Auth:Issuer=http://banyan.test/"], directory))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/test/ping");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await host.Client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
        finally
        {
            TestHost.TryDelete(directory);
        }
    }

    [Fact]
    public async Task V1_call_without_token_is_a_401_problem()
    {
        await using var host = await TestHost.StartAsync();
        using var response = await host.Client.GetAsync(new Uri("/v1/test/ping", UriKind.Relative));
        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task V1_call_with_a_forged_token_is_a_401_problem()
    {
        await using var host = await TestHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/test/ping");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "eyJhbGciOiJub25lIn0.eyJzY29wZSI6InRlc3QifQ.");
        using var response = await host.Client.SendAsync(request);
        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Expired_token_is_a_401_problem()
    {
        var time = new ManualTime();
        await using var host = await TestHost.StartAsync(time: time);
        using var api = await host.AuthorizedClientAsync();
        using (var fresh = await api.GetAsync(new Uri("/v1/test/ping", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        time.Advance(TimeSpan.FromMinutes(61));
        using var expired = await api.GetAsync(new Uri("/v1/test/ping", UriKind.Relative));
        await Problems.AssertProblemAsync(expired, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Token_without_the_endpoint_scope_is_a_403_problem()
    {
        await using var host = await TestHost.StartAsync();
        using var client = await host.AuthorizedClientAsync(scope: "payments");
        using var response = await client.GetAsync(new Uri("/v1/test/ping", UriKind.Relative));
        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Admin_scope_does_not_imply_module_scopes_and_module_scope_does_not_imply_admin()
    {
        await using var host = await TestHost.StartAsync();
        using var admin = await host.AuthorizedClientAsync(scope: "admin");
        using var adminOnModule = await admin.GetAsync(new Uri("/v1/test/ping", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, adminOnModule.StatusCode);
        using var adminOnAdmin = await admin.GetAsync(new Uri("/v1/test-admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, adminOnAdmin.StatusCode);

        using var module = await host.AuthorizedClientAsync(scope: "test");
        using var moduleOnAdmin = await module.GetAsync(new Uri("/v1/test-admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, moduleOnAdmin.StatusCode);
        using var moduleOnModule = await module.GetAsync(new Uri("/v1/test/ping", UriKind.Relative));
        Assert.Equal("""{"message":"pong"}""", await moduleOnModule.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Token_endpoint_is_rate_limited_with_a_429_problem_and_retry_after()
    {
        await using var host = await TestHost.StartAsync(["--Banyan:RateLimits:TokenPermitsPerMinute=2"]);
        var file = host.ReadBootstrapFile();
        for (var i = 0; i < 2; i++)
        {
            using var allowed = await host.RequestTokenAsync(file.ClientId, file.ClientSecret);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var limited = await host.RequestTokenAsync(file.ClientId, file.ClientSecret);
        await Problems.AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Fact]
    public async Task In_process_callers_get_an_authorized_client_for_a_started_host()
    {
        await using var host = await TestHost.StartAsync();
        using var api = await host.App.CreateAuthorizedClientAsync();
        using var response = await api.GetAsync(new Uri("v1/test/ping", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string Base64UrlDecode(string value)
    {
        var padded = value.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
    }
}
