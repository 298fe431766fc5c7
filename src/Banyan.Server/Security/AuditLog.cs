using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Banyan.Platform.Security;
using Banyan.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace Banyan.Server.Security;

/// <summary>One stored audit entry: the entry, its time, and the hash chain link.</summary>
internal sealed class AuditRecord
{
    public long Id { get; set; }

    public long AtUnixMs { get; set; }

    public string Category { get; set; } = "";

    public string Action { get; set; } = "";

    public string Actor { get; set; } = "";

    public string? Subject { get; set; }

    public string Outcome { get; set; } = "";

    public string DetailsJson { get; set; } = "{}";

    /// <summary>Hash of the previous entry (32 zero bytes for the first). Unique: two writers racing for the same tail cannot both append.</summary>
    public byte[] PreviousHash { get; set; } = [];

    public byte[] Hash { get; set; } = [];

    internal static void Configure(ModelBuilder model)
    {
        var e = model.Entity<AuditRecord>();
        e.ToTable("platform_audit_log");
        e.HasKey(x => x.Id);
        e.Property(x => x.Category).HasMaxLength(AuditLog.MaxField);
        e.Property(x => x.Action).HasMaxLength(AuditLog.MaxField);
        e.Property(x => x.Actor).HasMaxLength(AuditLog.MaxField);
        e.Property(x => x.Subject).HasMaxLength(AuditLog.MaxField);
        e.Property(x => x.Outcome).HasMaxLength(AuditLog.MaxField);
        e.Property(x => x.DetailsJson).HasMaxLength(20_000);
        e.HasIndex(x => x.PreviousHash).IsUnique();
        e.HasIndex(x => new { x.Category, x.Id });
        e.HasIndex(x => new { x.Actor, x.Id });
    }

    /// <summary>SHA-256 over the previous hash and every field, length-prefixed so no two entries encode alike.</summary>
    internal byte[] ComputeHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(PreviousHash);
        Span<byte> number = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(number, AtUnixMs);
        hash.AppendData(number);
        foreach (var field in new[] { Category, Action, Actor, Subject ?? "\0", Outcome, DetailsJson })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(number, bytes.Length);
            hash.AppendData(number);
            hash.AppendData(bytes);
        }

        return hash.GetHashAndReset();
    }
}

/// <summary>
/// <see cref="IAuditLog"/> over the shared database. Appends are serialised in-process; across
/// processes the unique <c>previous_hash</c> index turns a lost race into a retry, so the chain stays
/// one line (docs/security.md "Audit log").
/// </summary>
internal sealed class AuditLog(IDbContextFactory<BanyanDbContext> contexts, TimeProvider time, ILogger<AuditLog> logger) : IAuditLog, IDisposable
{
    internal const int MaxField = 200;
    private const int MaxDetails = 32;
    private const int MaxDetailValue = 512;
    private const int MaxAttempts = 5;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async ValueTask<long> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        var record = ToRecord(entry);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                var tail = await db.Set<AuditRecord>().OrderByDescending(r => r.Id).Select(r => r.Hash).FirstOrDefaultAsync(cancellationToken);
                record.PreviousHash = tail ?? new byte[32];
                record.AtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds();
                record.Hash = record.ComputeHash();
                record.Id = 0;
                db.Add(record);
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    return record.Id;
                }
                catch (DbUpdateException) when (attempt < MaxAttempts)
                {
                    logger.LogInformation("Audit append lost a race for the chain tail; retrying");
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private static AuditRecord ToRecord(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var details = entry.Details ?? new Dictionary<string, string>();
        if (details.Count > MaxDetails)
        {
            throw new ArgumentException($"An audit entry carries at most {MaxDetails} details.", nameof(entry));
        }

        var bounded = details.ToDictionary(d => Clip(d.Key, MaxField), d => Clip(d.Value, MaxDetailValue), StringComparer.Ordinal);
        return new AuditRecord
        {
            Category = Required(entry.Category, nameof(entry.Category)),
            Action = Required(entry.Action, nameof(entry.Action)),
            Actor = Required(entry.Actor, nameof(entry.Actor)),
            Subject = entry.Subject is null ? null : Clip(entry.Subject, MaxField),
            Outcome = Required(entry.Outcome, nameof(entry.Outcome)),
            DetailsJson = JsonSerializer.Serialize(new SortedDictionary<string, string>(bounded, StringComparer.Ordinal)),
        };
    }

    private static string Required(string value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"Audit entry field '{name}' is required.", name) : Clip(value, MaxField);

    private static string Clip(string value, int max) => value.Length <= max ? value : value[..max];
}
