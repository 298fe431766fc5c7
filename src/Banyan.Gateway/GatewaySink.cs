using System.Collections.Concurrent;
using System.Threading.Channels;
using Banyan.Platform.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.Gateway;

/// <summary>
/// Writes metering events and decisions off the request path: requests enqueue, one background writer
/// stores batches. Metering is de-duplicated by (partner, request id) in memory and by the unique
/// index; identical non-allow decisions for one key within <c>AuditFoldSeconds</c> produce one audit
/// entry (every one is still a gateway_decisions row). Decision 0753.
/// </summary>
internal sealed class GatewaySink(IServiceScopeFactory scopes, GatewayOptions options, ILogger<GatewaySink> log) : BackgroundService
{
    public const int QueueCapacity = 200_000;
    private const int BatchSize = 2_000;
    private const int RecentIdsCapacity = 1_000_000;
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);
    private readonly Channel<object> _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly ConcurrentDictionary<string, byte> _recentIds = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _recentOrder = new();
    private readonly ConcurrentDictionary<string, long> _lastAudit = new(StringComparer.Ordinal);
    private long _recentCount;
    private long _enqueued;
    private long _written;
    private long _dropped;

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues one billable call; a request id already seen is ignored.</summary>
    public void Meter(MeteringRow row)
    {
        var id = row.Partner + "\n" + row.RequestId;
        if (!_recentIds.TryAdd(id, 0)) return;
        _recentOrder.Enqueue(id);

        // Counted with Interlocked: ConcurrentDictionary.Count takes every lock, too dear per call.
        if (Interlocked.Increment(ref _recentCount) > RecentIdsCapacity && _recentOrder.TryDequeue(out var old) && _recentIds.TryRemove(old, out _))
        {
            Interlocked.Decrement(ref _recentCount);
        }
        Enqueue(row);
    }

    /// <summary>Queues a non-allow decision (and its audit entry unless folded into a recent identical one).</summary>
    public void Decide(DecisionRow row, string? key)
    {
        var foldKey = row.Outcome + "|" + (key ?? row.Partner);
        var foldTicks = (long)(options.AuditFoldSeconds * 1000);
        var audit = true;
        _lastAudit.AddOrUpdate(foldKey, row.AtUnixMs, (_, last) =>
        {
            audit = row.AtUnixMs - last >= foldTicks;
            return audit ? row.AtUnixMs : last;
        });
        if (_lastAudit.Count > 100_000) _lastAudit.Clear();
        Enqueue(new PendingDecision(row, audit));
    }

    /// <summary>Completes when everything queued before the call is stored.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _enqueued);
        while (Interlocked.Read(ref _written) < target)
        {
            // The writer runs continuously; poll its progress (a few ms) rather than build a notification per batch.
            await Task.Delay(5, cancellationToken);
        }
    }

    private void Enqueue(object item)
    {
        if (_queue.Writer.TryWrite(item))
        {
            Interlocked.Increment(ref _enqueued);
            return;
        }

        // Full queue: the store is far behind. Losing an event beats stalling every partner call; counted and logged.
        Interlocked.Increment(ref _dropped);
        log.LogWarning("Gateway sink queue full; an event was dropped ({Dropped} so far)", Dropped);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<object>(BatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                // Group commit: a short batch means calls trickle in; let more gather before the next commit
                // (each commit is an fsync; metering is for billing, 100 ms later is as good). Decision 0620.
                if (await DrainAsync(batch) < BatchSize) await Task.Delay(Linger, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: store what is already queued (bounded by the queue), then stop.
            while (_queue.Reader.TryPeek(out _)) await DrainAsync(batch);
        }
    }

    /// <summary>Stores one batch. Writes are short and never cancelled halfway, so a shutdown does not abort a transaction.</summary>
    private async Task<int> DrainAsync(List<object> batch)
    {
        while (batch.Count < BatchSize && _queue.Reader.TryRead(out var item)) batch.Add(item);
        var count = batch.Count;
        if (count == 0) return 0;
        try
        {
            await WriteAsync(batch, CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            log.LogError(ex, "Gateway sink could not store {Count} events", batch.Count);
        }

        Interlocked.Add(ref _written, batch.Count);
        batch.Clear();
        return count;
    }

    private async Task WriteAsync(List<object> batch, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var metering = batch.OfType<MeteringRow>().ToList();
        if (metering.Count > 0) await InsertMeteringAsync(db, metering, ct);
        var decisions = batch.OfType<PendingDecision>().ToList();
        db.Set<DecisionRow>().AddRange(decisions.Select(d => d.Row));
        await db.SaveChangesAsync(ct);
        var audit = scope.ServiceProvider.GetService<IAuditLog>();
        if (audit is null) return;
        foreach (var decision in decisions.Where(d => d.Audit))
        {
            await audit.AppendAsync(AuditOf(decision.Row), ct);
        }
    }

    /// <summary>
    /// INSERT … ON CONFLICT DO NOTHING (same SQL on SQLite and PostgreSQL), one transaction per batch: the unique
    /// index on (partner, request id) drops ids stored before (after a restart, or beyond the in-memory set)
    /// without a read per batch, and without EF change tracking on the hottest write path. On SQLite (in process,
    /// no round trips) one prepared single-row statement is re-bound per row: parsing a 700-parameter statement and
    /// looking its parameters up by name cost more than the inserts (decision 0620). Elsewhere, 100 rows per statement.
    /// </summary>
    private static async Task InsertMeteringAsync(DbContext db, List<MeteringRow> rows, CancellationToken ct)
    {
        var sqlite = db.Database.ProviderName?.Contains("Sqlite", StringComparison.OrdinalIgnoreCase) == true;
        var rowsPerStatement = sqlite ? 1 : 100;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = transaction.GetDbTransaction();
            for (var offset = 0; offset < rows.Count; offset += rowsPerStatement)
            {
                var count = Math.Min(rowsPerStatement, rows.Count - offset);
                if (command.Parameters.Count != count * MeteringColumns.Length)
                {
                    Prepare(command, count);
                }

                for (var i = 0; i < count; i++)
                {
                    var row = rows[offset + i];
                    object?[] fields = [row.Partner, row.RequestId, row.Customer, row.Endpoint, row.Status, row.Month, row.AtUnixMs];
                    for (var f = 0; f < fields.Length; f++) command.Parameters[(i * fields.Length) + f].Value = fields[f] ?? DBNull.Value;
                }

                await command.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static readonly string[] MeteringColumns = ["Partner", "RequestId", "Customer", "Endpoint", "Status", "Month", "AtUnixMs"];

    /// <summary>Sets the command up for <paramref name="rows"/> rows with positional parameters @p0…, bound by index afterwards.</summary>
    private static void Prepare(System.Data.Common.DbCommand command, int rows)
    {
        command.Parameters.Clear();
        var values = new System.Text.StringBuilder();
        for (var i = 0; i < rows; i++)
        {
            values.Append(i == 0 ? "(" : ",(");
            for (var f = 0; f < MeteringColumns.Length; f++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"@p{(i * MeteringColumns.Length) + f}";
                command.Parameters.Add(parameter);
                values.Append(f == 0 ? "" : ",").Append(parameter.ParameterName);
            }

            values.Append(')');
        }

        command.CommandText = "INSERT INTO \"gateway_metering\" (" + string.Join(", ", MeteringColumns.Select(c => "\"" + c + "\"")) + ") VALUES "
            + values + " ON CONFLICT (\"Partner\", \"RequestId\") DO NOTHING";
    }

    private static AuditEntry AuditOf(DecisionRow row) => new(
        "gateway",
        row.Outcome == "step_up" ? "call_step_up" : row.Outcome == "rate_limited" ? "call_rate_limited" : "call_blocked",
        row.Partner,
        row.Customer,
        row.Outcome == "step_up" ? "step_up" : "blocked",
        new Dictionary<string, string>
        {
            ["decision_id"] = row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["endpoint"] = row.Endpoint,
            ["source"] = row.Source,
            ["region"] = row.Region,
            ["reasons"] = row.Reasons.Length <= 512 ? row.Reasons : row.Reasons[..512],
        });

    private sealed record PendingDecision(DecisionRow Row, bool Audit);
}
