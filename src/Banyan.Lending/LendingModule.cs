using Banyan.Lending.Book;
using Banyan.Lending.Close;
using Banyan.Lending.Contracts;
using Banyan.Ledger;
using Banyan.Platform;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Banyan.Lending;

/// <summary>
/// The lending module: products, loans and their schedules, every movement on the ledger, the daily
/// close (accrual, overdue, penalty, five-category classification, provisions) and portfolio
/// figures (<see cref="ILoanPortfolio"/>). Endpoints under <c>/v1/lending</c>, scope <c>lending</c>.
/// </summary>
public sealed class LendingModule : BanyanModule
{
    /// <summary>Configuration section of the module (e.g. <c>Banyan__Lending__Ledger</c>).</summary>
    public const string ConfigurationSection = "Banyan:Lending";

    /// <inheritdoc />
    public override string Name => "lending";

    /// <inheritdoc />
    public override IReadOnlyList<string> Scopes => ["lending"];

    /// <inheritdoc />
    public override void ConfigureServices(IServiceCollection services, ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var section = context.Configuration.GetSection(ConfigurationSection);
        var options = new LendingOptions
        {
            Ledger = section.GetValue(nameof(LendingOptions.Ledger), 156u),
            RequireCreditDecision = section.GetValue(nameof(LendingOptions.RequireCreditDecision), true),
        };
        services.AddSingleton(options);
        var rules = section.GetSection("Classification").Get<ClassificationRules>() ?? ClassificationRules.Default;
        var directory = context.ModuleDirectory("lending");
        // The book replays its journal at start (decision 0500); a hosted service does it before requests arrive.
        services.AddSingleton(sp => LoanBook.OpenAsync(
            sp.GetRequiredService<LedgerEngine>(), options.Ledger, directory, rules,
            sp.GetService<TimeProvider>() ?? TimeProvider.System, CancellationToken.None).GetAwaiter().GetResult());
        services.AddHostedService<LendingStartup>();
        services.AddSingleton<ILoanPortfolio>(sp => new LoanPortfolio(sp.GetRequiredService<LoanBook>()));
    }

    /// <inheritdoc />
    public override void MapEndpoints(IEndpointRouteBuilder v1) => Api.LendingEndpoints.Map(v1);

    /// <inheritdoc />
    public override Task SeedDemoAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        return Demo.DemoPortfolio.SeedAsync(services.GetRequiredService<LoanBook>(), DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), cancellationToken);
    }

    /// <inheritdoc />
    public override Task RunDemoAsync(DemoContext demo, CancellationToken cancellationToken) => Demo.LendingWalkthrough.RunAsync(demo, cancellationToken);

    /// <inheritdoc />
    public override void ConfigureCli(IConfigurator cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        cli.AddBranch("lending", lending =>
        {
            lending.SetDescription("Lending module tools.");
            lending.AddCommand<Bench.LendingBenchCommand>("bench").WithDescription("Daily close throughput: loans closed per second (default 1,000,000 loans).");
        });
    }

    /// <inheritdoc />
    public override void ConfigureBench(IConfigurator<CommandSettings> bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        bench.AddCommand<Bench.LendingBenchCommand>("lending").WithDescription("Lending daily close: loans closed per second (default 1,000,000 loans).");
    }
}

/// <summary>Opens (replays) the loan book while the host starts, so a journal that does not replay shows at start-up.</summary>
internal sealed class LendingStartup(IServiceProvider services) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<LoanBook>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
