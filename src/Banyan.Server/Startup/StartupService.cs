using Banyan.Server.Identity;
using Banyan.Server.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;

namespace Banyan.Server.Startup;

/// <summary>
/// Start-up work that needs the built host: schema and bootstrap client before the server listens;
/// bootstrap file, demo data and the "listening" log line once it does.
/// </summary>
internal sealed class StartupService(
    IServiceProvider services,
    IDbContextFactory<BanyanDbContext> contexts,
    ModuleCatalog catalog,
    HostSettings settings,
    TimeProvider time,
    ILogger<StartupService> log) : IHostedLifecycleService
{
    public const string DemoMarkerFile = ".demo-seeded";

    private BootstrapCredentials? _pendingCredentials;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var created = await SchemaInitializer.EnsureSchemaAsync(db, time, cancellationToken);
            if (created.Count > 0)
            {
                log.LogInformation("Created {Count} tables: {Tables}", created.Count, string.Join(", ", created));
            }
        }

        await using var scope = services.CreateAsyncScope();
        var bootstrap = scope.ServiceProvider.GetRequiredService<BootstrapClient>();
        _pendingCredentials = await bootstrap.EnsureAsync(settings.DataDirectory, catalog.Scopes, cancellationToken);
    }

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var urls = ListeningUrls();
        var bootstrapPath = Path.Combine(settings.DataDirectory, BootstrapClient.FileName);
        if (_pendingCredentials is not null)
        {
            BootstrapClient.WriteFile(settings.DataDirectory, _pendingCredentials, urls[0].TrimEnd('/') + IdentityRegistration.TokenPath);
            _pendingCredentials = null;
        }

        log.LogInformation(
            "Banyan listening on {Urls}; data in {DataDirectory} ({Storage}); API reference at {Docs}",
            string.Join(", ", urls), settings.DataDirectory, settings.Storage, urls[0].TrimEnd('/') + "/docs");
        if (File.Exists(bootstrapPath))
        {
            log.LogInformation("Bootstrap client credentials: {BootstrapFile}", bootstrapPath);
        }

        if (settings.Demo)
        {
            await SeedDemoAsync(cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedDemoAsync(CancellationToken cancellationToken)
    {
        var marker = Path.Combine(settings.DataDirectory, DemoMarkerFile);
        if (File.Exists(marker))
        {
            log.LogInformation("Demo data already seeded in {DataDirectory}", settings.DataDirectory);
            return;
        }

        if (!settings.DataDirectoryWasEmpty)
        {
            log.LogWarning("--demo ignored: {DataDirectory} already held data before this start; demo data goes only into an empty data directory", settings.DataDirectory);
            return;
        }

        foreach (var module in catalog.Modules)
        {
            log.LogInformation("Seeding demo data for {Module}", module.Name);
            await module.SeedDemoAsync(services, cancellationToken);
        }

        await File.WriteAllTextAsync(marker, time.GetUtcNow().ToString("O"), cancellationToken);
    }

    private string[] ListeningUrls()
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        return addresses is { Count: > 0 } ? [.. addresses] : [.. settings.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}

/// <summary>What the host resolved from arguments and configuration.</summary>
internal sealed record HostSettings(string Urls, string DataDirectory, bool DataDirectoryWasEmpty, bool Demo, Banyan.Platform.StorageProvider Storage);
