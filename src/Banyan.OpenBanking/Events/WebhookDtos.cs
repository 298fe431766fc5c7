namespace Banyan.OpenBanking.Events;

/// <summary>Partner: register a webhook endpoint.</summary>
internal sealed record RegisterWebhook(string Url, IReadOnlyList<string> EventTypes);

/// <summary>A webhook endpoint (the secret is never shown again after registration).</summary>
internal sealed record WebhookView(string WebhookId, string Url, IReadOnlyList<string> EventTypes, DateTimeOffset CreatedAt);

/// <summary>A newly registered endpoint with its signing secret (<c>whsec_…</c>), shown once.</summary>
internal sealed record WebhookCreatedView(string WebhookId, string Url, IReadOnlyList<string> EventTypes, string Secret, DateTimeOffset CreatedAt);

/// <summary>The partner's webhook endpoints.</summary>
internal sealed record WebhookList(IReadOnlyList<WebhookView> Webhooks);

/// <summary>An event as the partner's log shows it.</summary>
internal sealed record EventView(string EventId, string Type, string Subject, DateTimeOffset CreatedAt);

/// <summary>The partner's recent events, newest first.</summary>
internal sealed record EventList(IReadOnlyList<EventView> Events);

/// <summary>One HTTP attempt: the receiver's status code or the error, and when the next attempt is due (null when none).</summary>
internal sealed record AttemptView(int Attempt, DateTimeOffset AttemptedAt, int? StatusCode, string? Error, DateTimeOffset? NextAttemptAt);

/// <summary>The event's delivery to one endpoint (<c>pending</c>, <c>delivered</c>, <c>failed</c>) with its attempts.</summary>
internal sealed record DeliveryView(string DeliveryId, string WebhookId, string Status, int Attempts, DateTimeOffset? NextAttemptAt, IReadOnlyList<AttemptView> AttemptLog);

/// <summary>The delivery log of one event.</summary>
internal sealed record DeliveryLog(string EventId, string Type, IReadOnlyList<DeliveryView> Deliveries);
