namespace Banyan.Aml;

internal enum Channel : byte { Cash, Transfer, Card, Wire }

internal enum CustomerType : byte { Individual, Business }

internal static class Typology
{
    public const string Structuring = "STRUCTURING";
    public const string FanIn = "FAN_IN";
    public const string FanOut = "FAN_OUT";
    public const string PassThrough = "PASS_THROUGH";
    public const string RoundTrip = "ROUND_TRIP";
    public const string DormantReactivation = "DORMANT_REACTIVATION";
    public const string ProfileMismatch = "PROFILE_MISMATCH";
    public const string VelocitySpike = "VELOCITY_SPIKE";
    public const string NewAccountMule = "NEW_ACCOUNT_MULE";
    public const string HighRiskJurisdiction = "HIGH_RISK_JURISDICTION";
    public const string SanctionsMatch = "SANCTIONS_MATCH";

    public static readonly IReadOnlyList<string> All =
    [
        Structuring, FanIn, FanOut, PassThrough, RoundTrip, DormantReactivation, ProfileMismatch,
        VelocitySpike, NewAccountMule, HighRiskJurisdiction, SanctionsMatch,
    ];
}

/// <summary>A customer as read from customers.jsonl; accounts are interned to dense indices.</summary>
internal sealed class Customer
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public CustomerType Type { get; init; }
    public string? Country { get; init; }
    public long? DeclaredMonthlyIncome { get; init; }
    public int Index { get; set; }
    public List<int> Accounts { get; } = [];
}

/// <summary>What the bank knows about one account before the transaction file starts. Externals have no customer.</summary>
internal sealed class AccountInfo
{
    public required string Id { get; init; }
    public Customer? Customer { get; set; }
    public long OpenedAt { get; set; } = long.MinValue;
    public long LastActivityAt { get; set; } = long.MinValue;

    public bool IsInternal => Customer is not null;
    public bool IsIndividual => Customer is { Type: CustomerType.Individual };
}

/// <summary>
/// One transaction, compact: accounts are dense indices, countries two ASCII letters packed into a ushort,
/// times are UTC ticks. <see cref="Seq"/> is the index into the id table (and the file order tie-break).
/// </summary>
internal readonly record struct Txn(
    long Ticks,
    int Debit,
    int Credit,
    long Amount,
    Channel Channel,
    ushort DebitCountry,
    ushort CreditCountry,
    int Seq,
    int Counterparty);

internal static class Country
{
    public const ushort None = 0;

    public static ushort Pack(ReadOnlySpan<char> code) =>
        code.Length == 2 && char.IsAsciiLetter(code[0]) && char.IsAsciiLetter(code[1])
            ? (ushort)((char.ToUpperInvariant(code[0]) << 8) | char.ToUpperInvariant(code[1]))
            : None;

    public static string Unpack(ushort code) =>
        code == None ? "??" : new string([(char)(code >> 8), (char)(code & 0xFF)]);
}

/// <summary>An alert while its episode is open; written once the scan ends.</summary>
internal sealed class Alert
{
    public const int MaxTransactionIds = 100;

    public required string Typology { get; init; }
    public required int Subject { get; init; }
    public required string Reason { get; init; }
    public double Score { get; set; }
    public required long FirstTicks { get; init; }
    public long LastTriggerTicks { get; set; }
    public int Extensions { get; set; }
    public List<int> TransactionSeqs { get; } = [];

    public void AddTransactions(IEnumerable<int> seqs)
    {
        foreach (var seq in seqs)
        {
            if (TransactionSeqs.Count >= MaxTransactionIds) return;
            if (!TransactionSeqs.Contains(seq)) TransactionSeqs.Add(seq);
        }
    }
}

internal static class Limits
{
    /// <summary>
    /// Largest accepted amount or income: 10^14 minor units (one trillion in major units). With at most 10,000
    /// events in a window, every running sum stays below 10^18 and every percentage product inside a long.
    /// </summary>
    public const long MaxAmount = 100_000_000_000_000;

    /// <summary>Timestamps outside 1900–2200 are refused: nothing real lies there, and day arithmetic stays positive.</summary>
    public static readonly long MinTicks = new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    public static readonly long MaxTicks = new DateTime(2200, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    /// <summary>Adds without passing <paramref name="cap"/>: unbounded counts of capped amounts cannot overflow.</summary>
    public static long SaturatingAdd(long total, long amount, long cap = long.MaxValue / 1_000) => Math.Min(cap, total + Math.Min(amount, cap));
}

internal static class Ticks
{
    public const long PerHour = TimeSpan.TicksPerHour;
    public const long PerDay = TimeSpan.TicksPerDay;

    public static string Iso(long ticks) => new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static string Money(long minor) =>
        (minor / 100).ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + "." + Math.Abs(minor % 100).ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
}
