using Banyan.Server.Http;
using Banyan.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenIddict.Validation;
using static OpenIddict.Validation.OpenIddictValidationEvents;

namespace Banyan.Server.Tests;

/// <summary>The planned OpenIddict validation dispatcher (decision 0620, third pass) keeps OpenIddict's dispatch rules.</summary>
public sealed class ValidationDispatcherTests
{
    [Fact]
    public async Task Handlers_of_the_event_type_run_in_order_and_handlers_of_other_events_do_not()
    {
        var log = new List<string>();
        using var provider = Build(log,
            Handler<ProcessAuthenticationContext, Slot1>("first"),
            Handler<ValidateTokenContext, Slot2>("other event"),
            Handler<ProcessAuthenticationContext, Slot3>("second"));

        await DispatchAsync(provider);

        Assert.Equal(["first", "second"], log);
    }

    [Fact]
    public async Task A_handler_whose_filter_says_no_is_skipped_and_the_rest_still_run()
    {
        var log = new List<string>();
        using var provider = Build(log,
            Handler<ProcessAuthenticationContext, Slot1>("filtered", filter: false),
            Handler<ProcessAuthenticationContext, Slot2>("allowed", filter: true),
            Handler<ProcessAuthenticationContext, Slot3>("plain"));

        await DispatchAsync(provider);

        Assert.Equal(["allowed", "plain"], log);
    }

    [Fact]
    public async Task Filters_that_answer_later_are_awaited_and_all_must_agree()
    {
        var log = new List<string>();
        using var provider = Build(log,
            Handler<ProcessAuthenticationContext, Slot1>("slow yes then no", filter: true, slowFilter: false),
            Handler<ProcessAuthenticationContext, Slot2>("slow yes then yes", filter: true, slowFilter: true),
            Handler<ProcessAuthenticationContext, Slot3>("slow yes only", slowFilter: true));

        await DispatchAsync(provider);

        Assert.Equal(["slow yes then yes", "slow yes only"], log);
    }

    [Fact]
    public async Task A_rejection_stops_the_event_before_later_handlers()
    {
        var log = new List<string>();
        using var provider = Build(log,
            Handler<ProcessAuthenticationContext, Slot1>("reject"),
            Handler<ProcessAuthenticationContext, Slot2>("after"));

        var context = await DispatchAsync(provider);

        Assert.Equal(["reject"], log);
        Assert.True(context.IsRejected);
    }

    [Fact]
    public async Task Scoped_handlers_are_made_per_request_and_singleton_handlers_are_shared()
    {
        var log = new List<string>();
        using var provider = Build(log,
            Handler<ProcessAuthenticationContext, Slot1>("scoped", lifetime: ServiceLifetime.Scoped),
            Handler<ProcessAuthenticationContext, Slot2>("singleton"));

        await DispatchAsync(provider);
        await DispatchAsync(provider);

        Assert.Equal(["scoped", "singleton", "scoped", "singleton"], log);
        Assert.Equal(2, Instances(provider, "scoped"));
        Assert.Equal(1, Instances(provider, "singleton"));
    }

    [Fact]
    public async Task The_host_dispatches_validation_with_the_planned_dispatcher()
    {
        await using var host = await TestHost.StartAsync();
        using var scope = host.App.Services.CreateScope();
        Assert.IsType<ValidationDispatcher>(scope.ServiceProvider.GetRequiredService<IOpenIddictValidationDispatcher>());
    }

    private static int Instances(ServiceProvider provider, string name)
    {
        var instances = provider.GetRequiredService<HashSet<(string, object)>>();
        lock (instances)
        {
            return instances.Count(i => i.Item1 == name);
        }
    }

    private static OpenIddictValidationHandlerDescriptor Handler<TContext, TSlot>(string name, bool? filter = null, ServiceLifetime lifetime = ServiceLifetime.Singleton, bool? slowFilter = null)
        where TContext : BaseContext
    {
        var builder = OpenIddictValidationHandlerDescriptor.CreateBuilder<TContext>()
            .SetServiceDescriptor(new ServiceDescriptor(typeof(Named<TContext, TSlot>),
                sp => new Named<TContext, TSlot>(name, sp.GetRequiredService<List<string>>(), sp.GetRequiredService<HashSet<(string, object)>>()), lifetime));
        if (slowFilter is not null)
        {
            builder = builder.AddFilter<SlowYes<TContext>>();
        }

        if (filter is { } active)
        {
            builder = active ? builder.AddFilter<Always<TContext>>() : builder.AddFilter<Never<TContext>>();
        }

        if (slowFilter is { } slowSecond)
        {
            builder = slowSecond ? builder.AddFilter<SlowYes<TContext>>() : builder.AddFilter<Never<TContext>>();
        }

        return builder.Build();
    }

    private static ServiceProvider Build(List<string> log, params OpenIddictValidationHandlerDescriptor[] handlers)
    {
        IServiceCollection services = new ServiceCollection();
        services.AddSingleton(log);
        services.AddSingleton(new HashSet<(string, object)>());
        services.AddSingleton(typeof(Never<>));
        services.AddSingleton(typeof(Always<>));
        services.AddSingleton(typeof(SlowYes<>));
        foreach (var handler in handlers)
        {
            services.Add(handler.ServiceDescriptor);
        }

        // Only these handlers: the options come with OpenIddict's defaults, which need services this test has no use for.
        services.Configure<OpenIddictValidationOptions>(options =>
        {
            options.Handlers.Clear();
            options.Handlers.AddRange(handlers);
        });
        services.AddSingleton(new ValidationServiceLifetimes(services));
        services.AddSingleton<ValidationDispatchPlan>();
        services.AddScoped<IOpenIddictValidationDispatcher, ValidationDispatcher>();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    private static async Task<ProcessAuthenticationContext> DispatchAsync(ServiceProvider provider)
    {
        using var scope = provider.CreateScope();
        var context = new ProcessAuthenticationContext(new OpenIddictValidationTransaction { Options = new OpenIddictValidationOptions(), Logger = NullLogger.Instance });
        await scope.ServiceProvider.GetRequiredService<IOpenIddictValidationDispatcher>().DispatchAsync(context);
        return context;
    }

    // One handler service type per position: the dispatcher resolves handlers by type, as OpenIddict's does.
    private sealed class Slot1;

    private sealed class Slot2;

    private sealed class Slot3;

    private sealed class Never<TContext> : IOpenIddictValidationHandlerFilter<TContext> where TContext : BaseContext
    {
        public ValueTask<bool> IsActiveAsync(TContext context) => ValueTask.FromResult(false);
    }

    private sealed class Always<TContext> : IOpenIddictValidationHandlerFilter<TContext> where TContext : BaseContext
    {
        public ValueTask<bool> IsActiveAsync(TContext context) => ValueTask.FromResult(true);
    }

    // Says yes only after really yielding, so the dispatcher has to await it.
    private sealed class SlowYes<TContext> : IOpenIddictValidationHandlerFilter<TContext> where TContext : BaseContext
    {
        public async ValueTask<bool> IsActiveAsync(TContext context)
        {
            await Task.Yield();
            return true;
        }
    }

    private sealed class Named<TContext, TSlot>(string name, List<string> log, HashSet<(string, object)> instances) : IOpenIddictValidationHandler<TContext>
        where TContext : BaseContext
    {
        public ValueTask HandleAsync(TContext context)
        {
            lock (log)
            {
                log.Add(name);
            }

            lock (instances)
            {
                instances.Add((name, this));
            }

            if (name == "reject" && context is BaseValidatingContext validating)
            {
                validating.Reject("invalid_token", "rejected by the test");
            }

            return ValueTask.CompletedTask;
        }
    }
}
