using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Banyan.Ledger.Http;

/// <summary>
/// Readiness: the engine answers a read within a bound. A read goes through the same engine the
/// writes use, so a stuck or failed engine shows here rather than as hanging requests.
/// </summary>
internal sealed class LedgerHealthCheck(LedgerEngine engine, ReadModels.LedgerProjector projector) : IHealthCheck
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Bound);
        try
        {
            await engine.LookupAccountsAsync(new[] { UInt128.One }, timeout.Token);
            // The read models' lag is reported, not judged: a projector catching up after a restart is not an outage.
            var data = new Dictionary<string, object>
            {
                ["durable_sequence"] = engine.Statistics.DurableSequence,
                ["projected_sequence"] = projector.ProjectedSequence,
                ["projector_lag"] = projector.Lag,
            };
            return HealthCheckResult.Healthy("ledger engine open", data);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"ledger engine did not answer within {Bound.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is LedgerFaultedException or InvalidOperationException or ObjectDisposedException or IOException)
        {
            return HealthCheckResult.Unhealthy("ledger engine unavailable: " + e.Message);
        }
    }
}
