using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Banyan.Payments.CrossBorder;
using Banyan.Platform;
using Banyan.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Tests.CrossBorder;

/// <summary>A clock the test moves by hand (quote expiry, delivery times, G20 timing).</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>Registers the test's clock for cross-border payments before the payments module registers the system one.</summary>
internal sealed class TestClockModule(ManualClock clock) : BanyanModule
{
    public override string Name => "testclock";

    public override void ConfigureServices(IServiceCollection services, ModuleContext context) => services.AddSingleton(new CrossBorderClock(clock));
}

/// <summary>A real Banyan host on Kestrel (127.0.0.1, ephemeral port, SQLite in a temp directory) with a manual cross-border clock and an HTTP client with scope <c>payments</c>.</summary>
internal sealed class XbHost : IAsyncDisposable
{
    public const string ClientId = "xb-tests";
    public const string ClientSecret = "xb-tests-secret-0123456789abcdefgh";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "banyan-xb-" + Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;

    /// <summary>A Monday 03:00 UTC: inside business hours of the Asian and (by delivery) European corridors.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);

    public ManualClock Clock { get; } = new(Start);

    public HttpClient Api { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public string DataDirectory => _directory;

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public static Task<XbHost> StartAsync(params string[] args) => StartAsync(args, []);

    public static async Task<XbHost> StartAsync(string[] args, IBanyanModule[] extraModules)
    {
        var host = new XbHost();
        Environment.SetEnvironmentVariable("BANYAN_BOOTSTRAP_CLIENT_ID", ClientId);
        Environment.SetEnvironmentVariable("BANYAN_BOOTSTRAP_CLIENT_SECRET", ClientSecret);
        Directory.CreateDirectory(host._directory);
        host._app = BanyanServer.Build(["--urls", "http://127.0.0.1:0", "--data", host._directory, .. args], [new TestClockModule(host.Clock), .. extraModules, .. Modules.All()]);
        await host._app.StartAsync();
        host.Api = await host.ClientWithScopeAsync("payments");
        return host;
    }

    public async Task<HttpClient> ClientWithScopeAsync(string scope)
    {
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var http = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") };
        using var form = new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"), new("client_id", ClientId), new("client_secret", ClientSecret), new("scope", scope),
        ]);
        using var response = await http.PostAsync(new Uri("connect/token", UriKind.Relative), form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, "token request failed: " + body);
        using var json = JsonDocument.Parse(body);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("access_token").GetString());
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>One host shared by the cross-border HTTP tests (they run one after another; each uses its own customers).</summary>
public sealed class XbHostFixture : IAsyncLifetime
{
    internal XbHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await XbHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class XbHostCollection : ICollectionFixture<XbHostFixture>
{
    public const string Name = "cross-border host";
}

internal static class XbHttp
{
    public static async Task<(int Status, JsonElement Body)> PostJsonAsync(this HttpClient http, string path, object body)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content);
        return await ReadAsync(response);
    }

    public static async Task<(int Status, JsonElement Body)> PostXmlAsync(this HttpClient http, string path, string xml, string mediaType = "application/xml")
    {
        using var content = new StringContent(xml, Encoding.UTF8, mediaType);
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content);
        return await ReadAsync(response);
    }

    public static async Task<(int Status, JsonElement Body)> GetJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        return await ReadAsync(response);
    }

    public static async Task<(int Status, string Body)> GetTextAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<(int, JsonElement)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, body);
    }
}
