using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Events;

/// <summary>Service wiring for the outbox, the dispatcher and its HTTP client.</summary>
internal static class EventsRegistration
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        var options = WebhookOptions.From(configuration);
        services.AddSingleton(options);
        services.AddSingleton<EventOutbox>();
        services.AddHttpClient(WebhookDispatcher.ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            // Redirects are not followed: a receiver cannot bounce a signed event to another host.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = options.Timeout });
        services.AddHostedService<WebhookDispatcher>();
    }
}
