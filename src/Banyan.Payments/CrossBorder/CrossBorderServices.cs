using Banyan.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Banyan.Payments.CrossBorder;

/// <summary>Registers cross-border payments (called from the payments module's ConfigureServices).</summary>
internal static class CrossBorderServices
{
    public static void Add(IServiceCollection services, ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        services.AddOptions<CrossBorderOptions>().Bind(context.Configuration.GetSection(CrossBorderOptions.Section))
            .Validate(o => { o.Validate(); return true; }).ValidateOnStart();
        // TryAdd: a test host may register its own clock (to move time) or screening before this runs.
        services.TryAddSingleton(sp => new CrossBorderClock(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IReleaseScreening, UnconfiguredScreening>();
        services.AddSingleton<FxRateSource>();
        services.AddSingleton(_ => CorridorTable.Embedded());
        services.AddSingleton<XbQuotes>();
        services.AddSingleton<XbPayments>();
        services.AddSingleton<XbInbound>();
        services.AddSingleton<XbTracking>();
        services.AddSingleton<XbPain001>();
        services.AddSingleton<Camt053Statements>();
        services.AddHostedService<CrossBorderStartup>();
    }
}
