using Banyan.Ledger;
using Banyan.RegTech.Catalogue;
using Banyan.RegTech.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.RegTech.Demo;

/// <summary>
/// The demo bank: general-ledger accounts (codes 8000-8999, ids tagged <c>REGT</c>, ledger 156 = CNY)
/// whose balances follow a twelve-month story, posted through the ledger month by month against an
/// unmapped opening-balance clearing account (8999). After each month the date is closed (cut-off and
/// loan-book snapshot) and both profiles are computed and stored, so trends exist. The story: deposits
/// move from retail to hot wholesale money and government bonds run off, so the LCR falls from ~270 %
/// to below 100 % in the last month (the breach); two corporate borrowers turn non-performing (a jump).
/// </summary>
internal static class DemoBank
{
    public const uint Tag = 0x52454754; // "REGT"
    public const int Months = 12;
    private const long Million = 100_000_000; // CNY 1m in minor units (fen)
    private const ushort Clearing = 8999;

    public static async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        if (await db.Set<CutoffRow>().AnyAsync(cancellationToken)) return;
        var engine = scope.ServiceProvider.GetRequiredService<LedgerEngine>();
        var service = scope.ServiceProvider.GetRequiredService<RegTechService>();
        var ledger = service.Mapping.ReportingCurrency.Ledger;
        var story = Story.Build();
        var accounts = story.Accounts.Select(a => new Account { Id = Id(a.Number), Ledger = ledger, Code = a.Code, UserData128 = a.Counterparty })
            .Append(new Account { Id = Id(0), Ledger = ledger, Code = Clearing }).ToArray();
        Check(await engine.CreateAccountsAsync(accounts, cancellationToken), "accounts");
        var previous = new long[story.Accounts.Count];
        ulong transferNumber = 0;
        var today = service.Today;
        for (var k = 0; k < Months; k++)
        {
            var asOf = new DateOnly(today.Year, today.Month, 1).AddMonths(k - Months).AddMonths(1).AddDays(-1);
            var transfers = new List<Transfer>();
            for (var i = 0; i < story.Accounts.Count; i++)
            {
                var a = story.Accounts[i];
                var delta = checked(a.Balance(k) * Million / 10 - previous[i]);
                previous[i] += delta;
                if (delta == 0) continue;
                // Debit-side accounts grow by debits; credit-side ones by credits. The clearing account takes the other leg.
                var grows = (delta > 0) == a.DebitSide;
                transfers.Add(new Transfer
                {
                    Id = Id(1UL << 40 | ++transferNumber), DebitAccountId = grows ? Id(a.Number) : Id(0), CreditAccountId = grows ? Id(0) : Id(a.Number),
                    Amount = (UInt128)Math.Abs(delta), Ledger = ledger, Code = a.Code,
                });
            }
            for (var start = 0; start < transfers.Count; start += LedgerEngine.MaxBatchEvents)
                Check(await engine.CreateTransfersAsync(transfers.Skip(start).Take(LedgerEngine.MaxBatchEvents).ToArray(), cancellationToken), "transfers");
            await service.CloseDateAsync(asOf, cancellationToken);
            foreach (var profile in IndicatorCatalogue.Profiles) await service.ComputeAsync(profile, asOf, store: true, cancellationToken);
        }
    }

    public static UInt128 Id(ulong number) => ((UInt128)Tag << 96) | number;

    private static void Check(CreateAccountResult[] results, string what)
    {
        foreach (var r in results)
            if (r != CreateAccountResult.Created) throw new InvalidOperationException($"demo bank {what}: the ledger answered {r}");
    }

    private static void Check(CreateTransferResult[] results, string what)
    {
        foreach (var r in results)
            if (r != CreateTransferResult.Created) throw new InvalidOperationException($"demo bank {what}: the ledger answered {r}");
    }
}

/// <summary>One demo account and its balance path (tenths of CNY millions, by month 0..11).</summary>
internal sealed record DemoAccount(ulong Number, ushort Code, UInt128 Counterparty, bool DebitSide, Func<int, long> Balance);

internal sealed class Story
{
    public List<DemoAccount> Accounts { get; } = [];

    public static Story Build()
    {
        var s = new Story();
        // Balances in CNY millions × 10 (one decimal), as functions of the month k = 0..11.
        s.Asset(8101, _ => 8_000);
        s.Asset(8102, _ => 60_000);
        s.Asset(8103, k => 30_000 - (15_000 * k / 11));
        s.Asset(8111, k => 90_000 - (30_000 * k / 11));
        s.Asset(8112, _ => 40_000);
        s.Asset(8113, _ => 20_000);
        s.Asset(8121, _ => 15_000, 9001);
        s.Asset(8121, _ => 10_000, 9002);
        s.Asset(8121, _ => 5_000, 9003);
        s.Asset(8122, _ => 10_000, 9001);
        s.Asset(8131, _ => 3_000);
        s.Asset(8132, _ => 2_000);
        s.Asset(8141, _ => 12_000);
        s.Asset(8191, _ => 8_000);
        s.Asset(8292, _ => 1_500);
        for (var i = 1; i <= 40; i++) s.CorporateBorrower(i);
        for (var i = 1; i <= 40; i++)
        {
            var b = i;
            var npl = b <= 3; // three small businesses default in the last two months
            s.Asset(8220, k => npl && k >= 10 ? 0 : 1_000 * (100 + (2 * k)) / 100, (UInt128)(2000 + b));
            if (npl) s.Asset(8222, k => k >= 10 ? 1_000 * (100 + (2 * k)) / 100 : 0, (UInt128)(2000 + b));
        }
        for (var i = 1; i <= 3; i++) s.Asset(8230, k => 10_000 + (100 * k), (UInt128)(3000 + i));
        s.Asset(8232, k => 200 + (30 * k), 3100);
        for (var i = 1; i <= 5; i++) s.Asset(8240, _ => 16_000, (UInt128)(4000 + i));
        for (var i = 1; i <= 5; i++) s.Asset(8250, k => 3_000 * (100 + (3 * k)) / 100, (UInt128)(5000 + i));
        s.Asset(8260, _ => 2_000, 6001);
        s.Asset(8260, _ => 1_500, 6002);
        s.Liability(8291, k => 6_500 + (k >= 8 ? 1_500 : 0) + (k >= 11 ? 2_000 : 0));
        s.Liability(8401, _ => 150_000);
        s.Liability(8402, k => 80_000 - (20_000 * k / 11));
        s.Liability(8403, _ => 100_000);
        s.Liability(8411, _ => 60_000);
        s.Liability(8412, k => 50_000 + (30_000 * k / 11));
        s.Liability(8421, k => 40_000 + (60_000 * k / 11));
        s.Liability(8431, k => 20_000 + (40_000 * k / 11));
        s.Liability(8441, _ => 30_000);
        s.Liability(8451, _ => 5_000);
        s.Liability(8491, _ => 7_000);
        s.Liability(8501, _ => 15_000);
        s.Liability(8502, _ => 12_000);
        s.Liability(8503, _ => 10_000);
        s.Liability(8504, _ => 6_000);
        s.Liability(8511, _ => 5_000);
        s.Liability(8512, _ => 5_000);
        s.Liability(8521, _ => 8_000);
        s.Asset(8601, _ => 50_000);
        s.Asset(8602, _ => 15_000);
        s.Asset(8603, _ => 10_000);
        // Profit and loss accumulate from the first month (k + 1 months of flows).
        s.Liability(8701, k => 1_600 * (k + 1));
        s.Asset(8702, k => 550 * (k + 1));
        s.Liability(8703, k => 150 * (k + 1));
        s.Asset(8704, k => 250 * (k + 1));
        s.Asset(8705, k => 120 * (k + 1) + (k >= 8 ? 1_500 : 0) + (k >= 11 ? 2_000 : 0));
        return s;
    }

    private void CorporateBorrower(int i)
    {
        var size = 2_000 - (30 * i); // 197m … 80m
        UInt128 who = (UInt128)(1000 + i);
        // Borrower 2 turns substandard in month 8; borrower 3 in month 11.
        var defaultsAt = i == 2 ? 8 : i == 3 ? 11 : int.MaxValue;
        Asset(8210, k => k < defaultsAt ? size * (100 + k) / 100 : 0, who);
        if (defaultsAt != int.MaxValue) Asset(8212, k => k >= defaultsAt ? size * (100 + k) / 100 : 0, who);
    }

    private void Asset(ushort code, Func<int, long> balance, UInt128 counterparty = default) =>
        Accounts.Add(new DemoAccount((ulong)Accounts.Count + 1, code, counterparty, true, balance));

    private void Liability(ushort code, Func<int, long> balance, UInt128 counterparty = default) =>
        Accounts.Add(new DemoAccount((ulong)Accounts.Count + 1, code, counterparty, false, balance));
}
