using Microsoft.EntityFrameworkCore;

namespace Banyan.OpenBanking.Storage;

/// <summary>A partner's webhook endpoint: where events of the listed types are delivered, signed with its own secret.</summary>
internal sealed class WebhookEndpointRow
{
    public string Id { get; set; } = "";

    /// <summary>The owning partner's OAuth client id: every query filters on it.</summary>
    public string ClientId { get; set; } = "";

    public string Url { get; set; } = "";

    /// <summary>Space-separated event types.</summary>
    public string EventTypes { get; set; } = "";

    /// <summary>The HMAC secret, protected with ASP.NET Core Data Protection (shown to the partner once).</summary>
    public string ProtectedSecret { get; set; } = "";

    public long CreatedAtUnixMs { get; set; }
}

/// <summary>An event in the outbox: written with the state change it reports, delivered later by the dispatcher.</summary>
internal sealed class EventRow
{
    public string Id { get; set; } = "";

    public string ClientId { get; set; } = "";

    public string Type { get; set; } = "";

    /// <summary>The consent or payment the event is about.</summary>
    public string Subject { get; set; } = "";

    /// <summary>The exact JSON body delivered (and signed).</summary>
    public string Body { get; set; } = "";

    public long CreatedAtUnixMs { get; set; }
}

/// <summary>One event to one endpoint: the retry state machine (<c>pending → delivered | failed</c>, <c>failed → pending</c> on redelivery).</summary>
internal sealed class DeliveryRow
{
    public string Id { get; set; } = "";

    public string EventId { get; set; } = "";

    public string EndpointId { get; set; } = "";

    public string ClientId { get; set; } = "";

    public string Status { get; set; } = DeliveryStatus.Pending;

    /// <summary>Attempts made since the last (re)delivery request.</summary>
    public int Attempts { get; set; }

    /// <summary>When the dispatcher may try next (also the claim: a dispatcher pushes it ahead before sending).</summary>
    public long NextAttemptAtUnixMs { get; set; }

    public long UpdatedAtUnixMs { get; set; }
}

/// <summary>One HTTP attempt of a delivery (the delivery log).</summary>
internal sealed class DeliveryAttemptRow
{
    public long Id { get; set; }

    public string DeliveryId { get; set; } = "";

    public string EventId { get; set; } = "";

    public int Attempt { get; set; }

    public long AttemptedAtUnixMs { get; set; }

    /// <summary>The receiver's HTTP status, or null when no response came (connection error, timeout).</summary>
    public int? StatusCode { get; set; }

    public string? Error { get; set; }

    /// <summary>When the next attempt is due, or null when this one ended the delivery (delivered or failed).</summary>
    public long? NextAttemptAtUnixMs { get; set; }
}

/// <summary>A client registered through RFC 7591: the hash of its registration access token (RFC 7592 read).</summary>
internal sealed class RegistrationRow
{
    public string ClientId { get; set; } = "";

    public string PartnerId { get; set; } = "";

    /// <summary>base64url(SHA-256(registration access token)): the token itself is never stored.</summary>
    public string TokenHash { get; set; } = "";

    /// <summary>The trusted issuer of the software statement, or <c>initial-access-token</c>.</summary>
    public string RegisteredBy { get; set; } = "";

    public string? SoftwareId { get; set; }

    public string GrantTypes { get; set; } = "";

    public long CreatedAtUnixMs { get; set; }
}

internal static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

internal static class EventModel
{
    public static void Configure(ModelBuilder model)
    {
        var w = model.Entity<WebhookEndpointRow>();
        w.ToTable("openbanking_webhooks");
        w.HasKey(x => x.Id);
        w.Property(x => x.Id).HasMaxLength(40);
        w.Property(x => x.ClientId).HasMaxLength(64);
        w.Property(x => x.Url).HasMaxLength(512);
        w.Property(x => x.EventTypes).HasMaxLength(512);
        w.Property(x => x.ProtectedSecret).HasMaxLength(1024);
        w.HasIndex(x => x.ClientId);

        var e = model.Entity<EventRow>();
        e.ToTable("openbanking_events");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(40);
        e.Property(x => x.ClientId).HasMaxLength(64);
        e.Property(x => x.Type).HasMaxLength(40);
        e.Property(x => x.Subject).HasMaxLength(40);
        e.Property(x => x.Body).HasMaxLength(EventOutboxLimits.MaxBodyBytes);
        e.HasIndex(x => new { x.ClientId, x.CreatedAtUnixMs });

        var d = model.Entity<DeliveryRow>();
        d.ToTable("openbanking_deliveries");
        d.HasKey(x => x.Id);
        d.Property(x => x.Id).HasMaxLength(40);
        d.Property(x => x.EventId).HasMaxLength(40);
        d.Property(x => x.EndpointId).HasMaxLength(40);
        d.Property(x => x.ClientId).HasMaxLength(64);
        d.Property(x => x.Status).HasMaxLength(16);
        d.HasIndex(x => new { x.Status, x.NextAttemptAtUnixMs });
        d.HasIndex(x => x.EventId);

        var a = model.Entity<DeliveryAttemptRow>();
        a.ToTable("openbanking_delivery_attempts");
        a.HasKey(x => x.Id);
        a.Property(x => x.Id).ValueGeneratedOnAdd();
        a.Property(x => x.DeliveryId).HasMaxLength(40);
        a.Property(x => x.EventId).HasMaxLength(40);
        a.Property(x => x.Error).HasMaxLength(256);
        a.HasIndex(x => x.EventId);

        var r = model.Entity<RegistrationRow>();
        r.ToTable("openbanking_registrations");
        r.HasKey(x => x.ClientId);
        r.Property(x => x.ClientId).HasMaxLength(64);
        r.Property(x => x.PartnerId).HasMaxLength(40);
        r.Property(x => x.TokenHash).HasMaxLength(64);
        r.Property(x => x.RegisteredBy).HasMaxLength(256);
        r.Property(x => x.SoftwareId).HasMaxLength(128);
        r.Property(x => x.GrantTypes).HasMaxLength(128);
    }
}

/// <summary>Size limits of the outbox (shared by the model and the writer).</summary>
internal static class EventOutboxLimits
{
    public const int MaxBodyBytes = 4096;
}
