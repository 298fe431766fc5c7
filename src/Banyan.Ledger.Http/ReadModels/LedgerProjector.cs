using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.Ledger.Http.ReadModels;

/// <summary>
/// Tails the durable journal stream into the read-model tables. Each commit's rows and the new
/// projected sequence are written in one database transaction, and a commit at or below the stored
/// sequence is skipped, so at-least-once delivery has an exactly-once effect. The projector only
/// reads the stream (the engine never waits for a subscriber), so it cannot slow writes: it lags.
/// </summary>
internal sealed class LedgerProjector : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly LedgerEngine _engine;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger<LedgerProjector> _log;
    private long _projected = -1; // -1 until the stored sequence was read

    public LedgerProjector(LedgerEngine engine, IServiceScopeFactory scopes, IMeterFactory meters, TimeProvider time, ILogger<LedgerProjector> log)
    {
        _engine = engine;
        _scopes = scopes;
        _time = time;
        _log = log;
        // IMeterFactory returns the same Banyan.Ledger meter LedgerMetrics uses.
        var meter = meters.Create(LedgerMetrics.MeterName);
        meter.CreateObservableGauge("banyan.ledger.projector.lag", () => (long)Lag, "{record}", "Durable journal sequence minus the sequence projected into the read models.");
        meter.CreateObservableGauge("banyan.ledger.projector.sequence", () => Math.Max(Volatile.Read(ref _projected), 0), "{record}", "Last journal record projected into the read models.");
    }

    /// <summary>The last journal sequence whose effects are committed to the read models (0 before the first).</summary>
    public ulong ProjectedSequence => (ulong)Math.Max(Volatile.Read(ref _projected), 0);

    /// <summary>Whether the stored sequence has been read (the lag is meaningful).</summary>
    public bool Started => Volatile.Read(ref _projected) >= 0;

    /// <summary>Durable sequence − projected sequence.</summary>
    public ulong Lag
    {
        get
        {
            var durable = _engine.Statistics.DurableSequence;
            var projected = ProjectedSequence;
            return durable > projected ? durable - projected : 0;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var from = await LoadSequenceAsync(stoppingToken);
                Volatile.Write(ref _projected, checked((long)from));
                await foreach (var commit in _engine.SubscribeAsync(from + 1, stoppingToken))
                {
                    if (commit.Sequence <= ProjectedSequence) continue; // redelivery: already applied
                    await ProjectAsync(commit, stoppingToken);
                    Volatile.Write(ref _projected, checked((long)commit.Sequence));
                }
                return; // the engine was disposed: the host is stopping
            }
            catch (Exception e) when (stoppingToken.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException)
            {
                return; // the host is stopping (the engine may already be closed)
            }
            catch (Exception e) when (e is LedgerFaultedException or LedgerCorruptException)
            {
                // Not retried: the engine (or its journal) is broken; readiness reports it and the lag shows how far the models got.
                _log.LogError(e, "Ledger projector stopped at sequence {Sequence}: the journal stream failed", ProjectedSequence);
                return;
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or IOException or System.Data.Common.DbException)
            {
                // Resubscribe from the stored sequence: nothing of the failed commit was kept.
                _log.LogWarning(e, "Ledger projector failed after sequence {Sequence}; retrying", ProjectedSequence);
                await Task.Delay(RetryDelay, _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<ulong> LoadSequenceAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var state = await db.Set<LedgerProjectionState>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == LedgerProjectionState.SingletonId, cancellationToken);
        return state is null ? 0 : checked((ulong)state.Sequence);
    }

    /// <summary>Writes one commit's created objects and the new sequence in one transaction.</summary>
    internal async Task ProjectAsync(LedgerCommit commit, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var state = await db.Set<LedgerProjectionState>().SingleOrDefaultAsync(s => s.Id == LedgerProjectionState.SingletonId, cancellationToken);
        if (state is not null && checked((ulong)state.Sequence) >= commit.Sequence) return; // another projector got there first
        if (state is null) db.Add(state = new LedgerProjectionState { Id = LedgerProjectionState.SingletonId });
        state.Sequence = checked((long)commit.Sequence);
        switch (commit.Kind)
        {
            case LedgerCommitKind.CreateAccounts:
                foreach (var account in await CommitProjection.CreatedAccountsAsync(_engine, commit, cancellationToken)) db.Add(LedgerAccountRow.From(account));
                break;
            case LedgerCommitKind.CreateTransfers:
                var transfers = await CommitProjection.CreatedTransfersAsync(_engine, commit, cancellationToken);
                foreach (var transfer in transfers) db.Add(LedgerTransferRow.From(transfer));
                await HistoryProjection.AddRowsAsync(db, _engine, transfers, cancellationToken);
                break;
            case LedgerCommitKind.Pulse:
                foreach (var request in commit.Requests) await ExpiryProjection.AddAsync(db, _engine, request.Timestamp, cancellationToken);
                break;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
