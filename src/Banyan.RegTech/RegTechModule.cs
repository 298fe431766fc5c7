using Banyan.Ledger;
using Banyan.Platform;
using Banyan.RegTech.Api;
using Banyan.RegTech.Catalogue;
using Banyan.RegTech.Data;
using Banyan.RegTech.Schedule;
using Banyan.RegTech.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console.Cli;

namespace Banyan.RegTech;

/// <summary>
/// Regulatory technology: a catalogue of 100+ indicators (China NFRA/PBoC and Basel III profiles)
/// computed from the ledger (through its journal stream) and the loan book (<c>ILoanPortfolio</c>) as of
/// any date with drill-down, warnings, returns in CSV/JSON/XBRL-CSV/HTML with a submission log, and a
/// scheduler. API under <c>/v1/regtech</c> (scope <c>regtech</c>); docs/regtech.md.
/// </summary>
public sealed class RegTechModule : BanyanModule
{
    /// <summary>Configuration section of the module (e.g. <c>Banyan__RegTech__Entity</c>).</summary>
    public const string ConfigurationSection = "Banyan:RegTech";

    /// <inheritdoc />
    public override string Name => "regtech";

    /// <inheritdoc />
    public override IReadOnlyList<string> Scopes => ["regtech"];

    /// <inheritdoc />
    public override void ConfigureServices(IServiceCollection services, ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Configuration.GetSection(ConfigurationSection).Get<RegTechOptions>() ?? new RegTechOptions();
        var mapping = options.MappingFile is null ? BaseMapping.LoadEmbedded() : LoadMapping(options.MappingFile);
        services.AddSingleton(options);
        services.AddSingleton(mapping);
        services.AddSingleton(FxRates.Load(options.Fx));
        _ = RegTechService.ReportingCurrencies(options, mapping); // fail at start on an unknown currency, not at the first request
        services.AddSingleton(IndicatorCatalogue.LoadEmbedded());
        services.AddSingleton(new RegTechDirectory(context.ModuleDirectory("regtech")));
        services.AddSingleton(sp => new LedgerMirror(sp.GetRequiredService<LedgerEngine>(), sp.GetRequiredService<ILogger<LedgerMirror>>()));
        services.AddHostedService(sp => sp.GetRequiredService<LedgerMirror>());
        services.AddScoped<RegTechService>();
        services.AddSingleton<RegTechScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<RegTechScheduler>());
    }

    /// <inheritdoc />
    public override void ConfigureModel(ModelBuilder model) => RegTechModel.Configure(model);

    /// <inheritdoc />
    public override void MapEndpoints(IEndpointRouteBuilder v1) => RegTechEndpoints.Map(v1);

    /// <inheritdoc />
    public override Task SeedDemoAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        Demo.DemoBank.SeedAsync(services, cancellationToken);

    /// <inheritdoc />
    public override Task RunDemoAsync(DemoContext demo, CancellationToken cancellationToken) =>
        Demo.RegTechWalkthrough.RunAsync(demo, cancellationToken);

    /// <inheritdoc />
    public override void ConfigureCli(IConfigurator cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        cli.AddBranch("regtech", regtech =>
        {
            regtech.SetDescription("Regulatory reporting: indicator catalogue and returns.");
            regtech.AddCommand<Cli.CatalogueCommand>("catalogue").WithDescription("List the indicator catalogue (both profiles, or --profile).");
            regtech.AddCommand<Cli.ReportCommand>("report").WithDescription("Generate a return on a running server and write every format to --out.")
                .WithExample("regtech", "report", "--profile", "cn", "--as-of", "2026-06-30", "--out", "returns", "--server", "http://127.0.0.1:5080", "--data", "./data");
        });
    }

    private static BaseMapping LoadMapping(string path)
    {
        using var stream = File.OpenRead(path);
        return BaseMapping.Load(stream);
    }
}
