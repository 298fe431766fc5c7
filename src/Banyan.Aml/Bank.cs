using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Banyan.Aml;

/// <summary>
/// The bank as the scan sees it: customers, interned accounts (internal and external), and the
/// transactions sorted once by time. Memory is O(transactions): ~48 bytes per <see cref="Txn"/> plus its id string.
/// </summary>
internal sealed class Bank : IInterner
{
    private const int MaxIdChars = 256;
    private readonly Dictionary<string, int> _accountIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _accountLookup;
    private readonly Dictionary<string, int> _nameIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _nameLookup;
    private readonly HashSet<string> _transactionIds = new(StringComparer.Ordinal);

    public Bank()
    {
        _accountLookup = _accountIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        _nameLookup = _nameIndex.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public List<Customer> Customers { get; } = [];
    public List<AccountInfo> Accounts { get; } = [];
    public List<string> CounterpartyNames { get; } = [];
    public List<Txn> Transactions { get; } = [];
    public List<string> TransactionIds { get; } = [];
    public int Account(ReadOnlySpan<char> id) => InternAccount(id);
    public int Name(ReadOnlySpan<char> name) => InternName(name);
    public bool TryGetAccount(ReadOnlySpan<char> id, out int index) => _accountLookup.TryGetValue(id, out index);

    public int InternAccount(ReadOnlySpan<char> id)
    {
        if (_accountLookup.TryGetValue(id, out var index)) return index;
        var text = id.ToString();
        index = Accounts.Count;
        Accounts.Add(new AccountInfo { Id = text });
        _accountIndex.Add(text, index);
        return index;
    }

    public int InternName(ReadOnlySpan<char> name)
    {
        if (_nameLookup.TryGetValue(name, out var index)) return index;
        var text = name.ToString();
        index = CounterpartyNames.Count;
        CounterpartyNames.Add(text);
        _nameIndex.Add(text, index);
        return index;
    }

    public Customer? OwnerOf(string accountId) =>
        _accountIndex.TryGetValue(accountId, out var index) ? Accounts[index].Customer : null;

    public bool AddTransactionId(string id) => _transactionIds.Add(id);

    /// <summary>Sorts in place by time, ties in file order; the rules then see one transaction at a time.</summary>
    public List<Txn> SortTransactions()
    {
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Transactions)
            .Sort(static (a, b) => a.Ticks != b.Ticks ? a.Ticks.CompareTo(b.Ticks) : a.Seq.CompareTo(b.Seq));
        return Transactions;
    }

    /// <summary>Sizes the transaction lists from the file size (about 230 bytes a line), so they do not regrow and copy while reading.</summary>
    public void ExpectTransactions(long fileBytes)
    {
        var expected = (int)Math.Min(50_000_000, fileBytes / 180 + 16);
        Transactions.EnsureCapacity(expected);
        TransactionIds.EnsureCapacity(expected);
        _transactionIds.EnsureCapacity(expected);
    }

    public static bool TryDecodeId(ReadOnlySpan<byte> utf8, Span<char> into, out int length)
    {
        length = 0;
        if (utf8.Length == 0 || utf8.Length > MaxIdChars) return false;
        return Encoding.UTF8.TryGetChars(utf8, into, out length) && length > 0;
    }

    public static long ParseTime(string? text)
    {
        if (text is null) return long.MinValue;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            && value.UtcTicks >= Limits.MinTicks && value.UtcTicks < Limits.MaxTicks
            ? value.UtcTicks
            : throw new FormatException($"'{text}' is not an ISO 8601 time between 1900 and 2200");
    }
}

/// <summary>Where the transaction parser turns account ids and counterparty names into dense indices.</summary>
internal interface IInterner
{
    int Account(ReadOnlySpan<char> id);
    int Name(ReadOnlySpan<char> name);
}

/// <summary>Reads customers.jsonl (small: one JsonDocument per line is fine).</summary>
internal static class CustomerReader
{
    public static void Read(string path, Bank bank, InputIssues issues)
    {
        var file = Path.GetFileName(path);
        JsonlLines.Read(path, (line, number) =>
        {
            if (JsonlLines.IsBlank(line)) return;
            try
            {
                using var document = JsonDocument.Parse(line.ToArray());
                var why = Add(document.RootElement, bank);
                if (why is not null) issues.Report(file, number, why);
            }
            catch (JsonException e)
            {
                issues.Report(file, number, "invalid JSON: " + e.Message);
            }
            catch (FormatException e)
            {
                issues.Report(file, number, e.Message);
            }
        }, line => issues.Report(file, line, $"line longer than {JsonlLines.MaxLineBytes} bytes"));
    }

    private static string? Add(JsonElement root, Bank bank)
    {
        if (root.ValueKind != JsonValueKind.Object) return "a customer must be a JSON object";
        var id = Text(root, "customer_id");
        if (string.IsNullOrWhiteSpace(id)) return "customer_id is missing";
        var type = Text(root, "type");
        if (type is not ("individual" or "business")) return $"type must be \"individual\" or \"business\", not {type ?? "missing"}";
        if (!root.TryGetProperty("accounts", out var accounts) || accounts.ValueKind != JsonValueKind.Array) return "accounts must be an array";
        long? income = root.TryGetProperty("declared_monthly_income_minor", out var inc) && inc.ValueKind == JsonValueKind.Number
            ? (inc.TryGetInt64(out var i) && i is >= 0 and <= Limits.MaxAmount ? i : throw new FormatException($"declared_monthly_income_minor must be an integer from 0 to {Limits.MaxAmount}"))
            : null;
        var customer = new Customer
        {
            Id = id, Name = Text(root, "name") ?? "", Type = type == "individual" ? CustomerType.Individual : CustomerType.Business,
            Country = Text(root, "country"), DeclaredMonthlyIncome = income, Index = bank.Customers.Count,
        };
        var customerOpened = Bank.ParseTime(Text(root, "opened_at"));
        var parsed = new List<(string Id, long Opened, long Last)>();
        foreach (var account in accounts.EnumerateArray())
        {
            var accountId = account.ValueKind == JsonValueKind.Object ? Text(account, "account_id") : null;
            if (string.IsNullOrWhiteSpace(accountId)) return "every account needs an account_id";
            var opened = Bank.ParseTime(Text(account, "opened_at"));
            parsed.Add((accountId, opened != long.MinValue ? opened : customerOpened, Bank.ParseTime(Text(account, "last_activity_at"))));
        }
        // Check every account before taking any, so a refused line changes nothing.
        foreach (var (accountId, _, _) in parsed)
        {
            var owner = bank.OwnerOf(accountId);
            if (owner is not null) return $"account {accountId} already belongs to customer {owner.Id}";
        }
        foreach (var (accountId, opened, last) in parsed)
        {
            var index = bank.InternAccount(accountId);
            var info = bank.Accounts[index];
            info.Customer = customer;
            info.OpenedAt = opened;
            info.LastActivityAt = last;
            customer.Accounts.Add(index);
        }
        bank.Customers.Add(customer);
        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
