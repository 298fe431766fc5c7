using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Banyan.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Ledger.Http.Tests;

/// <summary>
/// One real Banyan host on Kestrel (127.0.0.1, ephemeral port) over a temporary data directory,
/// shared by the HTTP test classes. Tests use fresh ids (<see cref="NextId"/>) so they never see
/// each other's accounts.
/// </summary>
public sealed class LedgerHostFixture : IAsyncLifetime
{
    public const string ClientId = "ledger-http-tests";
    public const string ClientSecret = "ledger-http-tests-secret-0123456789";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "banyan-ledger-http-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private long _nextId = 1_000_000;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The host's data directory (the ledger lives in its <c>ledger</c> folder).</summary>
    public string DataDirectory => _dataDirectory;

    /// <summary>Authenticated with scope <c>ledger</c>.</summary>
    public HttpClient Api { get; private set; } = null!;

    public LedgerEngine Engine => _app!.Services.GetRequiredService<LedgerEngine>();

    public IServiceProvider Services => _app!.Services;

    /// <summary>A fresh id, unique across the whole fixture.</summary>
    public ulong NextId() => (ulong)Interlocked.Increment(ref _nextId);

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("BANYAN_BOOTSTRAP_CLIENT_ID", ClientId);
        Environment.SetEnvironmentVariable("BANYAN_BOOTSTRAP_CLIENT_SECRET", ClientSecret);
        Directory.CreateDirectory(_dataDirectory);
        _app = BanyanServer.Build(["--urls", "http://127.0.0.1:0", "--data", _dataDirectory]);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        Api = await ClientWithScopeAsync("ledger");
    }

    /// <summary>An HTTP client whose bearer token carries only <paramref name="scope"/>.</summary>
    public Task<HttpClient> ClientWithScopeAsync(string scope) =>
        Banyan.Testing.BearerClients.WithScopesAsync(BaseAddress, ClientId, ClientSecret, scope);

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class LedgerHostCollection : ICollectionFixture<LedgerHostFixture>
{
    public const string Name = "ledger host";
}

/// <summary>Small helpers for raw JSON calls.</summary>
internal static class Http
{
    public static async Task<(int Status, JsonElement Body, string? ContentType)> PostJsonAsync(this HttpClient http, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content);
        return await ReadAsync(response);
    }

    public static async Task<(int Status, JsonElement Body, string? ContentType)> GetJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        return await ReadAsync(response);
    }

    private static async Task<(int, JsonElement, string?)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, body, response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The statuses of a create response, in order.</summary>
    public static string[] Statuses(this JsonElement results)
    {
        var list = new List<string>();
        var index = 0;
        foreach (var r in results.EnumerateArray())
        {
            Assert.Equal(index++, r.GetProperty("index").GetInt32());
            list.Add(r.GetProperty("status").GetString()!);
        }
        return [.. list];
    }
}
