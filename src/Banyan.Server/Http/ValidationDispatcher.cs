using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OpenIddict.Validation;
using static OpenIddict.Validation.OpenIddictValidationEvents;

namespace Banyan.Server.Http;

/// <summary>
/// OpenIddict validation's event dispatcher, with the work that does not depend on the request done once
/// (decision 0620, third pass). Same handlers, same order, same filters, same stop rules as OpenIddict's own
/// dispatcher: for each event, every handler descriptor of exactly that context type, in the options' sorted order,
/// runs when all its filters say so, and dispatching stops as soon as the context is handled, skipped or rejected.
/// What is not repeated per event: scanning every descriptor of every event type, an async enumerator per event,
/// and resolving singleton handlers and filters from the request scope (a dictionary lookup and, for the scope, a lock).
/// Scoped and transient handlers/filters are still resolved from the request's provider on every use.
/// </summary>
internal sealed class ValidationDispatcher(ValidationDispatchPlan plan, IServiceProvider requestServices) : IOpenIddictValidationDispatcher
{
    public async ValueTask DispatchAsync<TContext>(TContext context) where TContext : BaseContext
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var step in plan.StepsFor<TContext>())
        {
            if (!await IsActiveAsync(step, context))
            {
                continue;
            }

            await step.Handler(requestServices).HandleAsync(context);
            if (context is BaseRequestContext { IsRequestHandled: true } or BaseRequestContext { IsRequestSkipped: true } or BaseValidatingContext { IsRejected: true })
            {
                return;
            }
        }
    }

    // OpenIddict's filters answer synchronously; only a filter that really awaits pays for a state machine.
    private ValueTask<bool> IsActiveAsync<TContext>(ValidationDispatchPlan.Step<TContext> step, TContext context) where TContext : BaseContext
    {
        var filters = step.Filters;
        for (var index = 0; index < filters.Length; index++)
        {
            var active = filters[index](requestServices).IsActiveAsync(context);
            if (!active.IsCompletedSuccessfully)
            {
                return AwaitRestAsync(active, filters, index, context);
            }

            if (!active.Result)
            {
                return ValueTask.FromResult(false);
            }
        }

        return ValueTask.FromResult(true);
    }

    private async ValueTask<bool> AwaitRestAsync<TContext>(ValueTask<bool> pending, ValidationDispatchPlan.Resolver<IOpenIddictValidationHandlerFilter<TContext>>[] filters, int index, TContext context)
        where TContext : BaseContext
    {
        if (!await pending)
        {
            return false;
        }

        for (var next = index + 1; next < filters.Length; next++)
        {
            if (!await filters[next](requestServices).IsActiveAsync(context))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// Per event context type: the handler descriptors that apply, each with how to get its handler and filters.
/// Singleton handlers and filters are resolved once; others come from the request's provider each time.
/// Rebuilt if OpenIddict's options ever hand out another handler list.
/// </summary>
internal sealed class ValidationDispatchPlan(IOptionsMonitor<OpenIddictValidationOptions> options, IServiceProvider root, ValidationServiceLifetimes lifetimes)
{
    // The plans built from one handler list; replaced as a whole, so no plan from an older list can survive a change.
    private Snapshot? _snapshot;

    /// <summary>Resolves a handler or filter for one use; the argument is the request's service provider.</summary>
    internal delegate T Resolver<out T>(IServiceProvider requestServices);

    internal sealed record Step<TContext>(Resolver<IOpenIddictValidationHandler<TContext>> Handler, Resolver<IOpenIddictValidationHandlerFilter<TContext>>[] Filters)
        where TContext : BaseContext;

    public Step<TContext>[] StepsFor<TContext>() where TContext : BaseContext
    {
        var handlers = options.CurrentValue.Handlers;
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null || !ReferenceEquals(snapshot.Source, handlers))
        {
            // First use, or OpenIddict's options were replaced (never in Banyan today): plan again from the new list.
            snapshot = new Snapshot(handlers, new ConcurrentDictionary<Type, object>());
            Volatile.Write(ref _snapshot, snapshot);
        }

        return (Step<TContext>[])snapshot.Steps.GetOrAdd(typeof(TContext), _ => Build<TContext>(handlers));
    }

    private sealed record Snapshot(List<OpenIddictValidationHandlerDescriptor> Source, ConcurrentDictionary<Type, object> Steps);

    private Step<TContext>[] Build<TContext>(List<OpenIddictValidationHandlerDescriptor> handlers) where TContext : BaseContext
    {
        var steps = new List<Step<TContext>>();
        foreach (var descriptor in handlers.Where(d => d.ContextType == typeof(TContext)))
        {
            var filters = descriptor.FilterTypes.Select(type => Resolve<IOpenIddictValidationHandlerFilter<TContext>>(type, instance: null)).ToArray();
            var handler = Resolve<IOpenIddictValidationHandler<TContext>>(descriptor.ServiceDescriptor.ServiceType, descriptor.ServiceDescriptor.ImplementationInstance);
            steps.Add(new Step<TContext>(handler, filters));
        }

        return [.. steps];
    }

    private Resolver<T> Resolve<T>(Type service, object? instance) where T : class
    {
        if (instance is not null)
        {
            var fixedInstance = instance as T ?? throw new InvalidOperationException($"{instance.GetType()} is not a {typeof(T)}.");
            return _ => fixedInstance;
        }

        if (lifetimes.IsSingleton(service))
        {
            // Resolved on first use (not while planning): same instance the request scope would return.
            var shared = new Lazy<T>(() => Cast<T>(root.GetService(service), service), LazyThreadSafetyMode.ExecutionAndPublication);
            return _ => shared.Value;
        }

        return requestServices => Cast<T>(requestServices.GetService(service), service);
    }

    private static T Cast<T>(object? resolved, Type service) where T : class =>
        resolved as T ?? throw new InvalidOperationException($"The OpenIddict validation service {service} is not registered or is not a {typeof(T)}.");
}

/// <summary>
/// Which services are registered as singletons (the last registration of a type is the one <c>GetService</c> returns).
/// Holds the host's service collection, which is complete and read-only once the provider is built.
/// </summary>
internal sealed class ValidationServiceLifetimes(IServiceCollection services)
{
    private readonly ConcurrentDictionary<Type, bool> _singleton = new();

    public bool IsSingleton(Type service) =>
        _singleton.GetOrAdd(service, type => services.LastOrDefault(d => d.ServiceType == type && !d.IsKeyedService)?.Lifetime == ServiceLifetime.Singleton);
}
