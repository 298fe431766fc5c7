using Banyan.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Banyan.Server.Http;

/// <summary>What the store says about an incoming (client, key, request hash).</summary>
internal enum IdempotencyDecision
{
    /// <summary>First time: the caller holds the key and must <see cref="IdempotencyStore.CompleteAsync"/> or <see cref="IdempotencyStore.ReleaseAsync"/>.</summary>
    Proceed,

    /// <summary>Same request finished before: replay the stored response.</summary>
    Replay,

    /// <summary>Same key, different request.</summary>
    Mismatch,

    /// <summary>Same request still running elsewhere.</summary>
    InFlight,
}

/// <summary>Idempotency records in the shared database, each operation on its own short-lived context.</summary>
internal sealed class IdempotencyStore(IDbContextFactory<BanyanDbContext> contexts, TimeProvider time, IOptions<ApiOptions> options)
{
    private const int MaxAttempts = 3;

    public async Task<(IdempotencyDecision Decision, IdempotencyRecord? Stored)> BeginAsync(string clientId, string key, byte[] requestHash, CancellationToken cancellationToken)
    {
        // A lost race (another request inserted or expired the same key) is retried a bounded number of times.
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var existing = await db.IdempotencyRecords.FirstOrDefaultAsync(r => r.ClientId == clientId && r.Key == key, cancellationToken);
            if (existing is not null && !IsStale(existing, now))
            {
                if (!existing.RequestHash.AsSpan().SequenceEqual(requestHash))
                {
                    return (IdempotencyDecision.Mismatch, null);
                }

                return existing.Completed ? (IdempotencyDecision.Replay, existing) : (IdempotencyDecision.InFlight, null);
            }

            try
            {
                if (existing is not null)
                {
                    db.IdempotencyRecords.Remove(existing);
                    await db.SaveChangesAsync(cancellationToken);
                }

                db.IdempotencyRecords.Add(new IdempotencyRecord
                {
                    ClientId = clientId,
                    Key = key,
                    RequestHash = requestHash,
                    CreatedAtUnixMs = now,
                    ExpiresAtUnixMs = now + (options.Value.IdempotencyTtlHours * 3_600_000L),
                    LockedUntilUnixMs = now + (options.Value.IdempotencyLockSeconds * 1000L),
                });
                await db.SaveChangesAsync(cancellationToken);
                return (IdempotencyDecision.Proceed, null);
            }
            catch (DbUpdateException)
            {
                // Someone else wrote this key between our read and write: look again.
            }
        }

        return (IdempotencyDecision.InFlight, null);
    }

    public async Task CompleteAsync(string clientId, string key, int statusCode, string headersJson, byte[] body, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.IdempotencyRecords
            .Where(r => r.ClientId == clientId && r.Key == key && !r.Completed)
            .ExecuteUpdateAsync(
                s => s.SetProperty(r => r.Completed, true)
                    .SetProperty(r => r.StatusCode, statusCode)
                    .SetProperty(r => r.HeadersJson, headersJson)
                    .SetProperty(r => r.Body, body),
                cancellationToken);
    }

    /// <summary>Forgets an unfinished key (failure, non-replayable response) so the client can retry it.</summary>
    public async Task ReleaseAsync(string clientId, string key)
    {
        // Not the request's token: a client that hung up must not leave its key locked.
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        await db.IdempotencyRecords.Where(r => r.ClientId == clientId && r.Key == key && !r.Completed).ExecuteDeleteAsync(CancellationToken.None);
    }

    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return await db.IdempotencyRecords.Where(r => r.ExpiresAtUnixMs <= now).ExecuteDeleteAsync(cancellationToken);
    }

    private static bool IsStale(IdempotencyRecord record, long now) =>
        record.ExpiresAtUnixMs <= now || (!record.Completed && record.LockedUntilUnixMs <= now);
}

/// <summary>Deletes expired idempotency records every few minutes.</summary>
internal sealed class IdempotencyCleanup(IdempotencyStore store, TimeProvider time, ILogger<IdempotencyCleanup> log) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var deleted = await store.DeleteExpiredAsync(stoppingToken);
                log.LogDebug("Deleted {Count} expired idempotency records", deleted);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "Deleting expired idempotency records failed; retrying in {Interval}", Interval);
            }
        }
    }
}
