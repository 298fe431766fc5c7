using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Banyan.Server.Tests.Support;

namespace Banyan.Server.Tests;

public sealed class ProblemTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync();
        _api = await _host.AuthorizedClientAsync();
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Unknown_route_is_a_404_problem()
    {
        using var response = await _api.GetAsync(new Uri("/v1/test/nope", UriKind.Relative));
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
        Assert.Contains("/v1/test/nope", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_method_is_a_405_problem()
    {
        using var response = await _api.DeleteAsync(new Uri("/v1/test/ping", UriKind.Relative));
        await Problems.AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_that_says_where()
    {
        using var response = await PostJsonAsync("/v1/test/echo", """{"text": "a", "amount_minor": }""");
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "bad-request");
        Assert.Contains("amount_minor", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _host.Module.Created);
    }

    [Fact]
    public async Task Missing_required_member_is_a_400_problem()
    {
        using var response = await PostJsonAsync("/v1/test/echo", """{"text": "a"}""");
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "bad-request");
        Assert.Contains("amount_minor", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_member_is_rejected_rather_than_ignored()
    {
        using var response = await PostJsonAsync("/v1/test/echo", """{"text": "a", "amount_minor": 1, "amountMinor": 2}""");
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "bad-request");
        Assert.Contains("amountMinor", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _host.Module.Created);
    }

    [Fact]
    public async Task Module_validation_problem_carries_field_errors_in_snake_case()
    {
        using var response = await PostJsonAsync("/v1/test/echo", """{"text": "", "amount_minor": 1}""");
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.Equal("must not be empty", problem.GetProperty("errors").GetProperty("text")[0].GetString());
    }

    [Fact]
    public async Task Wrong_content_type_is_a_415_problem()
    {
        using var content = new StringContent("text=a", Encoding.UTF8, "text/plain");
        using var response = await _api.PostAsync(new Uri("/v1/test/echo", UriKind.Relative), content);
        await Problems.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Fact]
    public async Task Body_over_the_default_limit_is_a_413_problem()
    {
        var text = new string('a', (1024 * 1024) + 10);
        using var response = await PostJsonAsync("/v1/test/echo", $$"""{"text": "{{text}}", "amount_minor": 1}""", expectContinue: true);
        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Equal(0, _host.Module.Created);
    }

    [Fact]
    public async Task Default_limit_comes_from_configuration()
    {
        await using var host = await TestHost.StartAsync(["--Banyan:Api:MaxRequestBodyBytes=64"]);
        using var api = await host.AuthorizedClientAsync();
        using var small = new StringContent("""{"text": "a", "amount_minor": 1}""", Encoding.UTF8, "application/json");
        using var accepted = await api.PostAsync(new Uri("/v1/test/echo", UriKind.Relative), small);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        using var large = new StringContent($$"""{"text": "{{new string('a', 80)}}", "amount_minor": 1}""", Encoding.UTF8, "application/json");
        using var rejected = await api.PostAsync(new Uri("/v1/test/echo", UriKind.Relative), large);
        await Problems.AssertProblemAsync(rejected, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_a_413_problem()
    {
        var text = new string('a', (1024 * 1024) + 10);
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"text": "{{text}}", "amount_minor": 1}""")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/test/echo") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await _api.SendAsync(request);
        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Equal(0, _host.Module.Created);
    }

    [Fact]
    public async Task Endpoint_with_a_raised_limit_accepts_a_body_over_the_default()
    {
        var data = new string('b', 2 * 1024 * 1024);
        using var response = await PostJsonAsync("/v1/test/big", $$"""{"data": "{{data}}"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($$"""{"message":"{{data.Length}}"}""", await response.Content.ReadAsStringAsync());

        var tooMuch = new string('b', TestModule.BigLimitBytes);
        using var rejected = await PostJsonAsync("/v1/test/big", $$"""{"data": "{{tooMuch}}"}""", expectContinue: true);
        await Problems.AssertProblemAsync(rejected, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Fact]
    public async Task Unhandled_exception_is_a_500_problem_without_internals()
    {
        using var response = await _api.GetAsync(new Uri("/v1/test/boom", UriKind.Relative));
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.InternalServerError, "internal");
        var body = problem.GetRawText();
        Assert.DoesNotContain("secret internal detail", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        Assert.Contains(_host.Logs.Lines, line => line.Contains("secret internal detail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Request_id_is_echoed_and_appears_in_problems_and_logs()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/test/boom");
        request.Headers.Add("X-Request-ID", "req-abc.123");
        using var response = await _api.SendAsync(request);
        Assert.Equal("req-abc.123", response.Headers.GetValues("X-Request-ID").Single());
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.InternalServerError, "internal");
        Assert.Equal("req-abc.123", problem.GetProperty("request_id").GetString());
        Assert.Contains(_host.Logs.Lines, line => line.Contains("secret internal detail", StringComparison.Ordinal) && line.Contains("request_id=req-abc.123", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Missing_or_unsafe_request_id_is_replaced_by_a_generated_one()
    {
        using var plain = await _host.Client.GetAsync(new Uri("/health", UriKind.Relative));
        var generated = plain.Headers.GetValues("X-Request-ID").Single();
        Assert.Matches("^[0-9a-f]{32}$", generated);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.TryAddWithoutValidation("X-Request-ID", new string('x', 200));
        using var response = await _host.Client.SendAsync(request);
        Assert.Matches("^[0-9a-f]{32}$", response.Headers.GetValues("X-Request-ID").Single());
    }

    // With Expect: 100-continue the server can refuse an oversized body before the client sends it,
    // instead of the client hitting a closed connection mid-upload.
    private async Task<HttpResponseMessage> PostJsonAsync(string path, string json, bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = expectContinue;
        return await _api.SendAsync(request);
    }
}
