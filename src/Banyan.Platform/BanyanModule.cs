using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Banyan.Platform;

/// <summary>
/// Convenience base for modules: every hook does nothing until overridden, so a module states only
/// what it brings.
/// </summary>
public abstract class BanyanModule : IBanyanModule
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public virtual IReadOnlyList<string> Scopes => [];

    /// <inheritdoc />
    public virtual void ConfigureServices(IServiceCollection services, ModuleContext context) { }

    /// <inheritdoc />
    public virtual void MapEndpoints(IEndpointRouteBuilder v1) { }

    /// <inheritdoc />
    public virtual void ConfigurePipeline(IApplicationBuilder app) { }

    /// <inheritdoc />
    public virtual void MapRootEndpoints(IEndpointRouteBuilder app) { }

    /// <inheritdoc />
    public virtual void ConfigureModel(ModelBuilder model) { }

    /// <inheritdoc />
    public virtual void ConfigureHealthChecks(IHealthChecksBuilder health) { }

    /// <inheritdoc />
    public virtual Task SeedDemoAsync(IServiceProvider services, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public virtual Task RunDemoAsync(DemoContext demo, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public virtual void ConfigureCli(IConfigurator cli) { }

    /// <inheritdoc />
    public virtual void ConfigureBench(IConfigurator<CommandSettings> bench) { }
}
