using Banyan.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Tests;

/// <summary>A real Banyan host (ledger + payments, SQLite in a temporary directory) started without HTTP traffic.</summary>
internal sealed class PaymentsHost : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "banyan-payments-" + Guid.NewGuid().ToString("N"));
    private bool _keepData;

    private PaymentsHost(WebApplication app) => App = app;

    public WebApplication App { get; private set; }

    public IServiceProvider Services => App.Services;

    /// <summary>The host's clock when started with <see cref="StartWithClockAsync"/>.</summary>
    public ManualClock? Clock { get; private set; }

    public static async Task<PaymentsHost> StartAsync(params string[] args)
    {
        var host = new PaymentsHost(null!);
        host.App = BanyanServer.Build(["--urls", "http://127.0.0.1:0", "--data", host._directory, .. args]);
        await host.App.StartAsync();
        return host;
    }

    /// <summary>A host on <paramref name="directory"/> that leaves the data there when disposed, so another host can start on it (crash tests).</summary>
    public static async Task<PaymentsHost> StartOnAsync(string directory, params string[] args)
    {
        var host = new PaymentsHost(null!) { _keepData = true };
        host.App = BanyanServer.Build(["--urls", "http://127.0.0.1:0", "--data", directory, .. args]);
        await host.App.StartAsync();
        return host;
    }

    /// <summary>A host whose <see cref="TimeProvider"/> is a clock the test moves (forward only).</summary>
    public static async Task<PaymentsHost> StartWithClockAsync(params string[] args)
    {
        var clock = new ManualClock(TimeProvider.System.GetUtcNow());
        var host = new PaymentsHost(null!) { Clock = clock };
        host.App = BanyanServer.Build(["--urls", "http://127.0.0.1:0", "--data", host._directory, .. args], [.. Modules.All(), new ClockModule(clock)]);
        await host.App.StartAsync();
        return host;
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_keepData) return;
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A clock the test advances; never goes back (the ledger's timestamps must increase).</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by)
    {
        Assert.True(by > TimeSpan.Zero);
        Interlocked.Add(ref _ticks, by.Ticks);
    }
}

/// <summary>Test-only module that replaces the host's clock (module services are registered after the host's).</summary>
internal sealed class ClockModule(ManualClock clock) : Banyan.Platform.BanyanModule
{
    public override string Name => "testclock";

    public override void ConfigureServices(IServiceCollection services, Banyan.Platform.ModuleContext context) => services.AddSingleton<TimeProvider>(clock);
}
