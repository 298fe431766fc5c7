using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Payments.Contracts;
using Banyan.Payments.Api;
using Banyan.Payments.Domestic;
using Banyan.Payments.Retail;
using Banyan.Payments.Wallets;
using Banyan.Platform;
using Banyan.Platform.Money;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Spectre.Console.Cli;

namespace Banyan.Payments;

/// <summary>
/// The payments module: customers' accounts and domestic transfers (<see cref="ICustomerAccounts"/>,
/// <see cref="IDomesticTransfers"/>), tap to pay, cross-border payments and programmable wallets. Every
/// movement posts to the ledger; the module keeps no balances. docs/payments.md.
/// </summary>
public sealed class PaymentsModule : BanyanModule
{
    /// <inheritdoc />
    public override string Name => "payments";

    /// <inheritdoc />
    public override IReadOnlyList<string> Scopes => ["payments"];

    /// <inheritdoc />
    public override void ConfigureServices(IServiceCollection services, ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        services.AddOptions<PaymentsOptions>().Bind(context.Configuration.GetSection(PaymentsOptions.Section)).Validate(o => { o.Validate(); return true; }).ValidateOnStart();
        services.AddSingleton<MoneyMover>();
        services.AddSingleton<ICustomerAccounts, CustomerAccounts>();
        services.AddSingleton<IDomesticTransfers, DomesticTransfers>();
        services.AddSingleton<HolderLocks>();
        services.AddSingleton(new WriteGate(serialize: context.Storage == StorageProvider.Sqlite));
        services.AddSingleton<Catalog>();
        services.AddSingleton<PointsBook>();
        services.AddSingleton<TapCommitter>();
        services.AddSingleton<TapReads>();
        services.AddSingleton<TapToPay>();
        services.AddOptions<WalletTierOptions>().Bind(context.Configuration.GetSection(WalletTierOptions.Section)).Validate(o => { o.Validate(); return true; }).ValidateOnStart();
        services.AddSingleton<WalletTiers>();
        services.AddSingleton<WalletBook>();
        services.AddSingleton<WalletTierChanges>();
        services.AddSingleton<WalletProgrammes>();
        services.AddSingleton<CouponBudgetReturn>();
        services.AddHostedService<PaymentsStartup>();
        services.AddHostedService<CouponSweeper>();
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<CrossBorder.IReleaseScreening, CrossBorder.AmlReleaseScreening>(services);
        CrossBorder.CrossBorderServices.Add(services, context);
    }

    /// <inheritdoc />
    public override void ConfigureModel(ModelBuilder model)
    {
        TransferRow.Configure(model);
        TapRow.Configure(model);
        PensionRunRow.Configure(model);
        CouponClosureRow.Configure(model);
        CrossBorder.CrossBorderModel.Configure(model);
    }

    /// <inheritdoc />
    public override void MapEndpoints(IEndpointRouteBuilder v1)
    {
        PaymentsEndpoints.Map(v1);
        CrossBorder.CrossBorderEndpoints.Map(v1);
    }

    /// <inheritdoc />
    public override Task SeedDemoAsync(IServiceProvider services, CancellationToken cancellationToken) => Demo.PaymentsDemo.SeedAsync(services, cancellationToken);

    /// <inheritdoc />
    public override async Task RunDemoAsync(DemoContext demo, CancellationToken cancellationToken)
    {
        await Demo.PaymentsDemo.RunAsync(demo, cancellationToken);
        await CrossBorder.CrossBorderDemo.RunAsync(demo, cancellationToken);
    }

    /// <summary>Adds <c>banyan bench payments</c>: tap-to-pay p50/p99 latency and success rate under concurrent load.</summary>
    public override void ConfigureBench(IConfigurator<CommandSettings> bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        bench.AddCommand<Bench.PaymentsBenchCommand>("payments").WithDescription("Payments: tap-to-pay p50/p99 latency and success rate with N concurrent customers over HTTP.");
    }
}

/// <summary>Opens the bank's payment accounts in every currency and settles transfers a crash left pending, before requests arrive.</summary>
internal sealed class PaymentsStartup(LedgerEngine ledger, MoneyMover mover, TapToPay taps, WalletBook wallets, IOptions<PaymentsOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = options.Value;
        // A standby follows the leader's journal and refuses writes; the leader opens the accounts and settles
        // pending requests (settling here could misjudge the leader's in-flight rows as interrupted).
        if (ledger.Cluster.Role is LedgerRole.Standby or LedgerRole.Fenced)
        {
            return;
        }

        var accounts = Currencies.All.SelectMany(c => PaymentsChart.BankKinds.Select(k => PaymentsChart.BankAccount(k, c))).ToArray();
        var results = await ledger.CreateAccountsAsync(accounts, cancellationToken);
        var refused = results.Select((r, i) => (r, i)).FirstOrDefault(x => x.r is not (CreateAccountResult.Created or CreateAccountResult.Exists));
        if (refused != default)
        {
            throw new InvalidOperationException($"The ledger refused payments account {accounts[refused.i].Id}: {refused.r.Name()}.");
        }

        await mover.SettlePendingAsync(cancellationToken);
        await taps.SettlePendingAsync(cancellationToken);
        await wallets.SettlePendingAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
