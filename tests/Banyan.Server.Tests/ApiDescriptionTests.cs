using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Banyan.Server.Tests.Support;

namespace Banyan.Server.Tests;

public sealed partial class ApiDescriptionTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task OpenApi_document_is_3_1_with_oauth2_client_credentials_and_per_operation_scopes()
    {
        using var response = await _host.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync();
        if (Environment.GetEnvironmentVariable("BANYAN_OPENAPI_DUMP") is { Length: > 0 } dump)
        {
            // For linting the document with an external tool (docs/api-conventions.md).
            await File.WriteAllTextAsync(dump, json);
        }

        var document = JsonDocument.Parse(json).RootElement;
        Assert.StartsWith("3.1.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var flow = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("oauth2").GetProperty("flows").GetProperty("clientCredentials");
        Assert.Equal("/connect/token", flow.GetProperty("tokenUrl").GetString());
        Assert.True(flow.GetProperty("scopes").TryGetProperty("test", out _));

        var ping = document.GetProperty("paths").GetProperty("/v1/test/ping").GetProperty("get");
        Assert.Equal("test", ping.GetProperty("security")[0].GetProperty("oauth2")[0].GetString());
        var unauthorized = ping.GetProperty("responses").GetProperty("401").GetProperty("content").GetProperty("application/problem+json");
        Assert.Equal("#/components/schemas/Problem", unauthorized.GetProperty("schema").GetProperty("$ref").GetString());

        var echo = document.GetProperty("paths").GetProperty("/v1/test/echo").GetProperty("post");
        Assert.Contains(echo.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key");
        Assert.True(echo.GetProperty("responses").TryGetProperty("422", out _));
    }

    [Fact]
    public async Task Docs_page_is_html_whose_scripts_are_served_by_the_host_itself()
    {
        using var response = await _host.Client.GetAsync(new Uri("/docs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        var sizes = new List<int>();
        foreach (var src in scripts)
        {
            var uri = new Uri(response.RequestMessage!.RequestUri!, src);
            Assert.Equal(_host.Client.BaseAddress!.Authority, uri.Authority);
            using var script = await _host.Client.GetAsync(uri);
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.Contains("javascript", script.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            sizes.Add((await script.Content.ReadAsByteArrayAsync()).Length);
        }

        // The API reference bundle itself (megabytes), not a loader that fetches it from elsewhere.
        Assert.Contains(sizes, size => size > 1_000_000);
    }

    [GeneratedRegex("<script[^>]*\\ssrc=\"([^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();
}
