namespace Banyan.Credit.Portraits;

/// <summary>The generated behaviour of each archetype.</summary>
internal sealed partial class FeedGenerator
{
    /// <summary>Fixed traits of one trading company, drawn once.</summary>
    private sealed record Traits(double Base, double Growth, double Amplitude, double Phase, string[] Customers, double[] Weights,
        string[] Suppliers, double Margin, double ExportShare, double VatRate, int Employees, long Wage, double MissFiling,
        double LateDays, double Unpaid, double Fulfilment, bool BankCustomer, double Shock);

    private Traits Draw(Archetype archetype, double health)
    {
        var small = archetype == Archetype.SmallGenuine;
        var baseRevenue = small ? random.Next(3_000_000, 8_000_000) : 100_000_000 * LogNormal(0.8);
        var customers = Enumerable.Range(0, small ? random.Next(4, 9) : random.Next(5, 41)).Select(_ => Pick(market)).Distinct().ToArray();
        var alpha = 0.4 + (1.2 * random.NextDouble());
        var weights = customers.Select((_, k) => 1 / Math.Pow(k + 1, alpha)).ToArray();
        var suppliers = Enumerable.Range(0, random.Next(3, 16)).Select(_ => Pick(market)).Distinct().ToArray();
        var annual = baseRevenue * 12;
        var employees = small ? random.Next(2, 5) : Math.Max(2, (int)(annual / 40_000_000 * LogNormal(0.3)));
        return new Traits(baseRevenue, ((health - 0.45) * 0.03) + (0.005 * Gaussian()), 0.1 + (0.25 * random.NextDouble()), random.NextDouble() * 12,
            customers, weights, suppliers, 0.12 + (0.2 * health), archetype == Archetype.Exporter ? 0.3 + (0.4 * random.NextDouble()) : 0,
            Pick([0.13, 0.09, 0.06]), employees, random.Next(600_000, 1_200_000), 0.2 * (1 - health) * (1 - health),
            45 * (1 - health) * random.NextDouble(), 0.2 * (1 - health) * (1 - health), Math.Min(1, 0.75 + (0.25 * health) + (0.03 * Gaussian())),
            random.NextDouble() < 0.5, archetype == Archetype.Struggling && random.NextDouble() < 0.6 ? 0.4 + (0.4 * random.NextDouble()) : 1);
    }

    private void TradingCompany(string id, Archetype archetype, double health)
    {
        var t = Draw(archetype, health);
        for (var m = 0; m < options.Months; m++)
        {
            var month = Start.AddMonths(m);
            var shock = m >= options.Months - 6 ? t.Shock : 1;
            var revenue = t.Base * Math.Pow(1 + t.Growth, m) * (1 + (t.Amplitude * Math.Sin(2 * Math.PI * (month.Month + t.Phase) / 12))) * LogNormal(0.15) * shock;
            var exports = revenue * t.ExportShare;
            var invoiced = SalesMonth(id, t, month, revenue - exports);
            var purchases = PurchasesMonth(id, t, month, revenue * (1 - t.Margin));
            CustomsMonth(id, month, exports, t.ExportShare > 0 ? purchases * 0.25 : 0);
            if (random.NextDouble() >= t.MissFiling)
            {
                var declared = Money((invoiced + exports) * (0.97 + (0.06 * random.NextDouble())));
                feeds.TaxFilings.Add(new TaxFiling(id, month, declared, Money((invoiced - purchases) * t.VatRate), Money(revenue * t.Margin * 0.1),
                    t.Employees, checked(t.Employees * t.Wage)));
            }
        }
    }

    /// <summary>Invoices, their receivables, the orders behind them and (for bank customers) the payments received.</summary>
    private long SalesMonth(string id, Traits t, DateOnly month, double domestic)
    {
        var count = random.Next(1, Math.Min(12, t.Customers.Length + 2));
        long total = 0;
        for (var k = 0; k < count; k++)
        {
            var buyer = t.Customers[WeightedIndex(t.Weights)];
            var date = month.AddDays(random.Next(0, 28));
            var amount = Money(domestic / count * LogNormal(0.3));
            if (amount == 0 || date >= options.AsOf) continue;
            total = checked(total + amount);
            AddInvoice(id, buyer, date, amount, t.VatRate);
            var due = date.AddDays(random.NextDouble() < 0.5 ? 30 : 60);
            DateOnly? paid = random.NextDouble() < t.Unpaid ? null : due.AddDays((int)(t.LateDays * random.NextDouble() * 2) - 5);
            if (paid is { } p && p >= options.AsOf) paid = null;
            feeds.Receivables.Add(new Receivable(NextId("REC"), id, buyer, date, due, amount, paid));
            if (t.BankCustomer && paid is { } when && random.NextDouble() < 0.7) feeds.Ledger.Add(new LedgerFlow(buyer, id, when, amount));
            var ordered = Money(amount / t.Fulfilment);
            var delivered = date.AddDays(30) >= options.AsOf ? Money(ordered * random.NextDouble()) : Math.Min(ordered, amount);
            feeds.Orders.Add(new SupplyOrder(NextId("ORD"), id, buyer, date.AddDays(-10), ordered, delivered));
        }
        return total;
    }

    private long PurchasesMonth(string id, Traits t, DateOnly month, double cost)
    {
        var count = random.Next(1, 5);
        long total = 0;
        for (var k = 0; k < count; k++)
        {
            var date = month.AddDays(random.Next(0, 28));
            var amount = Money(cost / count * LogNormal(0.2));
            if (amount == 0 || date >= options.AsOf) continue;
            var seller = Pick(t.Suppliers);
            total = checked(total + amount);
            AddInvoice(seller, id, date, amount, t.VatRate);
            if (t.BankCustomer && date.AddDays(30) < options.AsOf) feeds.Ledger.Add(new LedgerFlow(id, seller, date.AddDays(30), amount));
        }
        return total;
    }

    private void CustomsMonth(string id, DateOnly month, double exports, double imports)
    {
        if (exports > 0)
        {
            var n = random.Next(1, 4);
            for (var k = 0; k < n; k++)
                AddCustoms(id, month.AddDays(random.Next(0, 28)), "export", Pick(["US", "DE", "VN", "JP", "AE", "BR", "KE"]), Money(exports / n));
        }
        if (imports > 0) AddCustoms(id, month.AddDays(random.Next(0, 28)), "import", Pick(["KR", "DE", "AU"]), Money(imports));
    }

    private void AddCustoms(string id, DateOnly date, string direction, string country, long value)
    {
        if (date < options.AsOf && value > 0) feeds.Customs.Add(new CustomsDeclaration(NextId("CUS"), id, date, direction, country, value));
    }

    private int WeightedIndex(double[] weights)
    {
        var r = random.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            r -= weights[i];
            if (r <= 0) return i;
        }
        return weights.Length - 1;
    }

    /// <summary>Big claims, a trickle of invoices, one employee, no customs: revenue exists only on paper.</summary>
    private void ShellCompany(string id)
    {
        for (var m = 0; m < options.Months; m++)
        {
            var month = Start.AddMonths(m);
            if (m % 3 == 0) AddInvoice(id, Pick(market), month.AddDays(random.Next(0, 28)), random.Next(1_000_000, 3_000_000));
            feeds.TaxFilings.Add(new TaxFiling(id, month, Money(500_000_000 * LogNormal(0.1)), random.Next(10_000, 50_000), 0, 1, 300_000));
        }
    }

    /// <summary>Related companies invoicing each other round a cycle every month; declared revenue matches the invoices.</summary>
    private void CircularRing(string[] ring)
    {
        for (var m = 0; m < options.Months; m++)
        {
            var month = Start.AddMonths(m);
            var amount = Money(800_000_000 * LogNormal(0.05));
            for (var k = 0; k < ring.Length; k++)
            {
                var (seller, buyer) = (ring[k], ring[(k + 1) % ring.Length]);
                var date = month.AddDays(5 + (7 * k));
                AddInvoice(seller, buyer, date, amount);
                feeds.Receivables.Add(new Receivable(NextId("REC"), seller, buyer, date, date.AddDays(30), amount, date.AddDays(30) < options.AsOf ? date.AddDays(30) : null));
                var outside = Money(amount * 0.05);
                AddInvoice(seller, Pick(market), date.AddDays(1), outside);
                feeds.TaxFilings.Add(new TaxFiling(seller, month, checked(amount + outside), Money(outside * 0.13), 0, 3, 1_800_000));
            }
        }
    }
}
