namespace Banyan.Ledger.Http.Demo;

/// <summary>
/// A small chart of accounts in ledger 1 (CNY, minor unit = fen) so a fresh demo has something to
/// look at: a bank settlement account, two customers and two merchants with overdraft limits, a few
/// posted transfers and one pending card hold.
/// </summary>
internal static class DemoChart
{
    public const uint Cny = 1;
    public const ushort BankCode = 100;
    public const ushort CustomerCode = 200;
    public const ushort MerchantCode = 300;

    public static readonly (ulong Id, string Name)[] Accounts =
    [
        (1001, "Bank settlement (CNY)"),
        (2001, "Customer Li Wei"),
        (2002, "Customer Zhang Min"),
        (3001, "Merchant Tea House"),
        (3002, "Merchant Bookshop"),
    ];

    /// <summary>Creates the chart unless account 1001 already exists (idempotent on restart).</summary>
    public static async Task SeedAsync(LedgerEngine engine, CancellationToken cancellationToken)
    {
        var existing = await engine.LookupAccountsAsync(new UInt128[] { 1001 }, cancellationToken);
        if (existing.Length > 0) return;
        var accountResults = await engine.CreateAccountsAsync(BuildAccounts(), cancellationToken);
        Ensure(accountResults.Select(r => (r == CreateAccountResult.Created || r == CreateAccountResult.Exists, r.Name())));
        var transferResults = await engine.CreateTransfersAsync(BuildTransfers(), cancellationToken);
        Ensure(transferResults.Select(r => (r == CreateTransferResult.Created || r == CreateTransferResult.Exists, r.Name())));
    }

    private static Account[] BuildAccounts() =>
    [
        new() { Id = 1001, Ledger = Cny, Code = BankCode },
        new() { Id = 2001, Ledger = Cny, Code = CustomerCode, Flags = AccountFlags.DebitsMustNotExceedCredits },
        new() { Id = 2002, Ledger = Cny, Code = CustomerCode, Flags = AccountFlags.DebitsMustNotExceedCredits },
        new() { Id = 3001, Ledger = Cny, Code = MerchantCode, Flags = AccountFlags.DebitsMustNotExceedCredits },
        new() { Id = 3002, Ledger = Cny, Code = MerchantCode, Flags = AccountFlags.DebitsMustNotExceedCredits },
    ];

    private static Transfer[] BuildTransfers() =>
    [
        Move(1, 1001, 2001, 800_000, code: 1),   // deposit 8,000.00
        Move(2, 1001, 2002, 500_000, code: 1),   // deposit 5,000.00
        Move(3, 2001, 3001, 3_800, code: 2),     // tea, 38.00
        Move(4, 2002, 3002, 12_900, code: 2),    // books, 129.00
        Move(5, 2001, 3002, 25_000, code: 3, TransferFlags.Pending), // card hold, 250.00
    ];

    private static Transfer Move(ulong id, ulong debit, ulong credit, ulong amountFen, ushort code, TransferFlags flags = TransferFlags.None) =>
        new() { Id = id, DebitAccountId = debit, CreditAccountId = credit, Amount = amountFen, Ledger = Cny, Code = code, Flags = flags };

    private static void Ensure(IEnumerable<(bool Ok, string Name)> results)
    {
        var failed = results.Where(r => !r.Ok).Select(r => r.Name).ToList();
        if (failed.Count > 0) throw new InvalidOperationException("Demo ledger seed failed: " + string.Join(", ", failed));
    }
}
