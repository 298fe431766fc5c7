using Banyan.Credit.Portraits;

namespace Banyan.Credit.Tests.Portraits;

public sealed class GeneratedFeeds
{
    public GeneratedFeeds()
    {
        (Feeds, Truth) = FeedGenerator.Generate(new GeneratorOptions { Seed = 11, Companies = 80 });
        Builder = new PortraitBuilder(Feeds);
        AsOf = Builder.LatestAsOf();
    }

    internal Feeds Feeds { get; }
    internal IReadOnlyDictionary<string, CompanyTruth> Truth { get; }
    internal PortraitBuilder Builder { get; }
    internal DateOnly AsOf { get; }
}

public class ShellDetectorTests(GeneratedFeeds data) : IClassFixture<GeneratedFeeds>
{
    [Theory]
    [InlineData("SME00001")]
    [InlineData("SME00002")]
    [InlineData("SME00003")]
    public void Planted_shell_is_flagged_with_the_figures_that_betray_it(string id)
    {
        var report = ShellDetector.Check(data.Builder, id, data.AsOf);
        Assert.True(report.IsShell);
        var revenue = Assert.Single(report.Flags, f => f.Code == "revenue_without_invoices");
        Assert.True(revenue.Figures["coverage"] < 0.05);
        Assert.Contains("declared revenue", revenue.Reason, StringComparison.Ordinal);
        Assert.Contains(report.Flags, f => f.Code == "exporter_without_customs");
        Assert.Contains(report.Flags, f => f.Code == "specialised_sme_without_activity");
        Assert.Contains(report.Flags, f => f.Code == "thin_staff_and_tax");
    }

    [Theory]
    [InlineData("SME00004")]
    [InlineData("SME00005")]
    [InlineData("SME00006")]
    public void Related_party_ring_is_flagged_as_circular_trading_with_the_cycle(string id)
    {
        var report = ShellDetector.Check(data.Builder, id, data.AsOf);
        Assert.True(report.IsShell);
        var flag = Assert.Single(report.Flags, f => f.Code == "circular_related_trading");
        Assert.Equal(3, flag.Figures["cycle_length"]);
        Assert.True(flag.Figures["share_of_sales"] > 0.9);
        Assert.DoesNotContain(report.Flags, f => f.Code == "revenue_without_invoices"); // its claims match its invoices
    }

    [Theory]
    [InlineData("SME00007")] // sells every month to a related subsidiary: related, but no cycle
    [InlineData("SME00008")]
    [InlineData("SME00009")] // small, specialised, claims match activity
    public void Near_misses_are_not_flagged(string id)
    {
        var report = ShellDetector.Check(data.Builder, id, data.AsOf);
        Assert.False(report.IsShell, string.Join("; ", report.Flags.Select(f => f.Reason)));
        Assert.Empty(report.Flags);
        Assert.Null(RelatedCycles.Find(data.Builder, id, data.AsOf));
    }

    [Fact]
    public void No_generated_trading_company_is_flagged()
    {
        var flagged = data.Truth.Where(t => t.Value.Archetype is Archetype.Healthy or Archetype.Struggling or Archetype.Exporter)
            .Select(t => ShellDetector.Check(data.Builder, t.Key, data.AsOf)).Where(r => r.IsShell).ToList();
        Assert.True(flagged.Count == 0, string.Join("\n", flagged.Select(r => r.Company + ": " + string.Join("; ", r.Flags.Select(f => f.Reason)))));
    }

    [Fact]
    public void Cycle_finder_reports_the_ring_in_order_and_the_smallest_edge_flow()
    {
        var feeds = HandFeeds.Build();
        feeds.Companies.Clear();
        foreach (var id in new[] { "P", "Q", "R", "Z" })
            feeds.Companies.Add(new Company(id, id, "x", "y", id == "Z" ? null : "G", false, false, 0, new DateOnly(2020, 1, 1)));
        feeds.Invoices.Clear();
        feeds.Invoices.AddRange([
            new Invoice("1", "P", "Q", new DateOnly(2026, 5, 1), 500, 0),
            new Invoice("2", "Q", "R", new DateOnly(2026, 5, 2), 300, 0),
            new Invoice("3", "R", "P", new DateOnly(2026, 5, 3), 400, 0),
            new Invoice("4", "P", "Z", new DateOnly(2026, 5, 3), 999, 0),
            new Invoice("5", "Z", "P", new DateOnly(2026, 5, 4), 999, 0), // Z is not related: this loop does not count
        ]);
        var cycle = RelatedCycles.Find(new PortraitBuilder(feeds), "P", HandFeeds.AsOf);
        Assert.NotNull(cycle);
        Assert.Equal(["P", "Q", "R", "P"], cycle.Path);
        Assert.Equal(300, cycle.FlowMinor);
        feeds.Invoices.RemoveAt(2);
        Assert.Null(RelatedCycles.Find(new PortraitBuilder(feeds), "P", HandFeeds.AsOf));
    }

    [Theory]
    [InlineData(3545_45, false)] // (1,500 invoiced + 1,000 exported) / 4,545.45 declared = 55 %
    [InlineData(4555_56, true)] // … / 5,555.56 declared = 45 %
    public void Revenue_coverage_just_above_the_threshold_passes_and_just_below_flags(long extraDeclared, bool flagged)
    {
        var feeds = HandFeeds.Build();
        feeds.TaxFilings.Add(new TaxFiling("A", new DateOnly(2026, 3, 1), extraDeclared, 20_00, 20_00, 2, 100_00));
        var report = ShellDetector.Check(new PortraitBuilder(feeds), "A", HandFeeds.AsOf, new ShellRules { MinDeclaredRevenueMinor = 1 });
        Assert.Equal(flagged, report.IsShell);
        Assert.Equal(flagged, report.Flags.Any(f => f.Code == "revenue_without_invoices"));
        if (flagged) Assert.Contains("45.0%", report.Flags[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Money_in_reasons_is_printed_exactly_from_minor_units()
    {
        Assert.Equal("1,234,567.05", ShellDetector.Major(123_456_705));
        Assert.Equal("-0.07", ShellDetector.Major(-7));
    }
}
