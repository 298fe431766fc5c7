using Banyan.Credit.Cli;
using Banyan.Credit.Registry;
using Banyan.Platform;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Banyan.Credit;

/// <summary>
/// Credit AI: gradient-boosted tree and logistic scoring models trained from CSV/ARFF, exact Shapley
/// explanations (TreeSHAP and linear SHAP), and a fairness audit with mitigation. Commands:
/// <c>banyan credit train|evaluate|explain|bench</c>, and portraits:
/// <c>portrait|portrait-table|feeds-generate|shell-check|first-loan|farm-generate|farmer</c>.
/// </summary>
public sealed class CreditModule : BanyanModule
{
    /// <inheritdoc />
    public override string Name => "credit";

    /// <inheritdoc />
    public override IReadOnlyList<string> Scopes => ["credit", ModelEndpoints.AdminScope];

    /// <inheritdoc />
    public override void ConfigureServices(IServiceCollection services, ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var directory = context.ModuleDirectory(Name);
        services.AddSingleton(sp => new ModelRegistry(Path.Combine(directory, "registry"), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        var policy = context.Configuration.GetSection("Banyan:Credit:Policy").Get<CreditPolicy>() ?? new CreditPolicy();
        policy.Validate();
        services.AddSingleton(sp => new CreditDecisions(sp.GetRequiredService<ModelRegistry>(), Path.Combine(directory, "decisions"),
            sp.GetService<TimeProvider>() ?? TimeProvider.System, policy));
        services.AddSingleton<Contracts.ICreditDecisions>(sp => sp.GetRequiredService<CreditDecisions>());
    }

    /// <inheritdoc />
    public override void MapEndpoints(IEndpointRouteBuilder v1) => CreditEndpoints.Map(v1);

    /// <inheritdoc />
    public override Task SeedDemoAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        CreditDemo.Seed(services.GetRequiredService<ModelRegistry>());
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task RunDemoAsync(DemoContext demo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(demo);
        return CreditDemo.RunAsync(demo, cancellationToken);
    }

    /// <inheritdoc />
    public override void ConfigureCli(IConfigurator cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        cli.AddBranch("credit", credit =>
        {
            credit.SetDescription("Credit scoring models: train, evaluate (with fairness audit), explain (exact SHAP), bench.");
            credit.AddCommand<TrainCommand>("train").WithDescription("Train a model with cross-validation, calibration, cut-off and fairness mitigation.");
            credit.AddCommand<EvaluateCommand>("evaluate").WithDescription("AUC, KS, approval rate and fairness audit of a model on labelled data.");
            credit.AddCommand<ExplainCommand>("explain").WithDescription("Exact Shapley contributions (log-odds) for every row.");
            credit.AddCommand<Portraits.PortraitCommand>("portrait").WithDescription("SME portrait: 200+ features from partner feeds for one company.");
            credit.AddCommand<Portraits.PortraitTableCommand>("portrait-table").WithDescription("Every company's portrait as CSV, for 'credit explain' and 'credit evaluate'.");
            credit.AddCommand<Portraits.FeedsGenerateCommand>("feeds-generate").WithDescription("Write seeded demo partner feeds (JSONL).");
            credit.AddCommand<Portraits.ShellCheckCommand>("shell-check").WithDescription("Shell-company detector: flags with the figures behind them.");
            credit.AddCommand<Portraits.FirstLoanCommand>("first-loan").WithDescription("Train and evaluate first-loan scoring on generated portraits (held-out AUC, accuracy).");
            credit.AddCommand<Portraits.FarmGenerateCommand>("farm-generate").WithDescription("Write seeded demo farm feeds (NDVI, weather, sales, machinery).");
            credit.AddCommand<Portraits.FarmerCommand>("farmer").WithDescription("Farmer score from NDVI, weather, sales and machinery, with SHAP reasons.");
            credit.AddCommand<BenchCommand>("bench").WithDescription("Cross-validated AUC, parity before/after mitigation, TreeSHAP speed.");
            credit.AddBranch("registry", registry =>
            {
                registry.SetDescription("Model versions: add (draft), approve, retire, list. Only approved versions score applications.");
                registry.AddCommand<RegistryAddCommand>("add").WithDescription("Register a model file as a new draft version.");
                registry.AddCommand<RegistryApproveCommand>("approve").WithDescription("Approve a draft version (needs --approver).");
                registry.AddCommand<RegistryRetireCommand>("retire").WithDescription("Retire a version; it no longer scores.");
                registry.AddCommand<RegistryListCommand>("list").WithDescription("List versions with status, metrics and approver.");
            });
        });
    }

    /// <summary>
    /// Adds <c>credit</c> under the <c>banyan bench</c> branch (same command as <c>banyan credit bench</c>).
    /// </summary>
    /// <param name="bench">The bench branch's configurator.</param>
    public override void ConfigureBench(IConfigurator<CommandSettings> bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        bench.AddCommand<BenchCommand>("credit").WithDescription("Credit: cross-validated AUC, parity gap before/after mitigation, TreeSHAP speed.");
    }
}
