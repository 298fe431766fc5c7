using Banyan.Aml.Cases;
using Banyan.Aml.Cli;
using Banyan.Aml.Contracts;
using Banyan.Aml.Live;
using Banyan.Aml.RuleSets;
using Banyan.Aml.Screening;
using Banyan.Platform;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Banyan.Aml;

/// <summary>
/// The anti-money-laundering module: <c>banyan aml scan</c> (files in, alerts out: eleven typologies,
/// sanctions screening, PBoC large-value reports), <c>banyan aml generate</c> (a synthetic bank with planted
/// cases) and <c>banyan aml bench</c>. Inside the host (<c>/v1/aml</c>, scope <c>aml</c>): imported and real-time alerts (the ledger's journal stream) group into cases; rule sets, sanctions lists, screening (<see cref="Contracts.ISanctionsScreening"/>) and the network view.
/// </summary>
public sealed class AmlModule : BanyanModule
{
    /// <inheritdoc />
    public override string Name => "aml";

    /// <inheritdoc />
    public override IReadOnlyList<string> Scopes => ["aml"];

    /// <inheritdoc />
    public override void ConfigureServices(IServiceCollection services, ModuleContext context)
    {
        services.AddSingleton<CaseImportLock>();
        services.AddSingleton<SanctionsLists>();
        services.AddSingleton<ISanctionsScreening>(sp => sp.GetRequiredService<SanctionsLists>());
        services.AddScoped<ISuspiciousReportCounts, SuspiciousReportCounts>();
        services.AddHostedService<OpenCaseIndexStartup>();
        services.AddHostedService<SanctionsStartup>();
        if (SanctionsFileOptionsOf(context) is { } file)
        {
            services.AddSingleton(file);
            services.AddSingleton<SanctionsFileWatcher>();
            services.AddHostedService(sp => sp.GetRequiredService<SanctionsFileWatcher>());
        }
        services.AddSingleton<LiveMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveMonitor>());
    }

    /// <summary><c>Banyan:Aml:Sanctions:Path</c> (and optional <c>PollSeconds</c> 1..3600, <c>DebounceMilliseconds</c> 0..60000) or null.</summary>
    private static SanctionsFileOptions? SanctionsFileOptionsOf(ModuleContext context)
    {
        var section = context.Configuration.GetSection("Banyan:Aml:Sanctions");
        if (string.IsNullOrWhiteSpace(section["Path"])) return null;
        var poll = section.GetValue("PollSeconds", (int)SanctionsFileOptions.DefaultPoll.TotalSeconds);
        var debounce = section.GetValue("DebounceMilliseconds", (int)SanctionsFileOptions.DefaultDebounce.TotalMilliseconds);
        if (poll is < 1 or > 3600) throw new InvalidOperationException("Banyan:Aml:Sanctions:PollSeconds must be 1..3600");
        if (debounce is < 0 or > 60_000) throw new InvalidOperationException("Banyan:Aml:Sanctions:DebounceMilliseconds must be 0..60000");
        return new SanctionsFileOptions(section["Path"]!, TimeSpan.FromSeconds(poll), TimeSpan.FromMilliseconds(debounce));
    }

    /// <inheritdoc />
    public override void ConfigureModel(ModelBuilder model)
    {
        CaseModel.Configure(model);
        LiveModel.Configure(model);
    }

    /// <inheritdoc />
    public override void MapEndpoints(IEndpointRouteBuilder v1)
    {
        var aml = CaseEndpoints.Map(v1);
        LiveEndpoints.Map(aml);
        RuleSetStore.Map(aml);
        NetworkEndpoints.Map(aml);
        JournalBacktest.Map(aml);
    }

    /// <inheritdoc />
    public override Task RunDemoAsync(DemoContext demo, CancellationToken cancellationToken) =>
        Demo.AmlWalkthrough.RunAsync(demo, cancellationToken);

    /// <inheritdoc />
    public override void ConfigureCli(IConfigurator cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        cli.AddBranch("aml", aml =>
        {
            aml.SetDescription("Anti-money-laundering: scan transaction files, generate a synthetic bank, benchmark.");
            aml.AddCommand<ScanCommand>("scan").WithDescription("Scan customers and transactions (JSONL) for every typology; write alerts.jsonl.")
                .WithExample("aml", "scan", "--customers", "customers.jsonl", "--transactions", "transactions.jsonl", "--sanctions", "list.csv", "--out", "alerts.jsonl");
            aml.AddCommand<GenerateCommand>("generate").WithDescription("Write a synthetic bank with planted cases of every typology and its ground truth.");
            aml.AddCommand<BacktestCommand>("backtest").WithDescription("Replay history with a candidate rule set vs the baseline: alerts per typology, recall/precision, added and removed alerts.")
                .WithExample("aml", "backtest", "--rules", "candidate.json", "--from", "bank/");
            aml.AddCommand<BenchCommand>("bench").WithDescription("Generate, scan, and print per-typology recall, precision and throughput.");
        });
    }

    /// <summary>Adds <c>banyan bench aml</c> (the same command as <c>banyan aml bench</c>).</summary>
    public override void ConfigureBench(IConfigurator<CommandSettings> bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        bench.AddCommand<BenchCommand>("aml").WithDescription("AML: generate a synthetic bank, scan it, print per-typology recall/precision and throughput.");
    }
}
