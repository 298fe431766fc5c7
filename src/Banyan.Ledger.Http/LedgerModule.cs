using Banyan.Ledger.Http.Api;
using Banyan.Ledger.Http.Demo;
using Banyan.Ledger.Http.ReadModels;
using Banyan.Platform;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace Banyan.Ledger.Http;

/// <summary>The ledger module: owns the engine's lifetime and exposes it under <c>/v1/ledger</c> (scope <c>ledger</c>).</summary>
public sealed class LedgerModule : BanyanModule
{
    /// <summary>Configuration section holding <see cref="LedgerOptions"/> overrides (e.g. <c>Banyan__Ledger__Fsync</c>).</summary>
    public const string ConfigurationSection = "Banyan:Ledger";

    /// <inheritdoc />
    public override string Name => "ledger";

    /// <inheritdoc />
    public override IReadOnlyList<string> Scopes => ["ledger"];

    /// <inheritdoc />
    public override void ConfigureServices(IServiceCollection services, ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // The bulk path and the journal use the structs' in-memory layout as the wire format.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The ledger requires a little-endian machine.");
        var options = ReadOptions(context.Configuration, context.ModuleDirectory("ledger"));
        // A singleton disposed (flushed, journal closed) by the container when the host stops.
        services.AddSingleton(sp => LedgerEngine.Open(options, sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddHostedService<LedgerStartup>();
        services.AddMetrics();
        services.AddSingleton<LedgerMetrics>();
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(LedgerMetrics.MeterName));
        services.AddSingleton<LedgerProjector>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerProjector>());
        services.AddSingleton<Contracts.ILedgerHistory, ReadModels.LedgerHistory>();
    }

    /// <inheritdoc />
    public override void ConfigureModel(ModelBuilder model) => ReadModelSchema.Configure(model);

    /// <inheritdoc />
    public override void MapEndpoints(IEndpointRouteBuilder v1) => LedgerEndpoints.Map(v1);

    /// <inheritdoc />
    public override void ConfigureHealthChecks(IHealthChecksBuilder health) =>
        health.AddCheck<LedgerHealthCheck>("ledger", tags: ["ready"]);

    /// <inheritdoc />
    public override Task SeedDemoAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        DemoChart.SeedAsync(services.GetRequiredService<LedgerEngine>(), cancellationToken);

    /// <inheritdoc />
    public override Task RunDemoAsync(DemoContext demo, CancellationToken cancellationToken) =>
        LedgerWalkthrough.RunAsync(demo, cancellationToken);

    /// <inheritdoc />
    public override void ConfigureCli(Spectre.Console.Cli.IConfigurator cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        cli.AddBranch<Spectre.Console.Cli.CommandSettings>("ledger", ledger =>
        {
            ledger.SetDescription("Ledger tools.");
            ledger.AddCommand<Cli.VerifyCommand>("verify")
                .WithDescription("Replay the journal, check every checksum and the hash chain, compare with the snapshot, a pinned head and the read models.");
            ledger.AddCommand<Cli.ReprojectCommand>("reproject")
                .WithDescription("Rebuild the ledger read models from the journal (server on this data directory stopped).");
        });
    }

    internal static LedgerOptions ReadOptions(IConfiguration configuration, string directory)
    {
        var section = configuration.GetSection(ConfigurationSection);
        var defaults = new LedgerOptions { Directory = directory };
        var journal = ReadJournalKind(section["Journal"]);
        return defaults with
        {
            Fsync = section.GetValue(nameof(LedgerOptions.Fsync), defaults.Fsync),
            SegmentBytes = section.GetValue(nameof(LedgerOptions.SegmentBytes), defaults.SegmentBytes),
            SnapshotEveryRecords = section.GetValue(nameof(LedgerOptions.SnapshotEveryRecords), defaults.SnapshotEveryRecords),
            AccountCapacity = section.GetValue(nameof(LedgerOptions.AccountCapacity), defaults.AccountCapacity),
            TransferCapacity = section.GetValue(nameof(LedgerOptions.TransferCapacity), defaults.TransferCapacity),
            Journal = journal,
            PostgresConnectionString = journal == LedgerJournalKind.Postgres ? section["Postgres"] ?? configuration.GetConnectionString("Banyan") : null,
            NodeName = section["NodeName"],
            AdvertisedAddress = section["AdvertisedAddress"] ?? FirstUrl(configuration["urls"]),
            LeaseDuration = section.GetValue(nameof(LedgerOptions.LeaseDuration), defaults.LeaseDuration),
            LeaseRenewInterval = section.GetValue(nameof(LedgerOptions.LeaseRenewInterval), defaults.LeaseRenewInterval),
            FollowInterval = section.GetValue(nameof(LedgerOptions.FollowInterval), defaults.FollowInterval),
        };
    }

    /// <summary><c>Banyan:Ledger:Journal</c>: <c>file</c> (default) or <c>postgres</c>; anything else stops start-up.</summary>
    internal static LedgerJournalKind ReadJournalKind(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "file" => LedgerJournalKind.File,
        "postgres" or "postgresql" => LedgerJournalKind.Postgres,
        _ => throw new InvalidOperationException($"Banyan:Ledger:Journal must be 'file' or 'postgres', not '{value}'."),
    };

    /// <summary>The first of the host's <c>--urls</c> (separated by ';'), the address standbys advertise for this node.</summary>
    private static string? FirstUrl(string? urls)
    {
        if (string.IsNullOrWhiteSpace(urls)) return null;
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        return first;
    }
}

/// <summary>Opens the engine while the host starts, so recovery (or a corrupt journal) shows at start-up, not at the first request.</summary>
internal sealed class LedgerStartup(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<LedgerEngine>();
        _ = services.GetRequiredService<LedgerMetrics>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
