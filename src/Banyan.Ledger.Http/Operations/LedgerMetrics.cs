using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Banyan.Ledger.Http;

/// <summary>
/// The ledger's instruments on the <c>Banyan.Ledger</c> meter (exported by the host's OpenTelemetry
/// pipeline, Prometheus at <c>/metrics</c>). Counters are per event outcome; the histogram is the
/// time from a request's arrival at the engine to its durable acknowledgement.
/// </summary>
internal sealed class LedgerMetrics
{
    public const string MeterName = "Banyan.Ledger";

    private readonly Counter<long> _transfersCreated;
    private readonly Counter<long> _transfersRejected;
    private readonly Counter<long> _accountsCreated;
    private readonly Counter<long> _accountsRejected;
    private readonly Histogram<double> _batchDurationMs;

    public LedgerMetrics(IMeterFactory meters, LedgerEngine engine)
    {
        var meter = meters.Create(MeterName);
        // Engine-wide figures are read from its lock-free statistics when a collector asks.
        meter.CreateObservableGauge("banyan.ledger.journal.sequence", () => (long)engine.Statistics.JournalSequence, "{record}", "Last journal record applied.");
        meter.CreateObservableGauge("banyan.ledger.journal.durable_sequence", () => (long)engine.Statistics.DurableSequence, "{record}", "Last journal record known to be on disk.");
        meter.CreateObservableCounter("banyan.ledger.journal.bytes_written", () => engine.Statistics.BytesWritten, "By", "Journal bytes written since start.");
        meter.CreateObservableGauge("banyan.ledger.accounts", () => engine.Statistics.Accounts, "{account}", "Accounts in the ledger.");
        meter.CreateObservableGauge("banyan.ledger.transfers", () => engine.Statistics.Transfers, "{transfer}", "Transfers in the ledger.");
        meter.CreateObservableGauge("banyan.ledger.cluster.fencing_token", () => engine.Cluster.FencingToken, "{token}", "Current lease fencing token (PostgreSQL journal; 0 with the file journal).");
        meter.CreateObservableGauge("banyan.ledger.cluster.replication_lag", () => (long)engine.Cluster.LagRecords, "{record}", "Journal records a standby has not applied yet (0 on the leader).");
        meter.CreateObservableGauge("banyan.ledger.cluster.leader", () => engine.Cluster.Role is LedgerRole.Leader or LedgerRole.Single ? 1 : 0, "{node}", "1 while this node may write the journal.");
        _transfersCreated = meter.CreateCounter<long>("banyan.ledger.transfers.created", "{transfer}", "Transfers created.");
        _transfersRejected = meter.CreateCounter<long>("banyan.ledger.transfers.rejected", "{transfer}", "Transfer events that did not create a transfer (any result other than created).");
        _accountsCreated = meter.CreateCounter<long>("banyan.ledger.accounts.created", "{account}", "Accounts created.");
        _accountsRejected = meter.CreateCounter<long>("banyan.ledger.accounts.rejected", "{account}", "Account events that did not create an account.");
        _batchDurationMs = meter.CreateHistogram<double>("banyan.ledger.batch.duration", "ms", "Time from submitting a transfer batch to its durable acknowledgement.");
    }

    public CreateTransferResult[] RecordTransfers(CreateTransferResult[] results, long startedTimestamp)
    {
        var created = 0;
        foreach (var r in results) if (r == CreateTransferResult.Created) created++;
        _transfersCreated.Add(created);
        _transfersRejected.Add(results.Length - created);
        _batchDurationMs.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds);
        return results;
    }

    public CreateAccountResult[] RecordAccounts(CreateAccountResult[] results)
    {
        var created = 0;
        foreach (var r in results) if (r == CreateAccountResult.Created) created++;
        _accountsCreated.Add(created);
        _accountsRejected.Add(results.Length - created);
        return results;
    }
}
