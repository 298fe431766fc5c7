using System.Security.Cryptography;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Identity;
using Banyan.OpenBanking.Storage;
using Banyan.Platform.Http;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;

namespace Banyan.OpenBanking.Events;

/// <summary>
/// A partner's own webhooks and delivery log (issue 5 item 5). Every call is the partner's client-credentials
/// token (DPoP-bound, approved partner, no customer consent in it); another partner's endpoint or event is 404.
/// </summary>
internal static class WebhookEndpoints
{
    private const int MaxUrlLength = 512;
    private const int MaxListedEvents = 200;

    public static void Map(IEndpointRouteBuilder openBanking)
    {
        // Any partner scope will do: webhooks concern the partner itself, not a customer's data.
        var group = openBanking.MapGroup("").RequireAuthorization().WithTags("open-banking");
        group.MapPost("/webhooks", RegisterAsync).WithName("open_banking_register_webhook").WithSummary("Register a webhook endpoint for event types (returns its signing secret once)");
        group.MapGet("/webhooks", ListAsync).WithName("open_banking_list_webhooks").WithSummary("This partner's webhook endpoints");
        group.MapDelete("/webhooks/{webhookId}", DeleteAsync).WithName("open_banking_delete_webhook").WithSummary("Delete a webhook endpoint (pending deliveries to it fail)");
        group.MapGet("/events", EventsAsync).WithName("open_banking_list_events").WithSummary("This partner's recent events, newest first");
        group.MapGet("/events/{eventId}/deliveries", DeliveriesAsync).WithName("open_banking_get_event_deliveries").WithSummary("Delivery log of an event: attempts, status codes, errors, next attempt");
        group.MapPost("/events/{eventId}/redeliver", RedeliverAsync).WithName("open_banking_redeliver_event").WithSummary("Deliver an event again to the endpoints where it failed");
    }

    private static async Task<Results<Created<WebhookCreatedView>, ProblemHttpResult>> RegisterAsync(
        RegisterWebhook body, HttpContext http, Guard guard, WebhookAddressGuard addresses, IDataProtectionProvider protection, TimeProvider time)
    {
        var (clientId, problem) = await PartnerAsync(http, guard);
        if (clientId is null)
        {
            return problem!;
        }

        var errors = Validate(body);
        if (errors.Count > 0)
        {
            return BanyanProblems.Validation("The webhook registration is invalid.", errors);
        }

        // SSRF guard (decision 0607): the host may not resolve to a private, loopback, link-local… address.
        if (await addresses.CheckAsync(new Uri(body.Url), http.RequestAborted) is { } refused)
        {
            return BanyanProblems.Validation("The webhook URL is refused.", new Dictionary<string, string[]> { ["url"] = [refused] });
        }

        await using var scope = http.RequestServices.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        if (await db.Set<WebhookEndpointRow>().CountAsync(w => w.ClientId == clientId, http.RequestAborted) >= WebhookOptions.MaxEndpointsPerPartner)
        {
            return BanyanProblems.Unprocessable($"A partner may register at most {WebhookOptions.MaxEndpointsPerPartner} webhook endpoints.");
        }

        var secret = WebhookSignature.NewSecret();
        var row = new WebhookEndpointRow
        {
            Id = "whk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)),
            ClientId = clientId,
            Url = body.Url,
            EventTypes = string.Join(' ', body.EventTypes.Distinct(StringComparer.Ordinal)),
            ProtectedSecret = protection.CreateProtector(WebhookDispatcher.SecretPurpose).Protect(secret),
            CreatedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        db.Add(row);
        await db.SaveChangesAsync(http.RequestAborted);
        await AuditAsync(http, "webhook_registered", clientId, row.Id, ("url", row.Url), ("event_types", row.EventTypes));
        var view = View(row);
        return TypedResults.Created($"/v1/open-banking/webhooks/{row.Id}", new WebhookCreatedView(view.WebhookId, view.Url, view.EventTypes, secret, view.CreatedAt));
    }

    /// <summary>
    /// https only, except plain http to exactly <c>127.0.0.1</c> (tests and the sandbox on one machine, and only when
    /// <see cref="WebhookAddressGuard.AllowLoopback"/>: the guard refuses it otherwise). No user
    /// info, no fragment, at most 512 characters; event types from <see cref="EventTypes.All"/>.
    /// </summary>
    internal static Dictionary<string, string[]> Validate(RegisterWebhook body)
    {
        var errors = new Dictionary<string, string[]>();
        var url = body.Url ?? "";
        var valid = url.Length <= MaxUrlLength && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo)
            && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.Host == "127.0.0.1"));
        if (!valid)
        {
            errors["url"] = [$"an absolute https URL (plain http only to 127.0.0.1), no user info or fragment, at most {MaxUrlLength} characters"];
        }

        if (body.EventTypes is null || body.EventTypes.Count is 0 or > 10 || body.EventTypes.Any(t => !EventTypes.All.Contains(t)))
        {
            errors["event_types"] = ["one or more of " + string.Join(", ", EventTypes.All)];
        }

        return errors;
    }

    private static async Task<Results<Ok<WebhookList>, ProblemHttpResult>> ListAsync(HttpContext http, Guard guard)
    {
        var (clientId, problem) = await PartnerAsync(http, guard);
        if (clientId is null)
        {
            return problem!;
        }

        await using var scope = http.RequestServices.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<WebhookEndpointRow>().AsNoTracking()
            .Where(w => w.ClientId == clientId).OrderBy(w => w.CreatedAtUnixMs).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(new WebhookList(rows.Select(View).ToList()));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string webhookId, HttpContext http, Guard guard)
    {
        var (clientId, problem) = await PartnerAsync(http, guard);
        if (clientId is null)
        {
            return problem!;
        }

        await using var scope = http.RequestServices.CreateAsyncScope();
        var deleted = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<WebhookEndpointRow>()
            .Where(w => w.Id == webhookId && w.ClientId == clientId).ExecuteDeleteAsync(http.RequestAborted);
        if (deleted != 1)
        {
            return BanyanProblems.NotFound($"No webhook {webhookId}.");
        }

        await AuditAsync(http, "webhook_deleted", clientId, webhookId);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<EventList>, ProblemHttpResult>> EventsAsync(int? limit, HttpContext http, Guard guard)
    {
        if (limit is < 1 or > MaxListedEvents)
        {
            return BanyanProblems.Validation("Invalid limit.", new Dictionary<string, string[]> { ["limit"] = [$"1-{MaxListedEvents}"] });
        }

        var (clientId, problem) = await PartnerAsync(http, guard);
        if (clientId is null)
        {
            return problem!;
        }

        await using var scope = http.RequestServices.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<EventRow>().AsNoTracking()
            .Where(e => e.ClientId == clientId).OrderByDescending(e => e.CreatedAtUnixMs).Take(limit ?? 50).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(new EventList(rows.Select(e => new EventView(e.Id, e.Type, e.Subject, DateTimeOffset.FromUnixTimeMilliseconds(e.CreatedAtUnixMs))).ToList()));
    }

    private static async Task<Results<Ok<DeliveryLog>, ProblemHttpResult>> DeliveriesAsync(string eventId, HttpContext http, Guard guard)
    {
        var (clientId, problem) = await PartnerAsync(http, guard);
        if (clientId is null)
        {
            return problem!;
        }

        await using var scope = http.RequestServices.CreateAsyncScope();
        var log = await LogAsync(scope.ServiceProvider.GetRequiredService<DbContext>(), eventId, clientId, http.RequestAborted);
        return log is null ? BanyanProblems.NotFound($"No event {eventId}.") : TypedResults.Ok(log);
    }

    private static async Task<Results<Accepted<DeliveryLog>, ProblemHttpResult>> RedeliverAsync(string eventId, HttpContext http, Guard guard, EventOutbox outbox, TimeProvider time)
    {
        var (clientId, problem) = await PartnerAsync(http, guard);
        if (clientId is null)
        {
            return problem!;
        }

        await using var scope = http.RequestServices.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        if (!await db.Set<EventRow>().AnyAsync(e => e.Id == eventId && e.ClientId == clientId, http.RequestAborted))
        {
            return BanyanProblems.NotFound($"No event {eventId}.");
        }

        // Only failed deliveries restart (a fresh attempt budget); delivered or still-pending ones are left alone.
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var restarted = await db.Set<DeliveryRow>().Where(d => d.EventId == eventId && d.ClientId == clientId && d.Status == DeliveryStatus.Failed)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Pending).SetProperty(d => d.Attempts, 0)
                .SetProperty(d => d.NextAttemptAtUnixMs, now).SetProperty(d => d.UpdatedAtUnixMs, now), http.RequestAborted);
        if (restarted == 0)
        {
            return BanyanProblems.Conflict($"Event {eventId} has no failed delivery to retry.");
        }

        outbox.Wake();
        await AuditAsync(http, "event_redelivery_requested", clientId, eventId);
        return TypedResults.Accepted($"/v1/open-banking/events/{eventId}/deliveries", await LogAsync(db, eventId, clientId, http.RequestAborted));
    }

    internal static async Task<DeliveryLog?> LogAsync(DbContext db, string eventId, string clientId, CancellationToken cancellationToken)
    {
        var e = await db.Set<EventRow>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == eventId && x.ClientId == clientId, cancellationToken);
        if (e is null)
        {
            return null;
        }

        var deliveries = await db.Set<DeliveryRow>().AsNoTracking().Where(d => d.EventId == e.Id).OrderBy(d => d.Id).ToListAsync(cancellationToken);
        var attempts = await db.Set<DeliveryAttemptRow>().AsNoTracking().Where(a => a.EventId == e.Id).OrderBy(a => a.Id).ToListAsync(cancellationToken);
        return new DeliveryLog(e.Id, e.Type, deliveries.Select(d => new DeliveryView(
            d.Id, d.EndpointId, d.Status, d.Attempts, d.Status == DeliveryStatus.Pending ? Time(d.NextAttemptAtUnixMs) : null,
            attempts.Where(a => a.DeliveryId == d.Id).Select(a => new AttemptView(a.Attempt, Time(a.AttemptedAtUnixMs), a.StatusCode, a.Error,
                a.NextAttemptAtUnixMs is { } n ? Time(n) : null)).ToList())).ToList());
    }

    // Webhooks belong to the partner, so a customer token (one carrying a consent) may not manage them.
    private static async Task<(string? ClientId, ProblemHttpResult? Problem)> PartnerAsync(HttpContext http, Guard guard)
    {
        var (caller, problem) = await guard.PartnerAsync(http);
        if (caller is null)
        {
            return (null, problem);
        }

        return http.User.GetClaim(OAuthHandlers.ConsentClaim) is null
            ? (caller.ClientId, null)
            : (null, BanyanProblems.Forbidden("Webhooks are managed with the partner's client-credentials token, not a customer token."));
    }

    // Partner changes are audited (category partner); the secret never is.
    private static async Task AuditAsync(HttpContext http, string action, string clientId, string subject, params (string Key, string Value)[] details) =>
        await http.RequestServices.GetRequiredService<IAuditLog>().AppendAsync(new AuditEntry("partner", action, clientId, subject, "succeeded",
            details.ToDictionary(d => d.Key, d => d.Value)), http.RequestAborted);

    private static WebhookView View(WebhookEndpointRow row) =>
        new(row.Id, row.Url, row.EventTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries), Time(row.CreatedAtUnixMs));

    private static DateTimeOffset Time(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
}
