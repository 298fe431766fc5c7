using System.Globalization;

namespace Banyan.StaffConsole.Api;

/// <summary>
/// What the dashboard shows, gathered through the API (and the host's Prometheus endpoint for the
/// ledger's counters): journal head, projector lag, transfer throughput and batch latency between
/// two samples, open AML alerts by typology, and loan portfolio quality.
/// </summary>
internal sealed class DashboardFeed(ConsoleApi api, TimeProvider time)
{
    /// <summary>How many open cases' alerts are read for the typology chart (each case is one request).</summary>
    public const int MaxCasesForTypologies = 25;

    private (DateTimeOffset At, double Created, double LatencySum, double LatencyCount)? _previous;

    public async Task<DashboardSnapshot> SampleAsync(string actor, CancellationToken ct)
    {
        var head = await api.GetAsync<JournalHeadView>("/v1/ledger/journal/head", actor, ct);
        var accounts = await api.GetAsync<AccountPageView>("/v1/ledger/accounts?limit=1", actor, ct);
        var metrics = await api.GetTextAsync("/metrics", ct);
        var portfolio = await api.GetAsync<PortfolioView>("/v1/lending/portfolio", actor, ct);
        var typologies = await TypologiesAsync(actor, ct);

        var now = time.GetUtcNow();
        var (created, latencySum, latencyCount) = ParseMetrics(metrics);
        double? throughput = null, latency = null;
        if (_previous is { } p && now > p.At)
        {
            throughput = Math.Max(0, created - p.Created) / (now - p.At).TotalSeconds;
            var count = latencyCount - p.LatencyCount;
            latency = count > 0 ? (latencySum - p.LatencySum) / count : null;
        }

        _previous = (now, created, latencySum, latencyCount);
        long? lag = head.Value is { } h && accounts.Value is { } a
            && long.TryParse(h.Sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var durable)
            && long.TryParse(a.ProjectedSequence, NumberStyles.None, CultureInfo.InvariantCulture, out var projected)
            ? Math.Max(0, durable - projected) : null;
        return new DashboardSnapshot(now, head.Value, lag, created, throughput, latency, typologies, portfolio.Value);
    }

    private async Task<IReadOnlyDictionary<string, int>> TypologiesAsync(string actor, CancellationToken ct)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var cases = await api.GetAsync<CasePageView>($"/v1/aml/cases?status=open&limit={MaxCasesForTypologies}", actor, ct);
        foreach (var c in cases.Value?.Items ?? [])
        {
            var detail = await api.GetAsync<CaseDetailView>($"/v1/aml/cases/{c.Id}", actor, ct);
            foreach (var alert in detail.Value?.Alerts ?? [])
            {
                counts[alert.Typology] = counts.GetValueOrDefault(alert.Typology) + 1;
            }
        }

        return counts;
    }

    /// <summary>Sums the ledger's transfer counter and batch-duration histogram from Prometheus text.</summary>
    internal static (double Created, double LatencySum, double LatencyCount) ParseMetrics(string? text)
    {
        double created = 0, sum = 0, count = 0;
        foreach (var line in (text ?? "").Split('\n'))
        {
            if (line.StartsWith('#') || line.Length == 0) continue;
            var space = line.LastIndexOf(' ');
            if (space < 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) continue;
            var name = line[..space];
            var brace = name.IndexOf('{', StringComparison.Ordinal);
            var metric = brace < 0 ? name : name[..brace];
            if (metric.StartsWith("banyan_ledger_transfers_created", StringComparison.Ordinal)) created += value;
            else if (metric.StartsWith("banyan_ledger_batch_duration", StringComparison.Ordinal) && metric.EndsWith("_sum", StringComparison.Ordinal)) sum += value;
            else if (metric.StartsWith("banyan_ledger_batch_duration", StringComparison.Ordinal) && metric.EndsWith("_count", StringComparison.Ordinal)) count += value;
        }

        return (created, sum, count);
    }
}

internal sealed record DashboardSnapshot(
    DateTimeOffset At, JournalHeadView? Head, long? ProjectorLag, double TransfersCreated, double? TransfersPerSecond,
    double? BatchLatencyMs, IReadOnlyDictionary<string, int> AlertsByTypology, PortfolioView? Portfolio);
