using System.Net;
using System.Text.Json;
using Banyan.Server.Http;
using Banyan.Server.Operations;
using Banyan.Server.Tests.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenTelemetry.Trace;

namespace Banyan.Server.Tests;

/// <summary>The per-request host pipeline made cheaper in decision 0620 (second pass) keeps its behaviour.</summary>
public sealed class HostPipelineTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Generated_request_ids_differ_between_requests()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 20; i++)
        {
            using var response = await _host.Client.GetAsync(new Uri("/health", UriKind.Relative));
            var id = response.Headers.GetValues(RequestIdMiddleware.HeaderName).Single();
            Assert.Matches("^[0-9a-f]{32}$", id);
            Assert.True(ids.Add(id), $"request id {id} was handed out twice");
        }
    }

    [Fact]
    public async Task OpenIddict_endpoints_still_answer_after_the_path_gate()
    {
        using var discovery = await _host.Client.GetAsync(new Uri("/.well-known/openid-configuration", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        using var document = JsonDocument.Parse(await discovery.Content.ReadAsStringAsync());
        Assert.EndsWith("/connect/token", document.RootElement.GetProperty("token_endpoint").GetString(), StringComparison.Ordinal);

        using var api = await _host.AuthorizedClientAsync();
        using var ping = await api.GetAsync(new Uri("/v1/test/ping", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    [Fact]
    public void OpenIddict_server_is_asked_only_about_its_own_endpoint_paths()
    {
        var services = _host.App.Services;
        var gate = new GatedAuthenticationMiddleware(_ => Task.CompletedTask, services.GetRequiredService<IAuthenticationSchemeProvider>(),
            services.GetRequiredService<IOptions<OpenIddictServerOptions>>());

        Assert.True(gate.IsServerEndpoint(RequestTo("/connect/token")));
        Assert.True(gate.IsServerEndpoint(RequestTo("/CONNECT/token/")));
        Assert.True(gate.IsServerEndpoint(RequestTo("/.well-known/openid-configuration")));
        Assert.True(gate.IsServerEndpoint(RequestTo("/token", pathBase: "/connect")));
        Assert.False(gate.IsServerEndpoint(RequestTo("/v1/test/ping")));
        Assert.False(gate.IsServerEndpoint(RequestTo("/connect/tokens")));
        Assert.False(gate.IsServerEndpoint(RequestTo("/health")));
    }

    [Fact]
    public void Endpoint_paths_come_from_relative_and_absolute_uris()
    {
        var options = new OpenIddictServerOptions();
        options.TokenEndpointUris.Add(new Uri("connect/token", UriKind.Relative));
        options.AuthorizationEndpointUris.Add(new Uri("https://bank.example/oauth/authorize/", UriKind.Absolute));
        var paths = GatedAuthenticationMiddleware.ServerPaths(options);
        Assert.Contains("/oauth/authorize", paths);
        Assert.Contains("/connect/token", paths);
        Assert.DoesNotContain(paths, path => path.Length > 1 && path.EndsWith('/'));
    }

    [Fact]
    public void No_traces_are_recorded_without_an_exporter_but_metrics_are()
    {
        Assert.Null(_host.App.Services.GetService<TracerProvider>());
        Assert.NotNull(_host.App.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
        Assert.False(Telemetry.HasTraceExporter(new ConfigurationBuilder().Build()));
        Assert.True(Telemetry.HasTraceExporter(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317" }).Build()));
    }

    private static HttpRequest RequestTo(string path, string pathBase = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Request.PathBase = pathBase;
        return context.Request;
    }
}
