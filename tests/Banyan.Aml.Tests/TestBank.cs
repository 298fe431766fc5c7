using System.Text.Json;

namespace Banyan.Aml.Tests;

/// <summary>Builds small input files in a temporary directory and scans them through the real batch path.</summary>
internal sealed class TestBank : IDisposable
{
    public static readonly DateTime T0 = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly List<string> _customers = [];
    private readonly List<string> _transactions = [];
    private readonly List<string> _sanctions = ["name,aliases,country,list"];
    private int _next;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "banyan-aml-test-" + Guid.NewGuid().ToString("N")[..10]);

    public TestBank() => System.IO.Directory.CreateDirectory(Directory);

    public string CustomersPath => Path.Combine(Directory, "customers.jsonl");
    public string TransactionsPath => Path.Combine(Directory, "transactions.jsonl");
    public string SanctionsPath => Path.Combine(Directory, "list.csv");
    public string AlertsPath => Path.Combine(Directory, "alerts.jsonl");
    public string LargeValuePath => Path.Combine(Directory, "large_value.jsonl");

    public static string Iso(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Adds a customer with one account named <paramref name="account"/>; opened long ago and recently active unless told otherwise.</summary>
    public TestBank Customer(string account, string type = "individual", long income = 100_000_000, DateTime? opened = null, DateTime? lastActivity = null, string? name = null)
    {
        var id = "C-" + account;
        var openedAt = opened ?? T0.AddYears(-3);
        var last = lastActivity ?? (opened is null ? T0.AddDays(-1) : (DateTime?)null);
        _customers.Add(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["customer_id"] = id, ["name"] = name ?? "Customer " + account, ["type"] = type, ["country"] = "CN", ["occupation"] = "clerk",
            ["declared_monthly_income_minor"] = income, ["currency"] = "CNY", ["risk_rating"] = "low", ["opened_at"] = Iso(openedAt),
            ["accounts"] = new[] { new Dictionary<string, object?> { ["account_id"] = account, ["opened_at"] = Iso(openedAt), ["last_activity_at"] = last is null ? null : Iso(last.Value) } },
        }));
        return this;
    }

    public string Txn(DateTime time, string debit, string credit, long amount, string channel = "transfer", string dc = "CN", string cc = "CN", string? counterparty = null)
    {
        var id = $"T{++_next:D5}";
        var fields = new Dictionary<string, object?>
        {
            ["transaction_id"] = id, ["timestamp"] = Iso(time), ["debit_account"] = debit, ["credit_account"] = credit,
            ["amount_minor"] = amount, ["currency"] = "CNY", ["channel"] = channel, ["debit_country"] = dc, ["credit_country"] = cc,
        };
        if (counterparty is not null) fields["counterparty_name"] = counterparty;
        _transactions.Add(JsonSerializer.Serialize(fields));
        return id;
    }

    public void RawTransactionLine(string line) => _transactions.Add(line);

    public TestBank Sanction(string name, string aliases = "", string country = "IR", string list = "UN")
    {
        _sanctions.Add($"\"{name}\",\"{aliases}\",{country},{list}");
        return this;
    }

    public void WriteFiles()
    {
        File.WriteAllLines(CustomersPath, _customers);
        File.WriteAllLines(TransactionsPath, _transactions);
        File.WriteAllLines(SanctionsPath, _sanctions);
    }

    public ScanResult Scan(AmlConfig? config = null, bool strict = false)
    {
        WriteFiles();
        return Scanner.Run(new ScanOptions(CustomersPath, TransactionsPath, SanctionsPath, AlertsPath, LargeValuePath, config ?? new AmlConfig(), strict), null);
    }

    public List<Alert> Alerts(string typology, AmlConfig? config = null) => Scan(config).AlertList.Where(a => a.Typology == typology).ToList();

    public List<JsonElement> ReadJsonl(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }
}
