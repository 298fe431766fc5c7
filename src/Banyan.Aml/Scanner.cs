using System.Diagnostics;
using System.Text.Json;

namespace Banyan.Aml;

/// <summary>Every typology behind one Observe call. Transactions must arrive in time order.</summary>
internal sealed class RuleEngine
{
    private readonly Rule[] _rules;
    private long _lastTicks = long.MinValue;

    public RuleEngine(RuleContext context, SanctionsMatcher? sanctions)
    {
        Context = context;
        List<Rule> rules =
        [
            new StructuringRule(context), new FanRule(context, inbound: true), new FanRule(context, inbound: false),
            new PassThroughRule(context), new RoundTripRule(context), new DormantRule(context), new ProfileMismatchRule(context),
            new VelocityRule(context), new NewAccountMuleRule(context), new HighRiskRule(context),
        ];
        if (sanctions is not null) rules.Add(Sanctions = new SanctionsRule(context, sanctions));
        _rules = [.. rules];
    }

    public RuleContext Context { get; }
    public SanctionsRule? Sanctions { get; }

    public void Observe(in Txn t)
    {
        // Windows assume time order; the batch path sorts, a stream must reorder before this point.
        if (t.Ticks < _lastTicks) throw new InvalidOperationException("transactions must be observed in time order");
        _lastTicks = t.Ticks;
        foreach (var rule in _rules) rule.Observe(t);
    }
}

internal sealed record ScanOptions(
    string Customers, string Transactions, string? Sanctions, string Out, string? LargeValueOut, AmlConfig Config, bool Strict);

internal sealed record ScanResult(
    int Customers, int Transactions, int Alerts, IReadOnlyDictionary<string, int> AlertsByTypology, int MalformedLines,
    IReadOnlyDictionary<string, int> MalformedByFile, int LargeValueReports, int SanctionsNames, double Seconds, List<Alert> AlertList, Bank Bank)
{
    public double TransactionsPerSecond => Seconds > 0 ? Transactions / Seconds : 0;

    /// <summary>Process CPU time spent by the scan (all threads); on a shared machine a steadier figure than wall time.</summary>
    public double CpuSeconds { get; init; }

    public IReadOnlyDictionary<string, double> Phases { get; init; } = new Dictionary<string, double>();
}

/// <summary>The batch path: read, sort once, run every rule over the stream, write alerts and reports.</summary>
internal static class Scanner
{
    public static ScanResult Run(ScanOptions options, TextWriter? log)
    {
        var clock = Stopwatch.StartNew();
        var cpu = Environment.CpuUsage.TotalTime;
        var phases = new Dictionary<string, double>();
        var issues = new InputIssues(options.Strict, log);
        var bank = new Bank();
        CustomerReader.Read(options.Customers, bank, issues);
        TransactionReader.Read(options.Transactions, bank, options.Config, issues);
        var matcher = options.Sanctions is null ? null : new SanctionsMatcher(SanctionsReader.Read(options.Sanctions, issues), options.Config.SanctionsThreshold);
        phases["read"] = clock.Elapsed.TotalSeconds;
        var sorted = bank.SortedTransactions();
        phases["sort"] = clock.Elapsed.TotalSeconds - phases.Values.Sum();
        var alerts = new AlertSink();
        var context = new RuleContext(bank, options.Config, alerts);
        var engine = new RuleEngine(context, matcher);
        engine.Sanctions?.ScreenCustomers(sorted.Length > 0 ? sorted[0].Ticks : 0);
        var reports = RunRules(engine, sorted, options.LargeValueOut);
        phases["rules"] = clock.Elapsed.TotalSeconds - phases.Values.Sum();
        var ordered = alerts.All.OrderBy(a => a.FirstTicks).ToList();
        AlertSink.Write(options.Out, ordered, bank);
        clock.Stop();
        phases["write"] = clock.Elapsed.TotalSeconds - phases.Values.Sum();
        var cpuSeconds = (Environment.CpuUsage.TotalTime - cpu).TotalSeconds;
        var byTypology = Typology.All.ToDictionary(t => t, t => ordered.Count(a => a.Typology == t));
        return new ScanResult(bank.Customers.Count, sorted.Length, ordered.Count, byTypology, issues.Count,
            new Dictionary<string, int>(issues.PerFile), reports, matcher?.Count ?? 0, clock.Elapsed.TotalSeconds, ordered, bank)
        {
            CpuSeconds = cpuSeconds,
            Phases = phases,
        };
    }

    private static int RunRules(RuleEngine engine, Txn[] sorted, string? largeValueOut)
    {
        using var stream = largeValueOut is null ? null : new FileStream(largeValueOut, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = stream is null ? null : new Utf8JsonWriter(stream);
        var reporter = new LargeValueReporter(engine.Context, writer, stream);
        foreach (ref readonly var t in sorted.AsSpan())
        {
            engine.Observe(t);
            reporter.Observe(t);
        }
        reporter.Flush();
        return reporter.Reports;
    }
}
