namespace Banyan.Aml;

/// <summary>What every rule shares: the bank's static data, the config and the alert sink.</summary>
internal sealed class RuleContext(Bank bank, AmlConfig config, AlertSink alerts)
{
    public Bank Bank { get; } = bank;
    public AmlConfig Config { get; } = config;
    public AlertSink Alerts { get; } = alerts;
    public string Ccy => Config.Currency;

    public AccountInfo Info(int account) => Bank.Accounts[account];
    public bool IsInternal(int account) => Bank.Accounts[account].Customer is not null;
    public bool IsIndividual(int account) => Bank.Accounts[account].Customer is { Type: CustomerType.Individual };
    public string Id(int account) => Bank.Accounts[account].Id;
    public string Money(long minor) => Ticks.Money(minor) + " " + Config.Currency;

    /// <summary>The bank's business day of a UTC instant.</summary>
    public long DayOf(long ticks) => (ticks + Config.DayUtcOffsetMinutes * TimeSpan.TicksPerMinute) / Ticks.PerDay;
}

/// <summary>
/// A typology. Rules see transactions one at a time in time order and keep only bounded sliding-window
/// state per account or customer, so the same rule can later run on the ledger's committed stream.
/// </summary>
internal abstract class Rule(RuleContext context)
{
    protected RuleContext Ctx { get; } = context;
    protected AmlConfig Config => Ctx.Config;

    public abstract void Observe(in Txn t);

    protected static T State<T>(DenseMap<T> states, int key) where T : class, new() => states.GetOrAdd(key);

    protected static string Hours(long ticks) => (ticks / (double)Ticks.PerHour).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " h";
    protected static string Days(long ticks) => (ticks / (double)Ticks.PerDay).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " days";
    protected static string Pct(double value) => value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";
}

internal readonly record struct Event(long Ticks, long Amount, int Seq, int Other);

/// <summary>A time window of events with a running sum; old events leave from the front.</summary>
internal sealed class EventWindow
{
    /// <summary>Cap on remembered events: a runaway account cannot grow state without bound.</summary>
    public const int MaxEvents = 10_000;

    private readonly Queue<Event> _events = new();
    public long Sum { get; private set; }
    public int Count => _events.Count;
    public IEnumerable<Event> Events => _events;

    public void Add(Event e)
    {
        if (_events.Count >= MaxEvents) Drop();
        _events.Enqueue(e);
        Sum += e.Amount;
    }

    /// <summary>Forgets events older than <paramref name="span"/> before <paramref name="now"/>.</summary>
    public void Expire(long now, long span)
    {
        while (_events.Count > 0 && now - _events.Peek().Ticks > span) Drop();
    }

    public long FirstTicks => _events.Peek().Ticks;
    public IEnumerable<int> Seqs => _events.Select(e => e.Seq);

    private void Drop() => Sum -= _events.Dequeue().Amount;
}

/// <summary>
/// Per-account (or per-customer) state indexed by the dense index: an array lookup instead of hashing on the
/// hot path. Grows by doubling, so a stream that meets new accounts keeps working.
/// </summary>
internal sealed class DenseMap<T> where T : class
{
    private T?[] _items = new T?[1024];

    public bool TryGetValue(int key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? value)
    {
        value = (uint)key < (uint)_items.Length ? _items[key] : null;
        return value is not null;
    }

    public T this[int key]
    {
        set
        {
            if (key >= _items.Length) Array.Resize(ref _items, Math.Max(key + 1, _items.Length * 2));
            _items[key] = value;
        }
    }

    public T GetOrAdd(int key) => GetOrAdd(key, static () => Activator.CreateInstance<T>());

    public T GetOrAdd(int key, Func<T> create)
    {
        if (TryGetValue(key, out var value)) return value;
        value = create();
        this[key] = value;
        return value;
    }
}
