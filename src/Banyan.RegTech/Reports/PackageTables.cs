using Banyan.RegTech.Compute;

namespace Banyan.RegTech.Reports;

internal sealed record PackageRow(string Row, Figure Figure);

internal sealed record PackageTable(string Code, string Title, IReadOnlyList<PackageRow> Rows);

/// <summary>
/// The tables of a package. Basel: templates in the spirit of COREP C 01.00 (own funds), C 02.00 (own
/// funds requirements) and C 03.00 (capital ratios), then liquidity, large exposures and the rest.
/// China: one table per indicator category, in the spirit of the NFRA 1104 returns (G4A capital,
/// G11 asset quality, G25 liquidity …). Every figure of the profile appears in exactly one table.
/// </summary>
internal static class PackageTables
{
    private static readonly (string Code, string Title, (string Row, string Id)[] Rows)[] Basel =
    [
        ("C_01_00", "Own funds", [("r010", "total_capital"), ("r015", "tier1_capital"), ("r020", "cet1_capital"), ("r030", "cet1_gross"), ("r290", "cet1_deductions"), ("r530", "at1_capital"), ("r750", "tier2_capital")]),
        ("C_02_00", "Own funds requirements", [("r010", "rwa_total"), ("r040", "rwa_credit"), ("r041", "rwa_corporate"), ("r042", "rwa_inclusive_sme"), ("r043", "rwa_consumer"), ("r044", "rwa_mortgage"), ("r045", "rwa_green"), ("r046", "rwa_related"), ("r050", "rwa_off_balance"), ("r590", "rwa_operational")]),
        ("C_03_00", "Capital ratios", [("r010", "cet1_ratio"), ("r020", "cet1_available_for_buffers"), ("r030", "tier1_ratio"), ("r050", "total_capital_ratio"), ("r060", "capital_surplus")]),
    ];

    public static IReadOnlyList<PackageTable> For(FigureSet set)
    {
        var byId = set.Figures.ToDictionary(f => f.Indicator.Id);
        var used = new HashSet<string>();
        var tables = new List<PackageTable>();
        if (set.Profile == Catalogue.IndicatorCatalogue.ProfileBasel)
        {
            foreach (var (code, title, rows) in Basel)
            {
                var list = rows.Where(r => byId.ContainsKey("basel." + r.Id)).Select(r => new PackageRow(r.Row, byId["basel." + r.Id])).ToList();
                used.UnionWith(list.Select(r => r.Figure.Indicator.Id));
                tables.Add(new PackageTable(code, title, list));
            }
        }
        var prefix = set.Profile.ToUpperInvariant();
        foreach (var group in set.Figures.Where(f => !used.Contains(f.Indicator.Id)).GroupBy(f => f.Indicator.Category))
        {
            var rows = group.Select((f, i) => new PackageRow("r" + ((i + 1) * 10).ToString("000", System.Globalization.CultureInfo.InvariantCulture), f)).ToList();
            tables.Add(new PackageTable($"{prefix}_{group.Key.ToUpperInvariant()}", group.Key.Replace('_', ' '), rows));
        }
        return tables;
    }
}
