using System.Text;
using System.Text.Json;
using Banyan.Credit.Model;

namespace Banyan.Credit.Portraits;

/// <summary>A company as the partner registry describes it, with its own claims (revenue, assets, status).</summary>
internal sealed record Company(string Id, string Name, string Sector, string Region, string? GroupId, bool SpecialisedSme,
    bool ClaimsExporter, long DeclaredAssetsMinor, DateOnly Registered);

/// <summary>A VAT invoice: the seller issued it, the buyer received it. Amount excludes VAT.</summary>
internal sealed record Invoice(string Id, string Seller, string Buyer, DateOnly Date, long AmountMinor, long VatMinor);

/// <summary>A monthly tax filing: declared revenue, taxes paid, head count and payroll.</summary>
internal sealed record TaxFiling(string Company, DateOnly Period, long DeclaredRevenueMinor, long VatPaidMinor, long IncomeTaxMinor,
    int Employees, long PayrollMinor);

/// <summary>A customs declaration; direction is <c>export</c> or <c>import</c>.</summary>
internal sealed record CustomsDeclaration(string Id, string Company, DateOnly Date, string Direction, string Country, long ValueMinor);

/// <summary>A supply-chain order from a customer to a supplier, with the part delivered so far.</summary>
internal sealed record SupplyOrder(string Id, string Supplier, string Customer, DateOnly Date, long OrderedMinor, long DeliveredMinor);

/// <summary>A receivable the company holds on a debtor; <c>PaidDate</c> is null while unpaid.</summary>
internal sealed record Receivable(string Id, string Company, string Debtor, DateOnly Issued, DateOnly Due, long AmountMinor, DateOnly? Paid);

/// <summary>A transfer seen on the bank's own ledger between two parties (either may be outside the bank).</summary>
internal sealed record LedgerFlow(string From, string To, DateOnly Date, long AmountMinor);

/// <summary>
/// All partner feeds for one portrait run. Files are JSON Lines with snake_case fields, one record a
/// line, named as in <see cref="FileNames"/>; <c>ledger.jsonl</c> is optional.
/// </summary>
internal sealed class Feeds
{
    public const int MaxRecordsPerFile = 5_000_000;

    public static readonly IReadOnlyList<string> FileNames =
        ["companies.jsonl", "invoices.jsonl", "tax_filings.jsonl", "customs.jsonl", "orders.jsonl", "receivables.jsonl", "ledger.jsonl"];

    public List<Company> Companies { get; init; } = [];
    public List<Invoice> Invoices { get; init; } = [];
    public List<TaxFiling> TaxFilings { get; init; } = [];
    public List<CustomsDeclaration> Customs { get; init; } = [];
    public List<SupplyOrder> Orders { get; init; } = [];
    public List<Receivable> Receivables { get; init; } = [];
    public List<LedgerFlow> Ledger { get; init; } = [];

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        WriteFile(directory, "companies.jsonl", Companies);
        WriteFile(directory, "invoices.jsonl", Invoices);
        WriteFile(directory, "tax_filings.jsonl", TaxFilings);
        WriteFile(directory, "customs.jsonl", Customs);
        WriteFile(directory, "orders.jsonl", Orders);
        WriteFile(directory, "receivables.jsonl", Receivables);
        WriteFile(directory, "ledger.jsonl", Ledger);
    }

    public static Feeds Read(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"feeds directory '{directory}' does not exist");
        var feeds = new Feeds
        {
            Companies = ReadFile<Company>(directory, "companies.jsonl", required: true),
            Invoices = ReadFile<Invoice>(directory, "invoices.jsonl", required: true),
            TaxFilings = ReadFile<TaxFiling>(directory, "tax_filings.jsonl", required: true),
            Customs = ReadFile<CustomsDeclaration>(directory, "customs.jsonl", required: true),
            Orders = ReadFile<SupplyOrder>(directory, "orders.jsonl", required: true),
            Receivables = ReadFile<Receivable>(directory, "receivables.jsonl", required: true),
            Ledger = ReadFile<LedgerFlow>(directory, "ledger.jsonl", required: false),
        };
        feeds.Validate();
        return feeds;
    }

    /// <summary>Money must be non-negative and a delivery cannot exceed its order: bad feeds are refused whole.</summary>
    public void Validate()
    {
        if (Companies.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count() != Companies.Count)
            throw new InvalidDataException("companies.jsonl: duplicate company id");
        if (Invoices.Any(i => i.AmountMinor < 0 || i.VatMinor < 0)) throw new InvalidDataException("invoices.jsonl: negative amount");
        if (TaxFilings.Any(t => t.DeclaredRevenueMinor < 0 || t.VatPaidMinor < 0 || t.IncomeTaxMinor < 0 || t.Employees < 0 || t.PayrollMinor < 0))
            throw new InvalidDataException("tax_filings.jsonl: negative figure");
        if (Customs.Any(c => c.ValueMinor < 0 || c.Direction is not ("export" or "import")))
            throw new InvalidDataException("customs.jsonl: negative value or direction not export/import");
        if (Orders.Any(o => o.OrderedMinor < 0 || o.DeliveredMinor < 0 || o.DeliveredMinor > o.OrderedMinor))
            throw new InvalidDataException("orders.jsonl: negative amount or delivered above ordered");
        if (Receivables.Any(r => r.AmountMinor < 0 || r.Due < r.Issued)) throw new InvalidDataException("receivables.jsonl: negative amount or due before issue");
        if (Ledger.Any(l => l.AmountMinor <= 0)) throw new InvalidDataException("ledger.jsonl: non-positive amount");
    }

    internal static void WriteFile<T>(string directory, string name, IEnumerable<T> records)
    {
        var text = new StringBuilder();
        foreach (var r in records) text.Append(JsonSerializer.Serialize(r, ModelDocument.Json)).Append('\n');
        File.WriteAllText(Path.Combine(directory, name), text.ToString(), new UTF8Encoding(false));
    }

    internal static List<T> ReadFile<T>(string directory, string name, bool required)
    {
        var path = Path.Combine(directory, name);
        if (!File.Exists(path))
            return required ? throw new FileNotFoundException($"feed '{name}' is missing in '{directory}'", path) : [];
        var list = new List<T>();
        var line = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            if (list.Count >= MaxRecordsPerFile) throw new InvalidDataException($"{name}: more than {MaxRecordsPerFile} records");
            try { list.Add(JsonSerializer.Deserialize<T>(raw, ModelDocument.Json) ?? throw new InvalidDataException("null record")); }
            catch (JsonException e) { throw new InvalidDataException($"{name} line {line}: {e.Message}", e); }
        }
        return list;
    }
}
