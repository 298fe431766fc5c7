using System.Text.Json;
using Banyan.Credit.Portraits;

namespace Banyan.Credit.Tests.Portraits;

/// <summary>A small hand-made feed set whose features can be computed by hand.</summary>
internal static class HandFeeds
{
    public static readonly DateOnly AsOf = new(2026, 7, 1);

    public static Feeds Build() => new()
    {
        Companies = [new Company("A", "A Ltd", "wholesale", "east", null, false, false, 10_000_00, new DateOnly(2020, 1, 1))],
        Invoices =
        [
            new Invoice("i1", "A", "X", new DateOnly(2026, 4, 10), 600_00, 78_00),
            new Invoice("i2", "A", "Y", new DateOnly(2026, 5, 10), 300_00, 39_00),
            new Invoice("i3", "A", "X", new DateOnly(2026, 6, 10), 100_00, 13_00),
            new Invoice("i0", "A", "X", new DateOnly(2026, 2, 10), 500_00, 65_00), // prior 3m window
            new Invoice("p1", "S", "A", new DateOnly(2026, 5, 1), 400_00, 52_00),
        ],
        TaxFilings =
        [
            new TaxFiling("A", new DateOnly(2026, 4, 1), 600_00, 10_00, 5_00, 2, 100_00),
            new TaxFiling("A", new DateOnly(2026, 5, 1), 300_00, 10_00, 5_00, 2, 100_00),
            new TaxFiling("A", new DateOnly(2026, 6, 1), 100_00, 10_00, 5_00, 2, 100_00),
        ],
        Customs = [new CustomsDeclaration("c1", "A", new DateOnly(2026, 6, 1), "export", "DE", 1000_00)],
        Orders = [new SupplyOrder("o1", "A", "X", new DateOnly(2026, 6, 1), 200_00, 150_00)],
        Receivables =
        [
            new Receivable("r1", "A", "X", new DateOnly(2026, 4, 10), new DateOnly(2026, 5, 10), 600_00, new DateOnly(2026, 5, 20)),
            new Receivable("r2", "A", "Y", new DateOnly(2026, 6, 10), new DateOnly(2026, 6, 20), 100_00, null),
        ],
        Ledger = [new LedgerFlow("X", "A", new DateOnly(2026, 5, 20), 600_00)],
    };
}

public class PortraitTests
{
    [Fact]
    public void Portrait_has_at_least_200_distinct_documented_features()
    {
        var (feeds, _) = FeedGenerator.Generate(new GeneratorOptions { Companies = 15 });
        var builder = new PortraitBuilder(feeds);
        var a = builder.Build("SME00012", builder.LatestAsOf());
        var b = builder.Build("SME00004", builder.LatestAsOf());
        Assert.True(a.Features.Count >= 200, $"only {a.Features.Count} features");
        Assert.Equal(a.Features.Count, a.Features.Select(f => f.Name).Distinct().Count());
        Assert.All(a.Features, f => Assert.False(string.IsNullOrWhiteSpace(f.Description)));
        Assert.Equal(a.Features.Select(f => f.Name), b.Features.Select(f => f.Name));
        Assert.All(a.Features.Where(f => f.Unit == FeatureUnit.Money && !double.IsNaN(f.Value)), f => Assert.Equal(Math.Round(f.Value), f.Value));
    }

    [Fact]
    public void Window_features_match_hand_computed_values()
    {
        var p = new PortraitBuilder(HandFeeds.Build()).Build("A", HandFeeds.AsOf);
        Assert.Equal(1000_00, p["sales_total_3m"]);
        Assert.Equal(3, p["sales_invoice_count_3m"]);
        Assert.Equal(0.7 * 0.7 + 0.3 * 0.3, p["sales_hhi_3m"], 12);
        Assert.Equal(0.7, p["sales_top1_share_3m"], 12);
        Assert.Equal(1.0, p["sales_growth_3m"], 12); // 1000 against 500 in Jan–Mar
        Assert.Equal(1500_00, p["sales_total_6m"]);
        Assert.Equal(0.6, p["gross_margin_proxy_3m"], 12);
        Assert.Equal(1.0, p["invoice_to_revenue_3m"], 12);
        Assert.Equal(0.045, p["tax_to_revenue_3m"], 12);
        Assert.Equal(0.5, p["export_share_3m"], 12);
        Assert.Equal(0.75, p["order_fulfilment_3m"], 12);
        // r2 open (100 of 1000 invoiced over 91 days), overdue since 20 June.
        Assert.Equal(100.0 / 1000 * 91, p["dso_3m"], 9);
        Assert.Equal(1.0, p["receivables_overdue_share_3m"], 12);
        Assert.Equal(10, p["receivables_mean_days_late_3m"], 12);
        Assert.Equal(0.6, p["ledger_inflow_to_sales_3m"], 12);
        Assert.Equal(150, p["payroll_per_employee_3m"] / 100, 12);
        Assert.True(double.IsNaN(p["imports_to_purchases_12m"]) || p["imports_to_purchases_12m"] == 0);
    }

    [Fact]
    public void Generator_is_deterministic_and_feeds_round_trip_through_jsonl()
    {
        var dirA = Path.Combine(Path.GetTempPath(), "banyan-feeds-" + Guid.NewGuid().ToString("N")[..8]);
        var dirB = dirA + "b";
        try
        {
            FeedGenerator.Generate(new GeneratorOptions { Seed = 3, Companies = 12 }).Feeds.Write(dirA);
            FeedGenerator.Generate(new GeneratorOptions { Seed = 3, Companies = 12 }).Feeds.Write(dirB);
            foreach (var name in Feeds.FileNames)
                Assert.Equal(File.ReadAllBytes(Path.Combine(dirA, name)), File.ReadAllBytes(Path.Combine(dirB, name)));
            var read = Feeds.Read(dirA);
            var original = FeedGenerator.Generate(new GeneratorOptions { Seed = 3, Companies = 12 }).Feeds;
            Assert.Equal(original.Invoices, read.Invoices);
            Assert.Equal(original.Receivables, read.Receivables);
            Assert.Equal(original.Companies, read.Companies);
        }
        finally
        {
            Directory.Delete(dirA, true);
            Directory.Delete(dirB, true);
        }
    }

    [Fact]
    public void A_feed_with_a_negative_amount_is_refused_whole()
    {
        var feeds = HandFeeds.Build();
        feeds.Invoices.Add(new Invoice("bad", "A", "X", new DateOnly(2026, 6, 1), -1, 0));
        Assert.Throws<InvalidDataException>(feeds.Validate);
        var order = HandFeeds.Build();
        order.Orders.Add(new SupplyOrder("o2", "A", "X", new DateOnly(2026, 6, 1), 10, 11));
        Assert.Throws<InvalidDataException>(order.Validate);
    }
}

[Collection("console")]
public class PortraitCliTests
{
    [Fact]
    public async Task Portrait_json_prints_only_the_document_with_200_plus_features()
    {
        var dir = Path.Combine(Path.GetTempPath(), "banyan-feeds-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var (gen, _, genErr) = await CliHarness.Run("credit", "feeds-generate", "--out", dir, "--seed", "5", "--companies", "12");
            Assert.True(gen == 0, genErr);
            var (code, stdout, stderr) = await CliHarness.Run("credit", "portrait", "--feeds", dir, "--company", "SME00011", "--json");
            Assert.True(code == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            Assert.Equal("SME00011", doc.RootElement.GetProperty("company").GetString());
            Assert.True(doc.RootElement.GetProperty("feature_count").GetInt32() >= 200);
            Assert.Equal(JsonValueKind.Number, doc.RootElement.GetProperty("features").GetProperty("sales_total_12m").ValueKind);
            var (missing, _, err) = await CliHarness.Run("credit", "portrait", "--feeds", dir, "--company", "NOPE", "--json");
            Assert.Equal(2, missing);
            Assert.Contains("NOPE", err, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}

[Collection("console")]
public class ShellCheckCliTests
{
    [Fact]
    public async Task Shell_check_json_lists_planted_shells_with_reasons_and_clears_the_rest()
    {
        var dir = Path.Combine(Path.GetTempPath(), "banyan-feeds-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Assert.Equal(0, (await CliHarness.Run("credit", "feeds-generate", "--out", dir, "--seed", "9", "--companies", "20")).Code);
            var (code, stdout, stderr) = await CliHarness.Run("credit", "shell-check", "--feeds", dir, "--json");
            Assert.True(code == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            var shells = doc.RootElement.GetProperty("companies").EnumerateArray()
                .Where(c => c.GetProperty("is_shell").GetBoolean()).Select(c => c.GetProperty("company").GetString()).ToList();
            Assert.Equal(["SME00001", "SME00002", "SME00003", "SME00004", "SME00005", "SME00006"], shells);
            var first = doc.RootElement.GetProperty("companies")[0].GetProperty("flags")[0];
            Assert.False(string.IsNullOrEmpty(first.GetProperty("reason").GetString()));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}

[Collection("console")]
public class FirstLoanCliTests
{
    [Fact]
    public async Task First_loan_json_reports_held_out_auc_and_accuracy()
    {
        var (code, stdout, stderr) = await CliHarness.Run("credit", "first-loan", "--companies", "120", "--trees", "30", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(36, doc.RootElement.GetProperty("test_rows").GetInt32());
        Assert.InRange(doc.RootElement.GetProperty("auc").GetDouble(), 0.5, 1.0);
        Assert.Equal(10, doc.RootElement.GetProperty("top_features").GetArrayLength());
        Assert.Equal(2, (await CliHarness.Run("credit", "first-loan", "--companies", "5")).Code);
    }

    [Fact]
    public async Task Exported_first_loan_table_trains_a_registry_model_with_credit_train()
    {
        var dir = Path.Combine(Path.GetTempPath(), "banyan-firstloan-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var csv = Path.Combine(dir, "portraits.csv");
            Assert.Equal(0, (await CliHarness.Run("credit", "first-loan", "--companies", "200", "--trees", "10", "--export", csv)).Code);
            var header = File.ReadLines(csv).First().Split(',');
            Assert.Equal(227, header.Length);
            Assert.Equal("bad", header[^1]);
            var (code, stdout, stderr) = await CliHarness.Run("credit", "train", "--data", csv, "--label", "bad", "--bad", "1",
                "--trees", "30", "--folds", "3", "--out", Path.Combine(dir, "model.json"), "--json");
            Assert.True(code == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            Assert.True(doc.RootElement.GetProperty("metrics").GetProperty("cv_auc").GetDouble() > 0.8);
            // Real feeds (no labels) → portrait table → exact SHAP explanations from the trained model.
            var feeds = Path.Combine(dir, "feeds");
            Assert.Equal(0, (await CliHarness.Run("credit", "feeds-generate", "--out", feeds, "--seed", "3", "--companies", "12")).Code);
            var table = Path.Combine(dir, "table.csv");
            var (tcode, _, terr) = await CliHarness.Run("credit", "portrait-table", "--feeds", feeds, "--out", table);
            Assert.True(tcode == 0, terr);
            Assert.Equal(13, File.ReadLines(table).Count());
            var (ecode, eout, eerr) = await CliHarness.Run("credit", "explain", "--model", Path.Combine(dir, "model.json"), "--data", table, "--json");
            Assert.True(ecode == 0, eerr);
            using var explained = JsonDocument.Parse(eout);
            Assert.Equal(12, explained.RootElement.GetProperty("rows").GetArrayLength());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

[Collection("console")]
public class FarmerCliTests
{
    [Fact]
    public async Task Farmer_json_scores_one_farmer_with_reasons()
    {
        var dir = Path.Combine(Path.GetTempPath(), "banyan-farm-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Assert.Equal(0, (await CliHarness.Run("credit", "farm-generate", "--out", dir, "--seed", "8", "--farmers", "40")).Code);
            var (code, stdout, stderr) = await CliHarness.Run("credit", "farmer", "--feeds", dir, "--farmer", "FARM00003", "--train-farmers", "200", "--json");
            Assert.True(code == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            Assert.Equal("FARM00003", doc.RootElement.GetProperty("farmer").GetString());
            Assert.InRange(doc.RootElement.GetProperty("points").GetInt32(), 300, 900);
            Assert.Equal(3, doc.RootElement.GetProperty("reasons").GetArrayLength());
            Assert.True(doc.RootElement.GetProperty("features").TryGetProperty("ndvi_peak_anomaly", out _));
            Assert.Equal(2, (await CliHarness.Run("credit", "farmer", "--feeds", dir, "--farmer", "NOPE")).Code);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
