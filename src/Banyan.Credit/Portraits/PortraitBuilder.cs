namespace Banyan.Credit.Portraits;

/// <summary>
/// Computes an SME portrait (decision 0350) from raw feeds: the same 200+ features for every company,
/// over trailing windows of 3, 6 and 12 months ending (exclusive) at the as-of date, with growth
/// against the window just before.
/// </summary>
internal sealed partial class PortraitBuilder
{
    public static readonly IReadOnlyList<int> Windows = [3, 6, 12];

    private readonly Feeds feeds;
    private readonly Dictionary<string, Company> companies;
    private readonly ILookup<string, Invoice> issued;
    private readonly ILookup<string, Invoice> received;
    private readonly ILookup<string, TaxFiling> filings;
    private readonly ILookup<string, CustomsDeclaration> customs;
    private readonly ILookup<string, SupplyOrder> ordersAsSupplier;
    private readonly ILookup<string, SupplyOrder> ordersAsCustomer;
    private readonly ILookup<string, Receivable> receivables;
    private readonly ILookup<string, LedgerFlow> inflows;
    private readonly ILookup<string, LedgerFlow> outflows;

    public PortraitBuilder(Feeds feeds)
    {
        this.feeds = feeds;
        companies = feeds.Companies.ToDictionary(c => c.Id, StringComparer.Ordinal);
        issued = feeds.Invoices.ToLookup(i => i.Seller, StringComparer.Ordinal);
        received = feeds.Invoices.ToLookup(i => i.Buyer, StringComparer.Ordinal);
        filings = feeds.TaxFilings.ToLookup(t => t.Company, StringComparer.Ordinal);
        customs = feeds.Customs.ToLookup(c => c.Company, StringComparer.Ordinal);
        ordersAsSupplier = feeds.Orders.ToLookup(o => o.Supplier, StringComparer.Ordinal);
        ordersAsCustomer = feeds.Orders.ToLookup(o => o.Customer, StringComparer.Ordinal);
        receivables = feeds.Receivables.ToLookup(r => r.Company, StringComparer.Ordinal);
        inflows = feeds.Ledger.ToLookup(l => l.To, StringComparer.Ordinal);
        outflows = feeds.Ledger.ToLookup(l => l.From, StringComparer.Ordinal);
    }

    public Feeds Feeds => feeds;

    /// <summary>The day after the latest dated record: the default as-of date.</summary>
    public DateOnly LatestAsOf()
    {
        var dates = feeds.Invoices.Select(i => i.Date).Concat(feeds.TaxFilings.Select(t => t.Period)).Concat(feeds.Customs.Select(c => c.Date))
            .Concat(feeds.Orders.Select(o => o.Date)).Concat(feeds.Receivables.Select(r => r.Issued)).Concat(feeds.Ledger.Select(l => l.Date)).ToList();
        return dates.Count == 0 ? throw new InvalidDataException("feeds hold no dated records") : dates.Max().AddDays(1);
    }

    public Company Company(string id) =>
        companies.TryGetValue(id, out var c) ? c : throw new KeyNotFoundException($"company '{id}' is not in companies.jsonl");

    public bool Contains(string id) => companies.ContainsKey(id);

    public Portrait Build(string companyId, DateOnly asOf)
    {
        var company = Company(companyId);
        var sink = new FeatureSink();
        foreach (var w in Windows)
        {
            var win = new Window(asOf, w);
            InvoiceFamily(sink, "sales", "issued", issued[companyId], i => i.Buyer, win);
            InvoiceFamily(sink, "purchases", "received", received[companyId], i => i.Seller, win);
            MarginFamily(sink, companyId, win);
            TaxFamily(sink, companyId, win);
            CustomsFamily(sink, companyId, win);
            OrderFamily(sink, companyId, win);
            ReceivableFamily(sink, companyId, win);
            LedgerFamily(sink, companyId, win);
        }
        ProfileFamily(sink, company, asOf);
        return new Portrait(companyId, asOf, sink.Features);
    }

    /// <summary>A trailing window [From, To) of Months months and the equally long window before it.</summary>
    internal readonly record struct Window(DateOnly AsOf, int Months)
    {
        public DateOnly From => AsOf.AddMonths(-Months);
        public DateOnly PriorFrom => AsOf.AddMonths(-2 * Months);
        public bool In(DateOnly d) => d >= From && d < AsOf;
        public bool InPrior(DateOnly d) => d >= PriorFrom && d < From;
        public string S => $"{Months}m";

        /// <summary>Index 0..Months-1 of the calendar month slot (0 = oldest) a date falls in.</summary>
        public int Slot(DateOnly d) => ((d.Year - From.Year) * 12) + d.Month - From.Month - (d.Day < From.Day ? 1 : 0);
    }

    internal static List<double> Monthly<T>(IEnumerable<T> items, Func<T, DateOnly> date, Func<T, long> amount, Window win)
    {
        var slots = new double[win.Months];
        foreach (var item in items)
        {
            var d = date(item);
            if (!win.In(d)) continue;
            var s = Math.Clamp(win.Slot(d), 0, win.Months - 1);
            slots[s] += amount(item);
        }
        return [.. slots];
    }

    private static void InvoiceFamily(FeatureSink sink, string p, string verb, IEnumerable<Invoice> all, Func<Invoice, string> other, Window win)
    {
        var list = all.Where(i => win.In(i.Date)).ToList();
        var prior = Stats.Sum(all.Where(i => win.InPrior(i.Date)).Select(i => i.AmountMinor));
        var total = Stats.Sum(list.Select(i => i.AmountMinor));
        var byParty = list.GroupBy(other, StringComparer.Ordinal).Select(g => Stats.Sum(g.Select(i => i.AmountMinor))).ToList();
        var monthly = Monthly(list, i => i.Date, i => i.AmountMinor, win);
        var s = win.S;
        sink.Money($"{p}_total_{s}", total, $"Net amount of VAT invoices {verb} in the last {s}.");
        sink.Count($"{p}_invoice_count_{s}", list.Count, $"Number of VAT invoices {verb} in the last {s}.");
        sink.Money($"{p}_invoice_mean_{s}", list.Count == 0 ? 0 : total / list.Count, $"Mean invoice amount {verb}, last {s}.");
        sink.Money($"{p}_invoice_max_{s}", list.Count == 0 ? 0 : list.Max(i => i.AmountMinor), $"Largest invoice {verb}, last {s}.");
        sink.Count($"{p}_counterparties_{s}", byParty.Count, $"Distinct counterparties on invoices {verb}, last {s}.");
        sink.Ratio($"{p}_hhi_{s}", Stats.Hhi(byParty), $"Herfindahl index of counterparty shares of invoices {verb}, last {s}.");
        sink.Ratio($"{p}_top1_share_{s}", Stats.TopShare(byParty, 1), $"Share of the largest counterparty in invoices {verb}, last {s}.");
        sink.Ratio($"{p}_top3_share_{s}", Stats.TopShare(byParty, 3), $"Share of the three largest counterparties, invoices {verb}, last {s}.");
        sink.Ratio($"{p}_growth_{s}", Stats.Growth(total, prior), $"Growth of invoices {verb}: last {s} against the {s} before.");
        sink.Ratio($"{p}_monthly_cv_{s}", Stats.Cv(monthly), $"Volatility (coefficient of variation) of monthly invoices {verb}, last {s}.");
        sink.Count($"{p}_active_months_{s}", monthly.Count(m => m > 0), $"Months with at least one invoice {verb}, last {s}.");
        sink.Money($"{p}_vat_{s}", Stats.Sum(list.Select(i => i.VatMinor)), $"VAT on invoices {verb}, last {s}.");
        sink.Ratio($"{p}_vat_rate_{s}", Stats.Ratio(Stats.Sum(list.Select(i => i.VatMinor)), total), $"Effective VAT rate on invoices {verb}, last {s}.");
        sink.Ratio($"{p}_trend_{s}", Stats.RelativeSlope(monthly), $"Relative monthly trend (slope / mean) of invoices {verb}, last {s}.");
    }

    private void MarginFamily(FeatureSink sink, string id, Window win)
    {
        var sales = Stats.Sum(issued[id].Where(i => win.In(i.Date)).Select(i => i.AmountMinor));
        var purchases = Stats.Sum(received[id].Where(i => win.In(i.Date)).Select(i => i.AmountMinor));
        var s = win.S;
        sink.Ratio($"gross_margin_proxy_{s}", Stats.Ratio(sales - purchases, sales), $"(Sales − purchases) / sales on invoices, last {s}.");
        sink.Ratio($"purchases_to_sales_{s}", Stats.Ratio(purchases, sales), $"Invoiced purchases / invoiced sales, last {s}.");
        var related = RelatedSales(id, win);
        sink.Ratio($"related_party_sales_share_{s}", Stats.Ratio(related, sales), $"Share of invoiced sales to companies of the same group, last {s}.");
    }

    private long RelatedSales(string id, Window win)
    {
        var group = companies[id].GroupId;
        if (group is null) return 0;
        return Stats.Sum(issued[id].Where(i => win.In(i.Date) && companies.TryGetValue(i.Buyer, out var b) && b.GroupId == group).Select(i => i.AmountMinor));
    }

    private void TaxFamily(FeatureSink sink, string id, Window win)
    {
        var list = filings[id].Where(t => win.In(t.Period)).ToList();
        var declared = Stats.Sum(list.Select(t => t.DeclaredRevenueMinor));
        var prior = Stats.Sum(filings[id].Where(t => win.InPrior(t.Period)).Select(t => t.DeclaredRevenueMinor));
        var vat = Stats.Sum(list.Select(t => t.VatPaidMinor));
        var income = Stats.Sum(list.Select(t => t.IncomeTaxMinor));
        var payroll = Stats.Sum(list.Select(t => t.PayrollMinor));
        var employees = list.Count == 0 ? 0 : list.Average(t => t.Employees);
        var sales = Stats.Sum(issued[id].Where(i => win.In(i.Date)).Select(i => i.AmountMinor));
        var s = win.S;
        sink.Money($"declared_revenue_{s}", declared, $"Revenue declared on tax filings, last {s}.");
        sink.Ratio($"declared_revenue_growth_{s}", Stats.Growth(declared, prior), $"Growth of declared revenue against the {s} before.");
        sink.Count($"tax_filings_{s}", list.Count, $"Monthly tax filings made, last {s} (gaps mean missed filings).");
        sink.Money($"vat_paid_{s}", vat, $"VAT paid per filings, last {s}.");
        sink.Money($"income_tax_paid_{s}", income, $"Income tax paid per filings, last {s}.");
        sink.Ratio($"tax_to_revenue_{s}", Stats.Ratio(vat + income, declared), $"(VAT + income tax) / declared revenue, last {s}.");
        sink.Ratio($"invoice_to_revenue_{s}", Stats.Ratio(sales, declared), $"Invoiced sales / declared revenue, last {s} (≈1 when claims match invoices).");
        sink.Count($"employees_mean_{s}", employees, $"Mean head count on filings, last {s}.");
        sink.Money($"payroll_{s}", payroll, $"Payroll declared, last {s}.");
        sink.Money($"payroll_per_employee_{s}", employees == 0 ? 0 : (long)(payroll / employees), $"Payroll per mean employee, last {s}.");
        sink.Money($"revenue_per_employee_{s}", employees == 0 ? 0 : (long)(declared / employees), $"Declared revenue per mean employee, last {s}.");
        sink.Ratio($"payroll_to_revenue_{s}", Stats.Ratio(payroll, declared), $"Payroll / declared revenue, last {s}.");
    }

    private void CustomsFamily(FeatureSink sink, string id, Window win)
    {
        var list = customs[id].Where(c => win.In(c.Date)).ToList();
        var exports = Stats.Sum(list.Where(c => c.Direction == "export").Select(c => c.ValueMinor));
        var imports = Stats.Sum(list.Where(c => c.Direction == "import").Select(c => c.ValueMinor));
        var priorExports = Stats.Sum(customs[id].Where(c => win.InPrior(c.Date) && c.Direction == "export").Select(c => c.ValueMinor));
        var sales = Stats.Sum(issued[id].Where(i => win.In(i.Date)).Select(i => i.AmountMinor));
        var purchases = Stats.Sum(received[id].Where(i => win.In(i.Date)).Select(i => i.AmountMinor));
        var s = win.S;
        sink.Money($"exports_{s}", exports, $"Export value on customs declarations, last {s}.");
        sink.Money($"imports_{s}", imports, $"Import value on customs declarations, last {s}.");
        sink.Count($"export_declarations_{s}", list.Count(c => c.Direction == "export"), $"Export declarations, last {s}.");
        sink.Count($"export_countries_{s}", list.Where(c => c.Direction == "export").Select(c => c.Country).Distinct().Count(), $"Distinct export destinations, last {s}.");
        sink.Ratio($"export_share_{s}", Stats.Ratio(exports, exports + sales), $"Exports / (exports + domestic invoiced sales), last {s}.");
        sink.Ratio($"export_growth_{s}", Stats.Growth(exports, priorExports), $"Growth of exports against the {s} before.");
        sink.Ratio($"imports_to_purchases_{s}", Stats.Ratio(imports, imports + purchases), $"Imports / (imports + domestic invoiced purchases), last {s}.");
    }

    private void OrderFamily(FeatureSink sink, string id, Window win)
    {
        var list = ordersAsSupplier[id].Where(o => win.In(o.Date)).ToList();
        var ordered = Stats.Sum(list.Select(o => o.OrderedMinor));
        var delivered = Stats.Sum(list.Select(o => o.DeliveredMinor));
        var prior = Stats.Sum(ordersAsSupplier[id].Where(o => win.InPrior(o.Date)).Select(o => o.OrderedMinor));
        var placed = Stats.Sum(ordersAsCustomer[id].Where(o => win.In(o.Date)).Select(o => o.OrderedMinor));
        var s = win.S;
        sink.Count($"orders_received_{s}", list.Count, $"Supply-chain orders received as supplier, last {s}.");
        sink.Money($"orders_received_value_{s}", ordered, $"Value ordered from the company, last {s}.");
        sink.Money($"orders_delivered_value_{s}", delivered, $"Value of those orders delivered, last {s}.");
        sink.Ratio($"order_fulfilment_{s}", Stats.Ratio(delivered, ordered), $"Delivered / ordered on orders received, last {s}.");
        sink.Money($"order_backlog_{s}", ordered - delivered, $"Ordered but not yet delivered, orders of the last {s}.");
        sink.Ratio($"orders_growth_{s}", Stats.Growth(ordered, prior), $"Growth of orders received against the {s} before.");
        sink.Count($"order_customers_{s}", list.Select(o => o.Customer).Distinct(StringComparer.Ordinal).Count(), $"Distinct customers ordering, last {s}.");
        sink.Money($"orders_placed_value_{s}", placed, $"Value the company ordered from its suppliers, last {s}.");
    }

    private void ReceivableFamily(FeatureSink sink, string id, Window win)
    {
        var list = receivables[id].Where(r => win.In(r.Issued)).ToList();
        var asOf = win.AsOf;
        bool Open(Receivable r) => r.Paid is not { } p || p >= asOf;
        var open = list.Where(Open).ToList();
        var openAmount = Stats.Sum(open.Select(r => r.AmountMinor));
        var overdue = open.Where(r => r.Due < asOf).ToList();
        var paid = list.Where(r => !Open(r)).ToList();
        var sales = Stats.Sum(issued[id].Where(i => win.In(i.Date)).Select(i => i.AmountMinor));
        var days = (asOf.DayNumber - win.From.DayNumber);
        var s = win.S;
        sink.Money($"receivables_open_{s}", openAmount, $"Open receivables at the as-of date from the last {s}.");
        sink.Days($"dso_{s}", sales == 0 ? double.NaN : (double)openAmount / sales * days, $"Days sales outstanding: open receivables / invoiced sales × days, last {s}.");
        sink.Ratio($"receivables_overdue_share_{s}", Stats.Ratio(Stats.Sum(overdue.Select(r => r.AmountMinor)), openAmount), $"Overdue share of open receivables, last {s}.");
        sink.Count($"receivables_overdue_90_{s}", overdue.Count(r => asOf.DayNumber - r.Due.DayNumber > 90), $"Receivables more than 90 days past due, issued in the last {s}.");
        sink.Days($"receivables_mean_days_late_{s}", paid.Count == 0 ? double.NaN : paid.Average(r => Math.Max(0, r.Paid!.Value.DayNumber - r.Due.DayNumber)), $"Mean days late of paid receivables, last {s}.");
        sink.Ratio($"receivables_paid_on_time_{s}", Stats.Ratio(paid.Count(r => r.Paid!.Value <= r.Due), paid.Count), $"Share of paid receivables paid by the due date, last {s}.");
        sink.Count($"receivable_debtors_{s}", list.Select(r => r.Debtor).Distinct(StringComparer.Ordinal).Count(), $"Distinct debtors, last {s}.");
    }

    private void LedgerFamily(FeatureSink sink, string id, Window win)
    {
        var ins = inflows[id].Where(l => win.In(l.Date)).ToList();
        var outs = outflows[id].Where(l => win.In(l.Date)).ToList();
        var inSum = Stats.Sum(ins.Select(l => l.AmountMinor));
        var outSum = Stats.Sum(outs.Select(l => l.AmountMinor));
        var sales = Stats.Sum(issued[id].Where(i => win.In(i.Date)).Select(i => i.AmountMinor));
        var s = win.S;
        sink.Money($"ledger_inflow_{s}", inSum, $"Money received on the bank's ledger, last {s}.");
        sink.Money($"ledger_outflow_{s}", outSum, $"Money paid out on the bank's ledger, last {s}.");
        sink.Money($"ledger_net_{s}", inSum - outSum, $"Ledger inflow − outflow, last {s}.");
        sink.Count($"ledger_transfers_{s}", ins.Count + outs.Count, $"Ledger transfers in and out, last {s}.");
        sink.Count($"ledger_counterparties_{s}", ins.Select(l => l.From).Concat(outs.Select(l => l.To)).Distinct(StringComparer.Ordinal).Count(), $"Distinct ledger counterparties, last {s}.");
        sink.Ratio($"ledger_inflow_to_sales_{s}", Stats.Ratio(inSum, sales), $"Ledger inflow / invoiced sales, last {s} (share of sales collected through the bank).");
    }
}
