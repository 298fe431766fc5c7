using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Banyan.OpenBanking.Events;

/// <summary>Service wiring for the outbox, the dispatcher and its HTTP client.</summary>
internal static class EventsRegistration
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        var options = WebhookOptions.From(configuration);
        services.AddSingleton(options);
        services.AddSingleton<EventOutbox>();
        services.AddSingleton(sp => WebhookAddressGuard.From(configuration, sp.GetRequiredService<IHostEnvironment>()));
        services.AddHttpClient(WebhookDispatcher.ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => Handler(sp.GetRequiredService<WebhookAddressGuard>(), options));
        services.AddHostedService<WebhookDispatcher>();
    }

    /// <summary>
    /// The dispatcher's handler: every connection goes through the SSRF guard (decision 0607). No proxy (a proxy
    /// would connect on our behalf to an address the guard never saw) and no redirects (a receiver cannot bounce
    /// a signed event to another host).
    /// </summary>
    internal static SocketsHttpHandler Handler(WebhookAddressGuard guard, WebhookOptions options) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        ConnectTimeout = options.Timeout,
        ConnectCallback = guard.ConnectAsync,
    };
}
