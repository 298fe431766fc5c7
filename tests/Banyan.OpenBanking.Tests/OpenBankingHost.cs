using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.OpenBanking.Sandbox;
using Banyan.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Tests;

/// <summary>A real Banyan host on a loopback port (SQLite in a temporary directory) with an admin client.</summary>
internal sealed class OpenBankingHost : IAsyncDisposable
{
    private const string AdminId = "ob-test-admin";
    private const string AdminSecret = "ob-test-admin-secret-0123456789abcdef";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "banyan-ob-" + Guid.NewGuid().ToString("N"));

    private OpenBankingHost(WebApplication app, Uri address, HttpClient admin)
    {
        App = app;
        Address = address;
        Admin = admin;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    /// <summary>Carries a bearer token with every scope (admin included).</summary>
    public HttpClient Admin { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<OpenBankingHost> StartAsync(params string[] args)
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-ob-" + Guid.NewGuid().ToString("N"));
        var app = BanyanServer.Build(["--urls", "http://127.0.0.1:0", "--data", directory,
            $"--BANYAN_BOOTSTRAP_CLIENT_ID={AdminId}", $"--BANYAN_BOOTSTRAP_CLIENT_SECRET={AdminSecret}",
            // The cross-tenant table grants many consents per customer within a second, which the zero-trust risk
            // engine rightly calls a burst; its rules are the gateway's tests' subject, not these.
            // Likewise the abnormal-call detector: one loopback admin onboarding partners back to back is a
            // "burst" from a source with no baseline once the read path got fast enough (15 calls/s).
            "--Banyan:Gateway:Risk:BurstPerSecond=1000", "--Banyan:Gateway:Detector:BurstFloorPerSecond=100000",
            "--Banyan:Gateway:Detector:BurstFactor=100000",
            // The bank's own admin client onboards partners faster than a partner's default 50 calls/s.
            $"--Banyan:Gateway:Partners:{AdminId}:PerSecond=100000", $"--Banyan:Gateway:Partners:{AdminId}:PerMinute=1000000",
            .. args]);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var admin = new HttpClient { BaseAddress = address };
        var token = await admin.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = AdminId, ["client_secret"] = AdminSecret,
        }));
        token.EnsureSuccessStatusCode();
        var body = await token.Content.ReadFromJsonAsync<JsonElement>();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("access_token").GetString());
        var host = new OpenBankingHost(app, address, admin);
        host._cleanup = directory;
        return host;
    }

    private string? _cleanup;

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public PartnerAgent NewAgent() => new(Address, TimeProvider.System);

    public CustomerBrowser NewBrowser() => new(Address);

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        try { Directory.Delete(_cleanup ?? _directory, recursive: true); } catch (IOException) { }
    }
}
