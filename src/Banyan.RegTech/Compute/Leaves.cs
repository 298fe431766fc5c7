using System.Globalization;
using Banyan.RegTech.Catalogue;
using Banyan.RegTech.Data;

namespace Banyan.RegTech.Compute;

/// <summary>An account placed on its mapping line with its signed balance (positive on the line's normal side).</summary>
internal readonly record struct PlacedAccount(AccountBalance Account, MappingLine Line, long Balance)
{
    public UInt128 Group => Account.Counterparty == 0 ? Account.Id : Account.Counterparty;
}

internal static class Placement
{
    /// <summary>Accounts whose ledger and code the mapping knows, in id order (the order of the input).</summary>
    public static List<PlacedAccount> Place(BaseMapping mapping, IReadOnlyList<AccountBalance> balances)
    {
        var placed = new List<PlacedAccount>();
        foreach (var a in balances)
        {
            var line = mapping.LineFor(a.Ledger, a.Code);
            if (line is null) continue;
            var debits = checked((long)a.DebitsPosted);
            var credits = checked((long)a.CreditsPosted);
            placed.Add(new PlacedAccount(a, line, line.Side == "debit" ? checked(debits - credits) : checked(credits - debits)));
        }
        return placed;
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
        "ledger.balances",
        AccountId: p.Account.Id.ToString(CultureInfo.InvariantCulture),
        Ledger: p.Account.Ledger,
        Code: p.Account.Code,
        Line: p.Line.Id,
        Counterparty: p.Group.ToString(CultureInfo.InvariantCulture),
        Balance: p.Balance,
        Factor: factor,
        Amount: amount);
}
