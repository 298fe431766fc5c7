using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.Platform.Storage;

/// <summary>
/// Keeps SQLite's WAL checkpoints off the request path (decision 0006). By default the connection whose commit
/// takes the write-ahead log past 1,000 pages copies every logged page into the database file before its
/// commit returns, so every second or so one group of requests waited for a few thousand page writes — a
/// p99 made of housekeeping. Here every connection EF Core opens has that inline checkpoint turned off, and
/// one background loop checkpoints PASSIVE-ly (it never waits for readers or blocks writers) a few times a
/// second. Durability is unchanged: a commit is durable in the log (synchronous=FULL) before it returns.
/// </summary>
public static class SqliteWal
{
    /// <summary>EF Core's provider name for SQLite.</summary>
    public const string ProviderName = "Microsoft.EntityFrameworkCore.Sqlite";

    /// <summary>How often the background loop checkpoints.</summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The interceptor to add to SQLite contexts' options.</summary>
    public static IInterceptor Interceptor { get; } = new NoInlineCheckpoint();

    /// <summary>Turns the inline autocheckpoint off on every opened SQLite connection (a per-connection setting; pooled connections keep it).</summary>
    private sealed class NoInlineCheckpoint : DbConnectionInterceptor
    {
        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (!IsSqlite(eventData)) return;
            using var command = Command(connection);
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (!IsSqlite(eventData)) return;
            await using var command = Command(connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        private static bool IsSqlite(ConnectionEndEventData e) => string.Equals(e.Context?.Database.ProviderName, ProviderName, StringComparison.Ordinal);

        private static DbCommand Command(DbConnection connection)
        {
            var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_autocheckpoint=0;";
            return command;
        }
    }
}

/// <summary>The background half of decision 0006: PASSIVE checkpoints of the SQLite write-ahead log a few times a second. Register it only for SQLite.</summary>
public sealed class SqliteCheckpointService(IServiceScopeFactory scopes, TimeProvider time, ILogger<SqliteCheckpointService> logger) : BackgroundService
{
    private TaskCompletionSource _round = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the next checkpoint round has finished (succeeded or been reported): lets a caller wait on the loop, not on a clock.</summary>
    public Task NextRoundAsync() => Volatile.Read(ref _round).Task;

    /// <summary>
    /// Checkpoints every <see cref="SqliteWal.CheckpointInterval"/> through a scoped <see cref="DbContext"/>. A failed
    /// round is logged and retried on the next tick: the log only grows meanwhile, nothing is lost.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SqliteWal.CheckpointInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await CheckpointAsync(stoppingToken);
                Interlocked.Exchange(ref _round, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task CheckpointAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(PASSIVE);", ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The loop must outlive one failed round (a busy file, a full disk): the next tick retries.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogWarning(e, "SQLite checkpoint failed; the next round retries");
        }
    }
}
