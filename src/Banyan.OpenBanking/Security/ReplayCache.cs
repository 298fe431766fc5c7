using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Banyan.OpenBanking.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Banyan.OpenBanking.Security;

/// <summary>
/// One-time values (DPoP proof <c>jti</c>, authorization codes, identity assertion <c>jti</c>): the first use
/// is remembered under a hash of the value until it expires, a second use is refused.
/// <para>
/// Codes and assertions (a few per customer) always go to the shared database (a row keyed by the hash; a
/// second use hits the primary key), which holds across restarts and several hosts. DPoP proofs come with
/// every resource call: on SQLite — one host by construction — they are checked in memory
/// (<see cref="ReplayWindow"/>) and written to the same table behind, in batches, so a restart reloads them;
/// on PostgreSQL (possibly several hosts) they stay one row per proof. Decision 0620.
/// </para>
/// </summary>
internal sealed class ReplayCache(IServiceScopeFactory scopes, TimeProvider time, IHostApplicationLifetime? lifetime = null) : IDisposable
{
    public const string DPoPKind = "dpop";
    private const int FlushRows = 512;
    private const long FlushEveryMs = 250;
    private readonly ReplayWindow _memory = new();
    private readonly ConcurrentQueue<ReplayRow> _pending = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly SemaphoreSlim _starting = new(1, 1);
    private volatile int _mode; // 0 not decided yet, 1 in memory (SQLite), 2 database
    private long _lastFlushMs;
    private long _inserts;

    /// <summary>Proofs accepted in memory and not yet written to the database.</summary>
    public int Pending => _pending.Count;

    /// <summary>True the first time <paramref name="value"/> of <paramref name="kind"/> is seen before <paramref name="expiresAt"/>.</summary>
    public async Task<bool> TryUseAsync(string kind, string value, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(value));
        var key = kind + ":" + Base64UrlEncoder.Encode(hash);
        if (kind == DPoPKind && await InMemoryAsync(cancellationToken))
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var expires = expiresAt.ToUnixTimeMilliseconds();
            switch (_memory.TryUse(WindowKey(hash), expires, now))
            {
                case false:
                    return false;
                case true:
                    _pending.Enqueue(new ReplayRow { Key = key, ExpiresAtUnixMs = expires });
                    await FlushIfDueAsync(now, force: false);
                    return true;
            }

            // The window is full (an extreme burst): the database decides, as on PostgreSQL.
        }

        return await UseInDatabaseAsync(key, expiresAt, cancellationToken);
    }

    public void Dispose()
    {
        _flushing.Dispose();
        _starting.Dispose();
    }

    /// <summary>Writes every proof accepted in memory so far (also on host shutdown).</summary>
    public Task FlushAsync() => FlushIfDueAsync(time.GetUtcNow().ToUnixTimeMilliseconds(), force: true);

    private static UInt128 WindowKey(byte[] sha256) => new(BitConverter.ToUInt64(sha256, 0), BitConverter.ToUInt64(sha256, 8));

    private async Task<bool> InMemoryAsync(CancellationToken cancellationToken)
    {
        if (_mode != 0)
        {
            return _mode == 1;
        }

        await _starting.WaitAsync(cancellationToken);
        try
        {
            if (_mode == 0)
            {
                _mode = await LoadAsync(cancellationToken) ? 1 : 2;
                lifetime?.ApplicationStopping.Register(() => FlushAsync().GetAwaiter().GetResult());
            }
        }
        finally
        {
            _starting.Release();
        }

        return _mode == 1;
    }

    /// <summary>On SQLite: loads the unexpired DPoP proofs stored before (by this host before a restart) into memory.</summary>
    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        if (db.Database.ProviderName?.Contains("Sqlite", StringComparison.OrdinalIgnoreCase) != true)
        {
            return false;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var prefix = DPoPKind + ":";
        var rows = await db.Set<ReplayRow>().AsNoTracking().Where(r => r.Key.StartsWith(prefix) && r.ExpiresAtUnixMs >= now).ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            var hash = Base64UrlEncoder.DecodeBytes(row.Key[prefix.Length..]);
            if (hash.Length == 32)
            {
                _memory.Remember(WindowKey(hash), row.ExpiresAtUnixMs, now);
            }
        }

        return true;
    }

    private async Task FlushIfDueAsync(long now, bool force)
    {
        if (_pending.IsEmpty || (!force && _pending.Count < FlushRows && now - Interlocked.Read(ref _lastFlushMs) < FlushEveryMs))
        {
            return;
        }

        // One writer at a time; a request that finds a flush running does not wait for it.
        if (!await _flushing.WaitAsync(force ? Timeout.Infinite : 0))
        {
            return;
        }

        try
        {
            Interlocked.Exchange(ref _lastFlushMs, now);
            var rows = new List<ReplayRow>(FlushRows);
            while (_pending.TryDequeue(out var row))
            {
                rows.Add(row);
            }

            if (rows.Count > 0)
            {
                await InsertAsync(rows, now);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>Multi-row <c>INSERT … ON CONFLICT DO NOTHING</c>, one transaction; expired rows are purged now and then.</summary>
    private async Task InsertAsync(List<ReplayRow> rows, long now)
    {
        const int RowsPerStatement = 200;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            for (var offset = 0; offset < rows.Count; offset += RowsPerStatement)
            {
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.Transaction = transaction.GetDbTransaction();
                var values = new StringBuilder();
                var count = Math.Min(RowsPerStatement, rows.Count - offset);
                for (var i = 0; i < count; i++)
                {
                    values.Append(i == 0 ? "" : ",").Append("(@k").Append(i).Append(",@e").Append(i).Append(')');
                    AddParameter(command, "@k" + i, rows[offset + i].Key);
                    AddParameter(command, "@e" + i, rows[offset + i].ExpiresAtUnixMs);
                }

                command.CommandText = "INSERT INTO \"openbanking_replay\" (\"Key\", \"ExpiresAtUnixMs\") VALUES " + values + " ON CONFLICT (\"Key\") DO UPDATE SET \"ExpiresAtUnixMs\" = excluded.\"ExpiresAtUnixMs\"";
                await command.ExecuteNonQueryAsync();
            }

            if (Interlocked.Add(ref _inserts, rows.Count) % 16_384 < rows.Count)
            {
                await db.Set<ReplayRow>().Where(r => r.ExpiresAtUnixMs < now).ExecuteDeleteAsync();
            }

            await transaction.CommitAsync();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static void AddParameter(System.Data.Common.DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private async Task<bool> UseInDatabaseAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (Interlocked.Increment(ref _inserts) % 512 == 0)
        {
            // Expired entries can never match an acceptable value again (the caller bounds lifetimes).
            await db.Set<ReplayRow>().Where(r => r.ExpiresAtUnixMs < now).ExecuteDeleteAsync(cancellationToken);
        }

        var existing = await db.Set<ReplayRow>().AsNoTracking().FirstOrDefaultAsync(r => r.Key == key, cancellationToken);
        if (existing is not null)
        {
            if (existing.ExpiresAtUnixMs >= now)
            {
                return false;
            }

            await db.Set<ReplayRow>().Where(r => r.Key == key).ExecuteDeleteAsync(cancellationToken);
        }

        db.Add(new ReplayRow { Key = key, ExpiresAtUnixMs = expiresAt.ToUnixTimeMilliseconds() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            return false; // a concurrent first use won
        }
    }
}
