using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.CrossBorder;
using Banyan.Platform.Money;

namespace Banyan.Payments.Tests.CrossBorder;

[Collection(XbHostCollection.Name)]
public sealed class FxLedgerTests(XbHostFixture fixture)
{
    private XbHost Host => fixture.Host;

    [Fact]
    public async Task A_thousand_random_conversions_lose_or_invent_no_minor_unit_and_fx_positions_absorb_the_difference()
    {
        var random = new Random(6_800);
        var payers = new Dictionary<Currency, UInt128>();
        foreach (var c in Currencies.All)
        {
            payers[c] = await CrossBorderApiTests.FundedAsync(Host, "fx-" + c.Code, c.Code, 900_000 * c.MinorPerMajor);
        }

        var before = await SnapshotAsync(payers.Values);
        var quotes = Host.Get<XbQuotes>();
        var payments = Host.Get<XbPayments>();
        var corridors = Host.Get<CorridorTable>().All;
        // Eight concurrent payers of the same accounts: the ledger, not the test, keeps the sums straight.
        var drafts = Enumerable.Range(0, 1_000).Select(i =>
        {
            var src = Currencies.All[random.Next(12)];
            var corridor = corridors[random.Next(corridors.Count)];
            var amount = random.NextInt64(1, 500 * src.MinorPerMajor);
            var receive = random.Next(4) == 0;
            return (Src: src, Dst: corridor.Currency, Input: new QuoteInput("fx-test", payers[src], corridor.Country, receive ? null : amount, receive ? Math.Max(1, amount / 4) : null,
                "B", "ACC" + i.ToString(CultureInfo.InvariantCulture), "DEUTDEFFXXX", null, "E" + i.ToString(CultureInfo.InvariantCulture)));
        }).ToList();
        var done = new System.Collections.Concurrent.ConcurrentBag<(Currency Src, Currency Dst, XbQuoteRow Quote)>();
        await Parallel.ForEachAsync(drafts, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (d, ct) =>
        {
            var quote = await quotes.CreateAsync(d.Input, ct);
            var (payment, _) = await payments.AcceptAsync("fx-test", quote.Id, ct);
            Assert.Equal(XbStatus.Sent, payment!.Status);
            done.Add((d.Src, d.Dst, quote));
        });

        var sent = new Dictionary<Currency, (long Debited, long Principal, long Fees, long Delivered)>();
        foreach (var (src, dst, quote) in done)
        {
            Add(sent, src, (quote.Principal + quote.Fee, quote.Principal, quote.Fee, 0));
            Add(sent, dst, (0, 0, 0, quote.Delivered));
        }

        Assert.Equal(1_000, done.Count);
        var after = await SnapshotAsync(payers.Values);
        foreach (var c in Currencies.All)
        {
            var (debited, principal, fees, delivered) = sent.GetValueOrDefault(c);
            Assert.Equal(debited, Delta(before, after, payers[c], debit: true));
            Assert.Equal(principal, Delta(before, after, XbChart.FxPosition(c), debit: false));
            Assert.Equal(delivered, Delta(before, after, XbChart.FxPosition(c), debit: true));
            Assert.Equal(fees, Delta(before, after, XbChart.FeeIncome(c), debit: false));
            Assert.Equal(delivered, Delta(before, after, XbChart.Nostro(c), debit: false));

            // Double entry per currency ledger: every debit has its credit, so the movements of all touched accounts sum to zero.
            var net = new[] { payers[c], XbChart.FxPosition(c), XbChart.FeeIncome(c), XbChart.Nostro(c) }
                .Sum(id => Delta(before, after, id, debit: false) - Delta(before, after, id, debit: true));
            Assert.Equal(0, net);
        }
    }

    private static void Add(Dictionary<Currency, (long, long, long, long)> sums, Currency c, (long A, long B, long C, long D) v)
    {
        var (a, b, cc, d) = sums.GetValueOrDefault(c);
        sums[c] = (a + v.A, b + v.B, cc + v.C, d + v.D);
    }

    private async Task<Dictionary<UInt128, Account>> SnapshotAsync(IEnumerable<UInt128> customers)
    {
        var ids = XbChart.BankAccounts().Select(a => a.Id).Concat(customers).ToArray();
        return (await Host.Get<LedgerEngine>().LookupAccountsAsync(ids)).ToDictionary(a => a.Id);
    }

    private static long Delta(Dictionary<UInt128, Account> before, Dictionary<UInt128, Account> after, UInt128 id, bool debit) => debit
        ? checked((long)(after[id].DebitsPosted - before[id].DebitsPosted))
        : checked((long)(after[id].CreditsPosted - before[id].CreditsPosted));
}
