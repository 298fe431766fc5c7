using Banyan.StaffConsole.Api;
using Banyan.StaffConsole.Staff;
using Banyan.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Banyan.StaffConsole;

/// <summary>
/// The staff web console (issue 11): a Blazor Web App (interactive server, MudBlazor) under
/// <c>/console</c>. Staff sign in with password + TOTP (ASP.NET Core Identity, tables <c>console_*</c>,
/// own cookie scheme); pages read and act only through the platform's <c>/v1</c> API with the
/// console's own OAuth client, the staff member travelling along as the actor. docs/console.md.
/// </summary>
public sealed class ConsoleModule : BanyanModule
{
    /// <inheritdoc />
    public override string Name => "console";

    /// <inheritdoc />
    public override void ConfigureServices(IServiceCollection services, ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(services);
        ConsoleAssets.EnableBuildOutputAssets(context);
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddLocalization();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, StaffSessionValidator>();
        services.AddConsoleAuth();
        services.AddSingleton<ConsoleClientCredentials>();
        services.AddHostedService<ConsoleClientProvisioner>();
        services.AddSingleton<ConsoleApi>();
        services.AddSingleton<DashboardBroadcaster>();
        services.AddScoped<StaffContext>();
    }

    /// <inheritdoc />
    public override void ConfigureModel(ModelBuilder model) => StaffModel.Configure(model);

    /// <inheritdoc />
    public override void ConfigurePipeline(IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        ActorPropagation.Use(app);
        ConsoleCulture.UseConsoleLocalization(app);
        app.UseAntiforgery();
    }

    /// <inheritdoc />
    public override void MapRootEndpoints(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        ConsoleHosting.MapConsole(app);
    }

    /// <inheritdoc />
    public override Task SeedDemoAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        Demo.DemoStaff.SeedAsync(services, cancellationToken);

    /// <inheritdoc />
    public override Task RunDemoAsync(DemoContext demo, CancellationToken cancellationToken) =>
        Demo.ConsoleWalkthrough.RunAsync(demo, cancellationToken);
}
