using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Banyan.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Gateway.Tests;

/// <summary>One real Banyan host on Kestrel (127.0.0.1, ephemeral port, SQLite in a temp directory).</summary>
public sealed class GatewayHostFixture : IAsyncLifetime
{
    public const string ClientId = "gateway-http-tests";
    public const string ClientSecret = "gateway-http-tests-secret-0123456789";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "banyan-gateway-http-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>Extra host arguments (e.g. a PostgreSQL connection string); set before <see cref="InitializeAsync"/>.</summary>
    public string[] ExtraArgs { get; init; } = [];

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("BANYAN_BOOTSTRAP_CLIENT_ID", ClientId);
        Environment.SetEnvironmentVariable("BANYAN_BOOTSTRAP_CLIENT_SECRET", ClientSecret);
        Directory.CreateDirectory(_dataDirectory);
        _app = BanyanServer.Build(["--urls", "http://127.0.0.1:0", "--data", _dataDirectory, .. ExtraArgs]);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>An HTTP client whose bearer token carries only <paramref name="scopes"/> (space-separated).</summary>
    public Task<HttpClient> ClientWithScopeAsync(string scopes) =>
        Banyan.Testing.BearerClients.WithScopesAsync(BaseAddress, ClientId, ClientSecret, scopes);

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayHostCollection : ICollectionFixture<GatewayHostFixture>
{
    public const string Name = "gateway host";
}

internal static class GatewayHttp
{
    public static async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(this HttpClient http, HttpMethod method, string path, string? json = null, string? requestId = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (requestId is not null) request.Headers.Add("X-Request-ID", requestId);
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, body, response);
    }
}
