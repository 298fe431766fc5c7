using System.Text.Json;
using Banyan.RegTech.Catalogue;
using Banyan.RegTech.Reports;
using Banyan.RegTech.Schedule;
using Banyan.RegTech.Warnings;
using Json.Schema;

namespace Banyan.RegTech.Tests;

public class WarningAndReportTests
{
    private static readonly string[] Liquidity = ["cn.lcr", "basel.lcr"];

    [Fact]
    public async Task Lcr_breach_of_the_fixture_bank_raises_a_threshold_alert()
    {
        // 1,500 more of bank deposits: outflows 2,100 against HQLA 1,000 (cash 500 + bonds 500 + nothing else).
        var bank = FixtureBank.Clean().Credit(8421, 1500);
        var set = await bank.ComputeAsync("cn");
        var alerts = new WarningEngine(new WarningOptions()).Evaluate(set.Figures, _ => []);
        var lcr = Assert.Single(alerts, a => a.IndicatorId == "cn.lcr");
        Assert.Equal("breach", lcr.Severity);
        Assert.Contains("below the regulatory minimum", lcr.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clean_fixture_bank_raises_no_liquidity_alert()
    {
        foreach (var profile in IndicatorCatalogue.Profiles)
        {
            var set = await FixtureBank.Clean().ComputeAsync(profile);
            var alerts = new WarningEngine(new WarningOptions()).Evaluate(set.Figures, _ => []);
            Assert.DoesNotContain(alerts, a => Liquidity.Contains(a.IndicatorId));
        }
    }

    [Fact]
    public async Task Falling_trend_towards_the_minimum_warns_and_a_sudden_jump_is_flagged()
    {
        var set = await FixtureBank.Clean().ComputeAsync("cn");
        var d = FixtureBank.AsOf;
        // LCR today 166.67 %; history falling 40 points a month → reaches 100 % within two months.
        IReadOnlyList<HistoryPoint> Falling(string id) => id == "cn.lcr" ? [new(d.AddMonths(-3), 2.87m), new(d.AddMonths(-2), 2.47m), new(d.AddMonths(-1), 2.07m)] : [];
        var trend = new WarningEngine(new WarningOptions()).Evaluate(set.Figures, Falling);
        Assert.Contains(trend, a => a.IndicatorId == "cn.lcr" && a.Kind == "trend");
        // Flat history at ~3.0 with tiny changes, then 1.67: a jump far beyond 3 σ.
        IReadOnlyList<HistoryPoint> Flat(string id) => id == "cn.lcr"
            ? Enumerable.Range(1, 8).Select(i => new HistoryPoint(d.AddMonths(-9 + i), 3.00m + (i % 2 == 0 ? 0.01m : -0.01m))).ToList() : [];
        var jump = new WarningEngine(new WarningOptions()).Evaluate(set.Figures, Flat);
        Assert.Contains(jump, a => a.IndicatorId == "cn.lcr" && a.Kind == "jump");
        Assert.DoesNotContain(new WarningEngine(new WarningOptions()).Evaluate(set.Figures, _ => []), a => a.IndicatorId == "cn.lcr");
    }

    [Theory]
    [InlineData("basel")]
    [InlineData("cn")]
    public async Task Report_package_validates_against_its_schema_and_carries_the_data_hash(string profile)
    {
        var set = await FixtureBank.Clean().ComputeAsync(profile);
        var report = ReportBuilder.Build(new ReportInput(set, [], _ => [], 1, "c1", "m1", "CNY", "TEST-BANK"));
        var schema = JsonSchema.FromText(Resources.ReadText("package-schema.json"));
        var metadata = report.Files.Single(f => f.Name == "package/metadata.json").Content;
        var result = schema.Evaluate(JsonDocument.Parse(metadata).RootElement);
        Assert.True(result.IsValid, JsonSerializer.Serialize(result) + metadata);
        Assert.Equal(ReportBuilder.Sha256(report.Files.Single(f => f.Name == "figures.csv").Content), report.DataHash);
        using var doc = JsonDocument.Parse(metadata);
        foreach (var table in doc.RootElement.GetProperty("tables").EnumerateObject())
            Assert.Contains(report.Files, f => f.Name == "package/" + table.Value.GetProperty("url").GetString());
        if (profile == "basel") Assert.Contains(report.Files, f => f.Name == "package/C_01_00.csv");
        var html = report.Files.Single(f => f.Name == "summary.html").Content;
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_package_missing_its_tables_fails_the_schema()
    {
        var set = await FixtureBank.Clean().ComputeAsync("basel");
        var report = ReportBuilder.Build(new ReportInput(set, [], _ => [], 1, "c1", "m1", "CNY", "TEST-BANK"));
        var node = System.Text.Json.Nodes.JsonNode.Parse(report.Files.Single(f => f.Name == "package/metadata.json").Content)!.AsObject();
        node.Remove("tables");
        var schema = JsonSchema.FromText(Resources.ReadText("package-schema.json"));
        Assert.False(schema.Evaluate(JsonDocument.Parse(node.ToJsonString()).RootElement).IsValid);
    }

    [Theory]
    [InlineData("daily", "2026-07-01T00:00:00Z", "2026-06-30")]
    [InlineData("monthly", "2026-07-01T00:00:00Z", "2026-06-30")]
    [InlineData("monthly", "2026-07-02T00:00:00Z", null)]
    [InlineData("quarterly", "2026-07-01T00:00:00Z", "2026-06-30")]
    [InlineData("quarterly", "2026-08-01T00:00:00Z", null)]
    public void Scheduler_runs_each_frequency_at_its_period_end(string frequency, string instant, string? expected)
    {
        var due = RegTechScheduler.DueAt(frequency, DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, due?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
    }
}
