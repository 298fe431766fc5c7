using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Banyan.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.Tests;

/// <summary>One real Banyan host on Kestrel (127.0.0.1, ephemeral port, SQLite in a temp directory) for the case API tests.</summary>
public sealed class AmlHostFixture : IAsyncLifetime
{
    public const string ClientId = "aml-http-tests";
    public const string ClientSecret = "aml-http-tests-secret-0123456789abc";

    /// <summary>The host's data directory; a restart test passes the same one to a second host and sets <see cref="KeepData"/>.</summary>
    public string DataDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "banyan-aml-http-" + Guid.NewGuid().ToString("N"));

    /// <summary>Leave the data directory in place on dispose (the caller deletes it).</summary>
    public bool KeepData { get; init; }
    private WebApplication? _app;
    private int _nextParty;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Authenticated with scope <c>aml</c>.</summary>
    public HttpClient Api { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>Extra host arguments (e.g. a PostgreSQL connection string); set before <see cref="InitializeAsync"/>.</summary>
    public string[] ExtraArgs { get; init; } = [];

    /// <summary>A customer id no other test uses, so each test gets its own case.</summary>
    public string NextCustomer() => $"CT{Interlocked.Increment(ref _nextParty):D6}";

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("BANYAN_BOOTSTRAP_CLIENT_ID", ClientId);
        Environment.SetEnvironmentVariable("BANYAN_BOOTSTRAP_CLIENT_SECRET", ClientSecret);
        Directory.CreateDirectory(DataDirectory);
        _app = BanyanServer.Build(["--urls", "http://127.0.0.1:0", "--data", DataDirectory, .. ExtraArgs]);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        Api = await ClientWithScopeAsync("aml");
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
        if (!KeepData)
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class AmlHostCollection : ICollectionFixture<AmlHostFixture>
{
    public const string Name = "aml host";
}

internal static class AmlHttp
{
    public static async Task<(int Status, JsonElement Body)> PostJsonAsync(this HttpClient http, string path, string json, string mediaType = "application/json")
    {
        using var content = new StringContent(json, Encoding.UTF8, mediaType);
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content);
        return await ReadAsync(response);
    }

    public static async Task<(int Status, JsonElement Body)> GetJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        return await ReadAsync(response);
    }

    private static async Task<(int, JsonElement)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, body);
    }

    /// <summary>An alerts.jsonl line as <c>banyan aml scan</c> writes it.</summary>
    public static string AlertLine(string alertId, string typology, string account, string? customer, params string[] transactions) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["alert_id"] = alertId, ["typology"] = typology, ["subject_account"] = account, ["customer_id"] = customer,
            ["transaction_ids"] = transactions, ["score"] = 0.8, ["reason"] = $"3 cash deposits into account {account} totalling 137,406.12 CNY.",
        });
}
