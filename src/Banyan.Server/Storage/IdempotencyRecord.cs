using Microsoft.EntityFrameworkCore;

namespace Banyan.Server.Storage;

/// <summary>
/// One <c>Idempotency-Key</c> of one client: the request's hash and, once finished, the response to
/// replay. Times are Unix milliseconds so both providers compare them the same way.
/// </summary>
internal sealed class IdempotencyRecord
{
    public const int MaxKeyLength = 255;
    public const int MaxClientIdLength = 256;

    public string ClientId { get; set; } = "";

    public string Key { get; set; } = "";

    /// <summary>SHA-256 of method, path, query, content type and body.</summary>
    public byte[] RequestHash { get; set; } = [];

    public long CreatedAtUnixMs { get; set; }

    public long ExpiresAtUnixMs { get; set; }

    /// <summary>While the first request runs: after this instant a crashed holder's claim may be taken over.</summary>
    public long LockedUntilUnixMs { get; set; }

    public bool Completed { get; set; }

    public int StatusCode { get; set; }

    /// <summary>Response headers to replay, as a JSON object of name → values.</summary>
    public string? HeadersJson { get; set; }

    public byte[]? Body { get; set; }

    internal static void Configure(ModelBuilder model)
    {
        var e = model.Entity<IdempotencyRecord>();
        e.ToTable("platform_idempotency");
        e.HasKey(x => new { x.ClientId, x.Key });
        e.Property(x => x.ClientId).HasMaxLength(MaxClientIdLength);
        e.Property(x => x.Key).HasMaxLength(MaxKeyLength);
        e.Property(x => x.RequestHash).HasMaxLength(32);
        e.HasIndex(x => x.ExpiresAtUnixMs);
    }
}
