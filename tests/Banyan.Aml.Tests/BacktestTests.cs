using System.Text.Json;
using Banyan.Aml.RuleSets;
using Banyan.Platform;

namespace Banyan.Aml.Tests;

[Collection("console")]
public class BacktestTests
{
    [Fact]
    public async Task A_stricter_candidate_drops_the_three_deposit_burst_and_the_diff_says_so()
    {
        using var bank = new TestBank().Customer("S1").Customer("S2");
        for (var i = 0; i < 3; i++) bank.Txn(TestBank.T0.AddHours(i), "CASH", "S1", 4_500_000, "cash");
        for (var i = 0; i < 4; i++) bank.Txn(TestBank.T0.AddHours(i), "CASH", "S2", 4_500_000, "cash");
        bank.WriteFiles();
        var rules = Path.Combine(bank.Directory, "candidate.json");
        await File.WriteAllTextAsync(rules, """{"id":"cn-strict","version":2,"parameters":{"structuring_min_deposits":4}}""");

        var (code, stdout, stderr) = await CliTests.Run("aml", "backtest", "--rules", rules, "--customers", bank.CustomersPath, "--transactions", bank.TransactionsPath, "--json");

        Assert.Equal(0, code);
        using var report = JsonDocument.Parse(stdout);
        var structuring = report.RootElement.GetProperty("typologies").EnumerateArray().Single(t => t.GetProperty("typology").GetString() == "STRUCTURING");
        Assert.Equal(2, structuring.GetProperty("baseline_alerts").GetInt32());
        Assert.Equal(1, structuring.GetProperty("candidate_alerts").GetInt32());
        Assert.Equal(1, structuring.GetProperty("removed").GetInt32());
        Assert.Equal(0, structuring.GetProperty("added").GetInt32());
        Assert.Equal("cn-strict@2", report.RootElement.GetProperty("candidate").GetString());
        Assert.Contains("removed STRUCTURING S1:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_candidate_with_a_typology_switched_off_reports_zero_alerts_for_it()
    {
        using var bank = new TestBank().Customer("S1");
        for (var i = 0; i < 3; i++) bank.Txn(TestBank.T0.AddHours(i), "CASH", "S1", 4_500_000, "cash");
        bank.WriteFiles();
        var rules = Path.Combine(bank.Directory, "candidate.json");
        await File.WriteAllTextAsync(rules, """{"id":"no-structuring","version":1,"enabled":["FAN_IN","FAN_OUT"]}""");

        var (code, stdout, _) = await CliTests.Run("aml", "backtest", "--rules", rules, "--customers", bank.CustomersPath, "--transactions", bank.TransactionsPath, "--json");

        Assert.Equal(0, code);
        using var report = JsonDocument.Parse(stdout);
        Assert.Equal(1, report.RootElement.GetProperty("baseline_alerts").GetInt32());
        Assert.Equal(0, report.RootElement.GetProperty("candidate_alerts").GetInt32());
    }

    [Fact]
    public async Task A_generated_bank_backtested_against_itself_keeps_recall_and_changes_nothing()
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-aml-bt-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            new Generator(new GeneratorOptions(Customers: 300, Transactions: 6_000, Seed: 3, CasesPerTypology: 2)).Write(directory);
            var rules = Path.Combine(directory, "same.json");
            await File.WriteAllTextAsync(rules, """{"id":"same","version":1}""");

            var (code, stdout, _) = await CliTests.Run("aml", "backtest", "--rules", rules, "--from", directory, "--json");

            Assert.Equal(0, code);
            using var report = JsonDocument.Parse(stdout);
            Assert.Equal(0, report.RootElement.GetProperty("added").GetInt32());
            Assert.Equal(0, report.RootElement.GetProperty("removed").GetInt32());
            Assert.All(report.RootElement.GetProperty("typologies").EnumerateArray(), t => Assert.True(t.GetProperty("candidate_recall").GetDouble() >= 0.9, t.ToString()));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("""{"id":"x","version":1,"parameters":{"no_such_key":1}}""")]
    [InlineData("""{"id":"x","version":0}""")]
    [InlineData("""{"id":"Bad Id","version":1}""")]
    [InlineData("""{"id":"x","version":1,"enabled":["NOT_A_TYPOLOGY"]}""")]
    [InlineData("""{"id":"x","version":1,"parameters":{"structuring_lower_percent":150}}""")]
    public void Invalid_rule_sets_are_refused_with_the_reason(string json) =>
        Assert.Throws<FormatException>(() => RuleSet.Parse(json));

    [Fact]
    public async Task Backtest_without_rules_is_a_usage_error()
    {
        var e = await Assert.ThrowsAsync<CliUsageException>(() => CliTests.Run("aml", "backtest", "--from", "/nonexistent"));
        Assert.Contains("--rules", e.Message, StringComparison.Ordinal);
    }
}
