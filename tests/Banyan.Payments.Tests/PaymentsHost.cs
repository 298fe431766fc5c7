using Banyan.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Tests;

/// <summary>A real Banyan host (ledger + payments, SQLite in a temporary directory) started without HTTP traffic.</summary>
internal sealed class PaymentsHost : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "banyan-payments-" + Guid.NewGuid().ToString("N"));

    private PaymentsHost(WebApplication app) => App = app;

    public WebApplication App { get; private set; }

    public IServiceProvider Services => App.Services;

    public static async Task<PaymentsHost> StartAsync(params string[] args)
    {
        var host = new PaymentsHost(null!);
        host.App = BanyanServer.Build(["--urls", "http://127.0.0.1:0", "--data", host._directory, .. args]);
        await host.App.StartAsync();
        return host;
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
