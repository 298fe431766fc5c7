using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Banyan.OpenBanking.Storage;
using Banyan.Platform.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Events;

/// <summary>The event types partners can subscribe to.</summary>
internal static class EventTypes
{
    public const string ConsentAuthorised = "consent.authorised";
    public const string ConsentRejected = "consent.rejected";
    public const string ConsentRevoked = "consent.revoked";
    public const string PaymentCompleted = "payment.completed";
    public const string PaymentRejected = "payment.rejected";

    public static readonly string[] All = [ConsentAuthorised, ConsentRejected, ConsentRevoked, PaymentCompleted, PaymentRejected];
}

/// <summary>An event about to be written: whose, what, about which consent or payment, and its data (snake_case keys).</summary>
internal sealed record OutboxEvent(string ClientId, string Type, string Subject, IReadOnlyDictionary<string, object?> Data);

/// <summary>
/// The transactional outbox (decision 0601). <see cref="StageAsync"/> adds the event and one delivery per
/// subscribed endpoint to the caller's <see cref="DbContext"/> and saves, so inside the caller's transaction
/// the event commits or rolls back with the state change it reports. The dispatcher delivers later; a wake-up
/// signal saves it waiting for its next poll.
/// </summary>
internal sealed class EventOutbox(IServiceScopeFactory scopes, TimeProvider time)
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public ChannelReader<bool> WakeUps => _wake.Reader;

    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Writes the event and its deliveries with <paramref name="db"/> (saving whatever else it tracks too).</summary>
    public async Task<EventRow> StageAsync(DbContext db, OutboxEvent e, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var row = new EventRow
        {
            Id = "evt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            ClientId = e.ClientId,
            Type = e.Type,
            Subject = e.Subject,
            CreatedAtUnixMs = now.ToUnixTimeMilliseconds(),
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(new { id = row.Id, type = e.Type, created_at = now, data = e.Data }, BanyanJson.Options);
        if (body.Length > EventOutboxLimits.MaxBodyBytes || !EventTypes.All.Contains(e.Type))
        {
            throw new InvalidOperationException($"Event {e.Type} is unknown or its body exceeds {EventOutboxLimits.MaxBodyBytes} bytes.");
        }

        row.Body = Encoding.UTF8.GetString(body);
        db.Add(row);
        var endpoints = await db.Set<WebhookEndpointRow>().AsNoTracking().Where(w => w.ClientId == e.ClientId).ToListAsync(cancellationToken);
        foreach (var endpoint in endpoints.Where(w => w.EventTypes.Split(' ').Contains(e.Type)))
        {
            db.Add(new DeliveryRow
            {
                Id = "dlv_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
                EventId = row.Id,
                EndpointId = endpoint.Id,
                ClientId = e.ClientId,
                NextAttemptAtUnixMs = row.CreatedAtUnixMs,
                UpdatedAtUnixMs = row.CreatedAtUnixMs,
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        Wake();
        return row;
    }

    /// <summary>Writes an event on its own (when there is no local state change to share a transaction with).</summary>
    public async Task<EventRow> RaiseAsync(OutboxEvent e, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await StageAsync(scope.ServiceProvider.GetRequiredService<DbContext>(), e, cancellationToken);
    }

    /// <summary>The event a consent transition raises (audit action → event type), or null for transitions partners are not told about.</summary>
    public static OutboxEvent? ForConsent(string action, ConsentRow consent)
    {
        var type = action switch
        {
            "consent_authorised" => EventTypes.ConsentAuthorised,
            "consent_rejected" => EventTypes.ConsentRejected,
            "consent_revoked" => EventTypes.ConsentRevoked,
            _ => null,
        };
        return type is null ? null : new OutboxEvent(consent.ClientId, type, consent.Id, new Dictionary<string, object?>
        {
            ["consent_id"] = consent.Id, ["kind"] = consent.Kind, ["status"] = consent.Status,
        });
    }

    /// <summary>Stages the consent event for <paramref name="action"/>, if it has one, in <paramref name="db"/> (the transition's context).</summary>
    public static async Task StageConsentAsync(IServiceProvider services, DbContext db, string action, ConsentRow consent, CancellationToken cancellationToken)
    {
        if (ForConsent(action, consent) is { } e)
        {
            await services.GetRequiredService<EventOutbox>().StageAsync(db, e, cancellationToken);
        }
    }

    public static OutboxEvent PaymentCompleted(PaymentRow payment, ConsentRow consent) => new(payment.ClientId, EventTypes.PaymentCompleted, payment.Id, new Dictionary<string, object?>
    {
        ["payment_id"] = payment.Id, ["consent_id"] = consent.Id, ["status"] = payment.Status, ["ledger_transfer_id"] = payment.LedgerTransferId,
        ["amount_minor"] = consent.AmountMinor, ["currency"] = consent.Currency,
    });

    public static OutboxEvent PaymentRejected(ConsentRow consent, string? reason) => new(consent.ClientId, EventTypes.PaymentRejected, consent.Id, new Dictionary<string, object?>
    {
        ["consent_id"] = consent.Id, ["status"] = "rejected", ["reason"] = reason is { Length: <= 64 } ? reason : "rejected",
    });
}
