using System.Globalization;
using Banyan.RegTech.Catalogue;
using Banyan.Platform.Money;
using Banyan.RegTech.Data;

namespace Banyan.RegTech.Compute;

/// <summary>How an account's balance was converted: its own currency and signed balance there, and the rate used.</summary>
internal sealed record FxDetail(string Currency, long OriginalBalance, decimal Rate, DateOnly RateDate);

/// <summary>
/// An account placed on its mapping line with its signed balance (positive on the line's normal side) in
/// the reporting currency. <see cref="Missing"/>: no rate converts its currency, so its balance is unknown
/// (Balance 0 is then not a value) and any quantity selecting it is undefined.
/// </summary>
internal readonly record struct PlacedAccount(AccountBalance Account, MappingLine Line, long Balance, FxDetail? Fx = null, string? Missing = null)
{
    public UInt128 Group => Account.Counterparty == 0 ? Account.Id : Account.Counterparty;
}

/// <summary>Rates for one reporting currency and date, looked up once per currency.</summary>
internal sealed class FxContext(FxRates rates, string reporting, DateOnly date)
{
    private readonly Dictionary<string, (AppliedRate? Rate, string? Missing)> _found = [];

    public string Reporting => reporting;

    public (AppliedRate? Rate, string? Missing) Find(string currency)
    {
        if (!_found.TryGetValue(currency, out var r)) _found[currency] = r = rates.Find(currency, reporting, date);
        return r;
    }
}

internal static class Placement
{
    /// <summary>Accounts whose ledger and code the mapping knows, in id order (the order of the input), converted into the reporting currency.</summary>
    public static List<PlacedAccount> Place(BaseMapping mapping, IReadOnlyList<AccountBalance> balances, FxContext fx)
    {
        var placed = new List<PlacedAccount>();
        foreach (var a in balances)
        {
            var line = mapping.LineFor(a.Ledger, a.Code);
            if (line is null) continue;
            var debits = checked((long)a.DebitsPosted);
            var credits = checked((long)a.CreditsPosted);
            var signed = line.Side == "debit" ? checked(debits - credits) : checked(credits - debits);
            var currency = mapping.CurrencyOf(a.Ledger)!;
            if (currency == fx.Reporting)
            {
                placed.Add(new PlacedAccount(a, line, signed));
                continue;
            }
            var (rate, missing) = fx.Find(currency);
            placed.Add(rate is { } r
                ? new PlacedAccount(a, line, FxRates.Convert(signed, Currencies.Get(currency), Currencies.Get(fx.Reporting), r.Rate), new FxDetail(currency, signed, r.Rate, r.Date))
                : new PlacedAccount(a, line, 0, new FxDetail(currency, signed, 0m, default), missing));
        }
        return placed;
    }

    /// <summary>Why a quantity over these accounts cannot be computed: a selected account with a balance has no conversion rate.</summary>
    public static string? MissingRate(QuantityDefinition q, List<PlacedAccount> placed)
    {
        var missing = placed.Where(p => p.Missing is not null && p.Fx!.OriginalBalance != 0 && q.Selects(p.Line)).ToList();
        return missing.Count == 0 ? null : $"{missing[0].Missing}: {missing.Count} account(s) in {string.Join(", ", missing.Select(p => p.Fx!.Currency).Distinct())} cannot be converted";
    }
}

/// <summary>Leaf quantities over placed accounts. Weighted amounts are rounded half-up per account, so drill-downs sum exactly.</summary>
internal static class Leaves
{
    public static QuantityValue Sum(QuantityRef r, DateOnly date, QuantityDefinition q, List<PlacedAccount> placed)
    {
        var rows = new List<Contribution>();
        long total = 0;
        foreach (var p in placed)
        {
            if (p.Balance == 0 || !q.Selects(p.Line)) continue;
            var factor = p.Line.Factor(q.Weight);
            var amount = Weighted(p.Balance, factor);
            total = checked(total + amount);
            rows.Add(Row(p, factor, amount));
        }
        return new QuantityValue(r, date, q.Kind, q.Name, total, null, "amount", rows);
    }

    /// <summary>The <paramref name="n"/> largest counterparty groups by exposure (ties: lower id first).</summary>
    public static QuantityValue Groups(QuantityRef r, DateOnly date, QuantityDefinition q, List<PlacedAccount> placed, int n)
    {
        var top = Grouped(q, placed).Take(Math.Max(n, 1)).ToList();
        var rows = top.SelectMany(g => g.Accounts.Select(p => Row(p, 1m, p.Balance))).ToList();
        return new QuantityValue(r, date, q.Kind, q.Name, rows.Sum(c => c.Amount), null, "amount", rows);
    }

    /// <summary>Groups with a positive exposure at or above <paramref name="atLeast"/>; one contribution per group.</summary>
    public static QuantityValue GroupCount(QuantityRef r, DateOnly date, QuantityDefinition q, List<PlacedAccount> placed, decimal atLeast)
    {
        var rows = Grouped(q, placed).Where(g => g.Exposure > 0 && g.Exposure >= atLeast)
            .Select(g => new Contribution("ledger.balances", Counterparty: g.Key.ToString(CultureInfo.InvariantCulture), Amount: g.Exposure,
                Note: $"{g.Accounts.Count} account(s)")).ToList();
        return new QuantityValue(r, date, q.Kind, q.Name, rows.Count, null, "count", rows);
    }

    public static long Weighted(long balance, decimal factor) =>
        factor == 1m ? balance : checked((long)Math.Round(balance * factor, 0, MidpointRounding.AwayFromZero));

    private static IEnumerable<(UInt128 Key, long Exposure, List<PlacedAccount> Accounts)> Grouped(QuantityDefinition q, List<PlacedAccount> placed) =>
        placed.Where(p => p.Balance != 0 && q.Selects(p.Line))
            .GroupBy(p => p.Group)
            .Select(g => (Key: g.Key, Exposure: g.Sum(p => p.Balance), Accounts: g.ToList()))
            .OrderByDescending(g => g.Exposure).ThenBy(g => g.Key);

    private static Contribution Row(PlacedAccount p, decimal factor, long amount) => new(
        p.Fx is null ? "ledger.balances" : "ledger.balances.fx",
        AccountId: p.Account.Id.ToString(CultureInfo.InvariantCulture),
        Ledger: p.Account.Ledger,
        Code: p.Account.Code,
        Line: p.Line.Id,
        Counterparty: p.Group.ToString(CultureInfo.InvariantCulture),
        Balance: p.Balance,
        Factor: factor,
        Amount: amount,
        Currency: p.Fx?.Currency,
        OriginalBalance: p.Fx?.OriginalBalance,
        FxRate: p.Fx?.Rate,
        FxRateDate: p.Fx?.RateDate);
}
