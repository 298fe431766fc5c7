using System.Globalization;

namespace Banyan.Credit.Portraits;

/// <summary>One reason a company looks like a shell, with the figures that triggered it.</summary>
internal sealed record ShellFlag(string Code, bool Strong, string Reason, IReadOnlyDictionary<string, double> Figures);

/// <summary>The detector's verdict: a shell when any strong flag or at least two weak flags fire.</summary>
internal sealed record ShellReport(string Company, bool IsShell, IReadOnlyList<ShellFlag> Flags);

/// <summary>Thresholds of the shell-company rules (decision 0352). Money in minor units.</summary>
internal sealed record ShellRules
{
    /// <summary>Below this declared 12-month revenue a company is too small for revenue claims to matter.</summary>
    public long MinDeclaredRevenueMinor { get; init; } = 50_000_000;
    public double MinRevenueCoverage { get; init; } = 0.5;
    public int MinSpecialisedInvoices { get; init; } = 6;
    public int MinSpecialisedCounterparties { get; init; } = 2;
    public double MaxAssetsToActivity { get; init; } = 25;
    public long MinAssetsMinor { get; init; } = 100_000_000;
    public double MinCircularShare { get; init; } = 0.3;
    public double MaxThinTaxToRevenue { get; init; } = 0.005;
    public double MaxThinPayrollToRevenue { get; init; } = 0.005;
}

/// <summary>
/// Shell-company detector over the last 12 months of the feeds: claims (declared revenue, assets,
/// exporter and specialised-SME status) without matching invoices or customs activity, circular trading
/// among related parties (a cycle in the invoice graph restricted to companies of one group), and a thin
/// staff and tax footprint. Every flag names its figures.
/// </summary>
internal static class ShellDetector
{
    public static ShellReport Check(PortraitBuilder builder, string companyId, DateOnly asOf, ShellRules? rules = null)
    {
        rules ??= new ShellRules();
        var p = builder.Build(companyId, asOf);
        var flags = new List<ShellFlag>();
        RevenueClaims(p, rules, flags);
        StatusClaims(builder.Company(companyId), p, rules, flags);
        ThinFootprint(p, rules, flags);
        if (RelatedCycles.Find(builder, companyId, asOf) is { } cycle)
        {
            var share = Stats.Ratio(cycle.FlowMinor, p["sales_total_12m"]);
            if (share >= rules.MinCircularShare)
                flags.Add(new ShellFlag("circular_related_trading", true,
                    $"invoices go round related parties {string.Join(" → ", cycle.Path)}: at least {Major(cycle.FlowMinor)} went round the cycle in 12m, {Pct(share)} of the company's invoiced sales",
                    new Dictionary<string, double> { ["cycle_flow_minor"] = cycle.FlowMinor, ["cycle_length"] = cycle.Path.Count - 1, ["share_of_sales"] = share }));
        }
        var strong = flags.Any(f => f.Strong);
        return new ShellReport(companyId, strong || flags.Count(f => !f.Strong) >= 2, flags);
    }

    private static void RevenueClaims(Portrait p, ShellRules rules, List<ShellFlag> flags)
    {
        var declared = p["declared_revenue_12m"];
        var invoiced = p["sales_total_12m"];
        var exports = p["exports_12m"];
        var coverage = Stats.Ratio(invoiced + exports, declared);
        if (declared >= rules.MinDeclaredRevenueMinor && coverage < rules.MinRevenueCoverage)
            flags.Add(new ShellFlag("revenue_without_invoices", true,
                $"declared revenue {Major(declared)} in 12m but invoices issued {Major(invoiced)} and exports {Major(exports)}: only {Pct(coverage)} is backed by activity",
                new Dictionary<string, double> { ["declared_revenue_minor"] = declared, ["invoiced_sales_minor"] = invoiced, ["exports_minor"] = exports, ["coverage"] = coverage }));
        var assets = p["declared_assets"];
        var activity = invoiced + exports + p["purchases_total_12m"] + p["imports_12m"];
        var ratio = Stats.Ratio(assets, activity);
        if (assets >= rules.MinAssetsMinor && (activity == 0 || ratio > rules.MaxAssetsToActivity))
            flags.Add(new ShellFlag("assets_without_activity", false,
                $"declared assets {Major(assets)} against 12m trading activity (sales, purchases, customs) of {Major(activity)}",
                new Dictionary<string, double> { ["declared_assets_minor"] = assets, ["activity_minor"] = activity, ["assets_to_activity"] = ratio }));
    }

    private static void StatusClaims(Company company, Portrait p, ShellRules rules, List<ShellFlag> flags)
    {
        var exports = p["export_declarations_12m"];
        if (company.ClaimsExporter && exports == 0)
            flags.Add(new ShellFlag("exporter_without_customs", false, "claims to be an exporter but filed no export declaration in 12m",
                new Dictionary<string, double> { ["export_declarations"] = exports }));
        var invoices = p["sales_invoice_count_12m"];
        var parties = p["sales_counterparties_12m"];
        if (company.SpecialisedSme && (invoices < rules.MinSpecialisedInvoices || parties < rules.MinSpecialisedCounterparties))
            flags.Add(new ShellFlag("specialised_sme_without_activity", false,
                $"claims specialised-SME status but issued {invoices:0} invoices to {parties:0} customers in 12m",
                new Dictionary<string, double> { ["sales_invoices"] = invoices, ["customers"] = parties }));
    }

    private static void ThinFootprint(Portrait p, ShellRules rules, List<ShellFlag> flags)
    {
        var declared = p["declared_revenue_12m"];
        if (declared < rules.MinDeclaredRevenueMinor) return;
        var employees = p["employees_mean_12m"];
        var payroll = Stats.Ratio(p["payroll_12m"], declared);
        var tax = p["tax_to_revenue_12m"];
        if ((employees <= 1 || payroll < rules.MaxThinPayrollToRevenue) && tax < rules.MaxThinTaxToRevenue)
            flags.Add(new ShellFlag("thin_staff_and_tax", false,
                $"declares {Major(declared)} revenue in 12m with a mean head count of {employees:0.#}, payroll {Pct(payroll)} and taxes {Pct(tax)} of revenue",
                new Dictionary<string, double> { ["employees"] = employees, ["payroll_to_revenue"] = payroll, ["tax_to_revenue"] = tax }));
    }

    /// <summary>Minor units as a major-unit amount with two decimals (exact: integer division, no floating point).</summary>
    internal static string Major(double minor)
    {
        var m = checked((long)minor);
        var sign = m < 0 ? "-" : "";
        var abs = Math.Abs(m);
        return $"{sign}{(abs / 100).ToString("N0", CultureInfo.InvariantCulture)}.{abs % 100:D2}";
    }

    private static string Pct(double ratio) => double.IsNaN(ratio) ? "n/a" : (ratio * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}

/// <summary>A cycle of invoices among related companies through one company, and the least flow on its edges.</summary>
internal sealed record RelatedCycle(IReadOnlyList<string> Path, long FlowMinor);

/// <summary>Finds the shortest invoice cycle through a company using only edges between members of its group.</summary>
internal static class RelatedCycles
{
    public static RelatedCycle? Find(PortraitBuilder builder, string companyId, DateOnly asOf)
    {
        var group = builder.Company(companyId).GroupId;
        if (group is null) return null;
        var from = asOf.AddMonths(-12);
        bool Related(string id) => builder.Contains(id) && builder.Company(id).GroupId == group;
        var edges = builder.Feeds.Invoices.Where(i => i.Date >= from && i.Date < asOf && i.Seller != i.Buyer && Related(i.Seller) && Related(i.Buyer))
            .GroupBy(i => (i.Seller, i.Buyer)).ToDictionary(g => g.Key, g => Stats.Sum(g.Select(i => i.AmountMinor)));
        var next = edges.Keys.ToLookup(k => k.Seller, k => k.Buyer, StringComparer.Ordinal);
        // Breadth-first from the company's buyers back to the company: the first arrival is a shortest cycle.
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        foreach (var b in next[companyId].Order(StringComparer.Ordinal)) { parent[b] = companyId; queue.Enqueue(b); }
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            if (node == companyId) break;
            foreach (var b in next[node].Order(StringComparer.Ordinal))
            {
                if (parent.ContainsKey(b)) continue;
                parent[b] = node;
                queue.Enqueue(b);
            }
        }
        if (!parent.TryGetValue(companyId, out var last)) return null;
        var path = new List<string> { companyId };
        for (var n = last; n != companyId; n = parent[n]) path.Add(n);
        path.Add(companyId);
        path.Reverse();
        var flow = Enumerable.Range(0, path.Count - 1).Min(k => edges[(path[k], path[k + 1])]);
        return new RelatedCycle(path, flow);
    }
}
