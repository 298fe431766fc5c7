using Banyan.Platform;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console.Cli;

namespace Banyan.Gateway;

/// <summary>
/// Gateway protection for partner-facing APIs (issue 5 items 7 and 8): per-partner rate limits and
/// monthly quotas, per-call metering, the abnormal-call detector and the zero-trust access risk engine
/// (<see cref="IAccessRiskEngine"/>). Operators use <c>/v1/gateway</c> (scope <c>admin</c>);
/// <c>banyan bench gateway</c> runs the traffic simulator and the loopback throughput run. docs/gateway.md.
/// </summary>
public sealed class GatewayModule : BanyanModule
{
    /// <inheritdoc />
    public override string Name => "gateway";

    /// <inheritdoc />
    public override IReadOnlyList<string> Scopes => ["gateway"];

    /// <inheritdoc />
    public override void ConfigureServices(IServiceCollection services, ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = GatewayOptions.From(context.Configuration);
        services.AddSingleton(options);
        services.AddSingleton(options.Detector);
        services.AddSingleton(options.Risk);
        services.AddSingleton(string.IsNullOrWhiteSpace(options.RegionsFile) ? RegionTable.Default : RegionTable.Load(options.RegionsFile));
        services.AddSingleton<LimitsStore>();
        services.AddSingleton(sp => new PartnerRateLimiter(sp.GetRequiredService<LimitsStore>().For));
        services.AddSingleton<AbnormalCallDetector>();
        services.AddSingleton<GatewayDecider>();
        services.AddSingleton<OverheadStats>();
        services.AddSingleton<GatewaySink>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewaySink>());
        services.AddHostedService<GatewayStartup>();
        services.AddSingleton<AccessRiskEngine>();
        services.AddSingleton<IAccessRiskEngine>(sp => sp.GetRequiredService<AccessRiskEngine>());
    }

    /// <inheritdoc />
    public override void ConfigureModel(ModelBuilder model) => GatewayModel.Configure(model);

    /// <inheritdoc />
    public override void ConfigurePipeline(IApplicationBuilder app) => app.UseMiddleware<GatewayMiddleware>();

    /// <inheritdoc />
    public override void MapEndpoints(IEndpointRouteBuilder v1) => GatewayEndpoints.Map(v1);

    /// <inheritdoc />
    public override Task RunDemoAsync(DemoContext demo, CancellationToken cancellationToken) => GatewayDemo.RunAsync(demo, cancellationToken);

    /// <summary>Adds <c>banyan bench gateway</c>.</summary>
    public override void ConfigureBench(IConfigurator<CommandSettings> bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        bench.AddCommand<GatewayBenchCommand>("gateway")
            .WithDescription("Gateway: replay normal and abusive partner traffic through the detector; loopback throughput and middleware p99 against a real host.");
    }
}
