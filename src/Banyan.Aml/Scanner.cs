using System.Diagnostics;
using System.Text.Json;

namespace Banyan.Aml;

/// <summary>Every typology behind one Observe call. Transactions must arrive in time order.</summary>
internal sealed class RuleEngine
{
    private readonly Rule[] _rules;
    private long _lastTicks = long.MinValue;

    /// <summary>
    /// An engine with every rule, or with one of two halves of similar cost (<paramref name="part"/> 0 or 1) for a second core.
    /// <paramref name="enabled"/> (typology codes) switches rules off as a rule set says; null = all on.
    /// </summary>
    public RuleEngine(RuleContext context, SanctionsMatcher? sanctions, int? part = null, IReadOnlySet<string>? enabled = null)
        : this(context, sanctions is null ? null : () => sanctions, part, enabled)
    {
    }

    /// <summary>The same with the sanctions list read through <paramref name="sanctions"/> on every use, so a refreshed list applies at once (the live path).</summary>
    public RuleEngine(RuleContext context, Func<SanctionsMatcher?>? sanctions, int? part, IReadOnlySet<string>? enabled)
    {
        Context = context;
        bool On(string typology) => enabled is null || enabled.Contains(typology);
        List<(string Typology, Func<Rule> Create)> first =
        [
            (Typology.Structuring, () => new StructuringRule(context)), (Typology.FanIn, () => new FanRule(context, inbound: true)),
            (Typology.FanOut, () => new FanRule(context, inbound: false)), (Typology.PassThrough, () => new PassThroughRule(context)),
            (Typology.RoundTrip, () => new RoundTripRule(context)), (Typology.HighRiskJurisdiction, () => new HighRiskRule(context)),
        ];
        List<(string Typology, Func<Rule> Create)> second =
        [
            (Typology.DormantReactivation, () => new DormantRule(context)), (Typology.ProfileMismatch, () => new ProfileMismatchRule(context)),
            (Typology.VelocitySpike, () => new VelocityRule(context)), (Typology.NewAccountMule, () => new NewAccountMuleRule(context)),
        ];
        if (sanctions is not null && part != 0) second.Add((Typology.SanctionsMatch, () => Sanctions = new SanctionsRule(context, sanctions)));
        var chosen = part switch { 0 => first, 1 => second, _ => [.. first, .. second] };
        _rules = chosen.Where(r => On(r.Typology)).Select(r => r.Create()).ToArray();
    }

    public RuleContext Context { get; }
    public SanctionsRule? Sanctions { get; private set; }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Observe(in Txn t)
    {
        // Windows assume time order; the batch path sorts, a stream must reorder before this point.
        if (t.Ticks < _lastTicks) throw new InvalidOperationException("transactions must be observed in time order");
        _lastTicks = t.Ticks;
        foreach (var rule in _rules) rule.Observe(t);
    }
}

internal sealed record ScanOptions(
    string Customers, string Transactions, string? Sanctions, string Out, string? LargeValueOut, AmlConfig Config, bool Strict)
{
    /// <summary>Typologies that run (a rule set's <c>enabled</c>); null = all.</summary>
    public IReadOnlySet<string>? Enabled { get; init; }
}

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
    /// <param name="options">Files, thresholds and strictness.</param>
    /// <param name="log">Where skipped malformed lines are reported.</param>
    /// <param name="progress">Where each phase reports as it ends (the CLI passes stderr).</param>
    public static ScanResult Run(ScanOptions options, TextWriter? log, TextWriter? progress = null)
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
        progress?.WriteLine($"aml scan: read {bank.Customers.Count:N0} customers and {bank.Transactions.Count:N0} transactions in {phases["read"]:0.00} s; sorting and running 11 typologies…");
        var sorted = bank.SortTransactions();
        phases["sort"] = clock.Elapsed.TotalSeconds - phases.Values.Sum();
        var (ordered, reports) = RunRules(bank, options, matcher, sorted);
        phases["rules"] = clock.Elapsed.TotalSeconds - phases.Values.Sum();
        AlertSink.Write(options.Out, ordered, bank);
        clock.Stop();
        phases["write"] = clock.Elapsed.TotalSeconds - phases.Values.Sum();
        var cpuSeconds = (Environment.CpuUsage.TotalTime - cpu).TotalSeconds;
        var byTypology = Typology.All.ToDictionary(t => t, t => ordered.Count(a => a.Typology == t));
        return new ScanResult(bank.Customers.Count, sorted.Count, ordered.Count, byTypology, issues.Count,
            new Dictionary<string, int>(issues.PerFile), reports, matcher?.Count ?? 0, clock.Elapsed.TotalSeconds, ordered, bank)
        {
            CpuSeconds = cpuSeconds,
            Phases = phases,
        };
    }

    /// <summary>
    /// Runs the rules over the sorted transactions. With two or more cores the rules run as two halves on two
    /// threads over the same read-only array (each rule's state is its own); alerts merge by episode start.
    /// </summary>
    private static (List<Alert> Alerts, int Reports) RunRules(Bank bank, ScanOptions options, SanctionsMatcher? matcher, List<Txn> sorted)
    {
        var firstTicks = sorted.Count > 0 ? sorted[0].Ticks : 0;
        using var stream = options.LargeValueOut is null ? null : new FileStream(options.LargeValueOut, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = stream is null ? null : new Utf8JsonWriter(stream);
        var reports = 0;
        if (Environment.ProcessorCount < 2)
        {
            var engine = new RuleEngine(new RuleContext(bank, options.Config, new AlertSink()), matcher, enabled: options.Enabled);
            engine.Sanctions?.ScreenCustomers(firstTicks);
            reports = Drive(engine, sorted, new LargeValueReporter(engine.Context, writer, stream));
            return (Order(engine.Context.Alerts.All), reports);
        }
        var a = new RuleEngine(new RuleContext(bank, options.Config, new AlertSink()), matcher, part: 0, enabled: options.Enabled);
        var b = new RuleEngine(new RuleContext(bank, options.Config, new AlertSink()), matcher, part: 1, enabled: options.Enabled);
        b.Sanctions?.ScreenCustomers(firstTicks);
        Parallel.Invoke(
            () => Drive(a, sorted, null),
            () => reports = Drive(b, sorted, new LargeValueReporter(b.Context, writer, stream)));
        return (Order(a.Context.Alerts.All.Concat(b.Context.Alerts.All)), reports);
    }

    private static List<Alert> Order(IEnumerable<Alert> alerts)
    {
        var rank = Typology.All.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);
        return alerts.OrderBy(a => a.FirstTicks).ThenBy(a => rank[a.Typology]).ThenBy(a => a.Subject).ToList();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int Drive(RuleEngine engine, List<Txn> sorted, LargeValueReporter? reporter)
    {
        foreach (ref readonly var t in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(sorted))
        {
            engine.Observe(t);
            reporter?.Observe(t);
        }
        reporter?.Flush();
        return reporter?.Reports ?? 0;
    }
}
