using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Spectre.Console.Cli;

namespace Banyan.Platform;

/// <summary>
/// The contract between the host and a business module. The host knows nothing module-specific
/// beyond the list of modules; everything a module brings (services, endpoints, tables, health
/// checks, demo data, CLI commands) arrives through these members.
/// </summary>
public interface IBanyanModule
{
    /// <summary>Short lower-case name, e.g. <c>ledger</c>; used in logs, table prefixes and the CLI.</summary>
    string Name { get; }

    /// <summary>OAuth2 scopes this module's endpoints require (e.g. <c>ledger</c>).</summary>
    IReadOnlyList<string> Scopes { get; }

    /// <summary>Registers the module's services. Called once, before the host is built.</summary>
    void ConfigureServices(IServiceCollection services, ModuleContext context);

    /// <summary>
    /// Maps the module's HTTP endpoints onto the authenticated <c>/v1</c> group. Endpoints pick their
    /// scope with <see cref="ScopePolicy.For(string)"/>.
    /// </summary>
    void MapEndpoints(IEndpointRouteBuilder v1);

    /// <summary>
    /// Adds middleware to the request pipeline, after authentication and authorization and before
    /// idempotency and endpoints (e.g. gateway protection). Keep it cheap for requests it does not concern.
    /// </summary>
    void ConfigurePipeline(IApplicationBuilder app) { }

    /// <summary>
    /// Maps endpoints outside the authenticated <c>/v1</c> group: browser pages (login, consent, the
    /// console), OAuth endpoints, discovery documents. Each endpoint states its own authorization.
    /// </summary>
    void MapRootEndpoints(IEndpointRouteBuilder app) { }

    /// <summary>Adds the module's entities to the shared model. Tables must be prefixed with the module name.</summary>
    void ConfigureModel(ModelBuilder model);

    /// <summary>Adds readiness checks (e.g. "journal open", "projector lag").</summary>
    void ConfigureHealthChecks(IHealthChecksBuilder health);

    /// <summary>Seeds demo data into an empty data directory. Must be idempotent.</summary>
    Task SeedDemoAsync(IServiceProvider services, CancellationToken cancellationToken);

    /// <summary>
    /// The module's part of <c>banyan demo</c>: a short, real walk-through over HTTP against a running
    /// host with demo data, printing what a user would see.
    /// </summary>
    Task RunDemoAsync(DemoContext demo, CancellationToken cancellationToken);

    /// <summary>Adds the module's commands to the <c>banyan</c> CLI (e.g. <c>banyan ledger verify</c>).</summary>
    void ConfigureCli(IConfigurator cli);

    /// <summary>Adds the module's end-to-end benchmarks under <c>banyan bench</c> (e.g. <c>banyan bench credit</c>).</summary>
    void ConfigureBench(IConfigurator<CommandSettings> bench);
}
