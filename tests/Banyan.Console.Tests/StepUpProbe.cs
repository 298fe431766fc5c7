using Banyan.Platform;
using Banyan.Platform.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Console.Tests;

/// <summary>
/// A test-only module that wraps the host's access risk engine: it answers <see cref="AccessOutcome.StepUp"/>
/// for <see cref="Action"/> (as the engine does for a medium-risk staff action) and passes everything else
/// to the real engine (or allows, when the host has none). Lets the e2e test exercise the console's step-up.
/// </summary>
internal sealed class StepUpProbeModule : BanyanModule
{
    public const string Action = "staff_disable";

    public override string Name => "stepupprobe";

    public override void ConfigureServices(IServiceCollection services, ModuleContext context)
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(IAccessRiskEngine));
        services.AddSingleton<IAccessRiskEngine>(sp => new StepUpFor(original is null ? null : Resolve(original, sp)));
    }

    private static IAccessRiskEngine Resolve(ServiceDescriptor descriptor, IServiceProvider sp) =>
        descriptor.ImplementationInstance as IAccessRiskEngine
        ?? descriptor.ImplementationFactory?.Invoke(sp) as IAccessRiskEngine
        ?? (IAccessRiskEngine)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!);

    private sealed class StepUpFor(IAccessRiskEngine? inner) : IAccessRiskEngine
    {
        public ValueTask<AccessDecision> AssessAsync(AccessAttempt attempt, CancellationToken cancellationToken) =>
            attempt.Action == Action
                ? ValueTask.FromResult(new AccessDecision(AccessOutcome.StepUp, 50, ["test: medium-risk staff action"]))
                : inner?.AssessAsync(attempt, cancellationToken) ?? ValueTask.FromResult(new AccessDecision(AccessOutcome.Allow, 0, []));
    }
}
