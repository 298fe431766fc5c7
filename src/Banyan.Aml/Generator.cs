using System.Text.Json;

namespace Banyan.Aml;

internal sealed record GeneratorOptions(int Customers, int Transactions, int Seed, int CasesPerTypology);

internal sealed record GroundTruthCase(string Typology, string SubjectAccount, string CustomerId, List<string> TransactionIds);

/// <summary>
/// A synthetic bank: normal customers with everyday activity shaped to stay below every rule, plus planted
/// cases of every typology on dedicated customers, and the ground truth that says which is which.
/// Deterministic for a seed. Normal amounts scale with the receiver's declared income so profiles stay plausible.
/// </summary>
internal sealed partial class Generator
{
    internal static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    internal const int PeriodDays = 60;

    private sealed class GenAccount
    {
        public required string Id { get; init; }
        public required long Opened { get; init; }
        public long? LastActivity { get; init; }
    }

    private sealed class GenCustomer
    {
        public required string Id { get; init; }
        public required string Name { get; init; }
        public required bool Individual { get; init; }
        public required long Income { get; init; }
        public required long Opened { get; init; }
        public string Occupation { get; init; } = "clerk";
        public List<GenAccount> Accounts { get; } = [];
    }

    private sealed record GenTxn(string Id, long Ticks, string Debit, string Credit, long Amount, string Channel, string DebitCountry, string CreditCountry, string? Counterparty);

    private readonly Random _random;
    private readonly GeneratorOptions _options;
    private readonly List<GenCustomer> _customers = [];
    private readonly List<GenTxn> _txns = [];
    private readonly List<GroundTruthCase> _truth = [];
    private readonly List<(string Name, string[] Aliases, string Country, string List)> _sanctions = [];
    private readonly List<string> _externals = [];
    private readonly List<string> _merchants = [];
    private int _normalCustomers;
    private int _nextAccount;
    private int _nextExternal;

    public Generator(GeneratorOptions options)
    {
        if (options.Customers < 50) throw new ArgumentOutOfRangeException(nameof(options), "at least 50 customers");
        if (options.Transactions < 1_000) throw new ArgumentOutOfRangeException(nameof(options), "at least 1,000 normal transactions");
        if (options.CasesPerTypology is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(options), "1..10,000 cases per typology");
        _options = options;
        _random = new Random(options.Seed);
    }

    public int PlantedTransactions { get; private set; }
    public int NormalTransactions { get; private set; }

    /// <summary>Writes customers.jsonl, transactions.jsonl (shuffled), sanctions.csv and ground_truth.jsonl into <paramref name="directory"/>.</summary>
    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        MakeSanctionsList();
        MakeNormalCustomers();
        MakeExternals();
        MakeNormalTransactions();
        NormalTransactions = _txns.Count;
        PlantAll();
        PlantedTransactions = _txns.Count - NormalTransactions;
        // Any order is allowed; shuffling makes the scanner's sort do real work.
        var shuffled = _txns.ToArray();
        _random.Shuffle(shuffled);
        WriteCustomers(Path.Combine(directory, "customers.jsonl"));
        WriteTransactions(Path.Combine(directory, "transactions.jsonl"), shuffled);
        WriteSanctions(Path.Combine(directory, "sanctions.csv"));
        WriteTruth(Path.Combine(directory, "ground_truth.jsonl"));
    }

    private static long At(double days) => Start.Ticks + (long)(days * Ticks.PerDay);

    private long Between(long lo, long hi) => _random.NextInt64(lo, hi + 1);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private string NewAccountId() => $"A{++_nextAccount:D8}";

    private string NewExternal() => $"X{++_nextExternal:D7}";

    private string AddTxn(long ticks, string debit, string credit, long amount, string channel, string? counterparty = null, string dc = "CN", string cc = "CN")
    {
        var id = $"T{_txns.Count + 1:D9}";
        _txns.Add(new GenTxn(id, ticks, debit, credit, amount, channel, dc, cc, counterparty));
        return id;
    }

    private GenCustomer AddCustomer(string name, bool individual, long income, long opened, long? lastActivity, int accounts = 1)
    {
        var customer = new GenCustomer
        {
            Id = $"C{_customers.Count + 1:D7}", Name = name, Individual = individual, Income = income, Opened = opened,
            Occupation = individual ? Pick(Occupations) : "company",
        };
        for (var i = 0; i < accounts; i++) customer.Accounts.Add(new GenAccount { Id = NewAccountId(), Opened = opened, LastActivity = lastActivity });
        _customers.Add(customer);
        return customer;
    }

    private void WriteCustomers(string path)
    {
        using var stream = File.Create(path);
        foreach (var c in _customers)
            WriteLine(stream, w =>
            {
                w.WriteString("customer_id", c.Id);
                w.WriteString("name", c.Name);
                w.WriteString("type", c.Individual ? "individual" : "business");
                w.WriteString("country", "CN");
                w.WriteString("occupation", c.Occupation);
                w.WriteNumber("declared_monthly_income_minor", c.Income);
                w.WriteString("currency", "CNY");
                w.WriteString("risk_rating", "low");
                w.WriteString("opened_at", Ticks.Iso(c.Opened));
                w.WriteStartArray("accounts");
                foreach (var a in c.Accounts)
                {
                    w.WriteStartObject();
                    w.WriteString("account_id", a.Id);
                    w.WriteString("opened_at", Ticks.Iso(a.Opened));
                    if (a.LastActivity is { } last) w.WriteString("last_activity_at", Ticks.Iso(last));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
    }

    private static void WriteTransactions(string path, GenTxn[] txns)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        foreach (var t in txns)
            WriteLine(stream, w =>
            {
                w.WriteString("transaction_id", t.Id);
                w.WriteString("timestamp", Ticks.Iso(t.Ticks));
                w.WriteString("debit_account", t.Debit);
                w.WriteString("credit_account", t.Credit);
                w.WriteNumber("amount_minor", t.Amount);
                w.WriteString("currency", "CNY");
                w.WriteString("channel", t.Channel);
                w.WriteString("debit_country", t.DebitCountry);
                w.WriteString("credit_country", t.CreditCountry);
                if (t.Counterparty is not null) w.WriteString("counterparty_name", t.Counterparty);
            });
    }

    private void WriteSanctions(string path)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("name,aliases,country,list");
        foreach (var (name, aliases, country, list) in _sanctions)
            writer.WriteLine($"\"{name}\",\"{string.Join(';', aliases)}\",{country},{list}");
    }

    private void WriteTruth(string path)
    {
        using var stream = File.Create(path);
        foreach (var c in _truth)
            WriteLine(stream, w =>
            {
                w.WriteString("typology", c.Typology);
                w.WriteString("subject_account", c.SubjectAccount);
                w.WriteString("customer_id", c.CustomerId);
                w.WriteStartArray("transaction_ids");
                foreach (var id in c.TransactionIds) w.WriteStringValue(id);
                w.WriteEndArray();
            });
    }

    private static void WriteLine(Stream stream, Action<Utf8JsonWriter> body)
    {
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
    }
}
