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
            AddCluster(data, engine.Cluster);
            // The host's health writer shows descriptions, not data: the cluster facts go in both.
            return HealthCheckResult.Healthy("ledger engine open; " + Describe(engine.Cluster), data);
        }
        catch (LedgerFaultedException e) when (engine.Cluster.Role == LedgerRole.Fenced)
        {
            var data = new Dictionary<string, object>();
            AddCluster(data, engine.Cluster);
            return HealthCheckResult.Unhealthy("ledger node fenced (another node holds the lease), restart it to rejoin as a standby; " + Describe(engine.Cluster) + ": " + e.Message, data: data);
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

    /// <summary>"role=standby fencing_token=3 replication_lag=0 leader=http://…".</summary>
    internal static string Describe(LedgerClusterStatus cluster) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"role={cluster.Role.ToString().ToLowerInvariant()} fencing_token={cluster.FencingToken} replication_lag={cluster.LagRecords} leader={cluster.Leader ?? "unknown"}");

    /// <summary>Role, fencing token and replication lag (a standby is ready: it serves reads and points writers at the leader).</summary>
    private static void AddCluster(Dictionary<string, object> data, LedgerClusterStatus cluster)
    {
        data["role"] = cluster.Role.ToString().ToLowerInvariant();
        data["fencing_token"] = cluster.FencingToken;
        data["replication_lag"] = cluster.LagRecords;
        if (cluster.Leader is { } leader) data["leader"] = leader;
        if (cluster.LastError is { } error) data["cluster_error"] = error;
    }
}
