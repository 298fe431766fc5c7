using System.Text.Json;
using Banyan.Aml.Live;
using Banyan.Aml.RuleSets;

namespace Banyan.Aml.Tests;

/// <summary>Backtesting a rule-set version on the host's own ledger journal: over HTTP while it runs, from its data directory when stopped.</summary>
public sealed class JournalBacktestTests
{
    [Fact]
    public async Task A_stricter_structuring_rule_backtested_on_the_journal_removes_the_three_deposit_alert_over_http_and_offline()
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-aml-jbt-" + Guid.NewGuid().ToString("N"));
        var (till, three, four) = (LiveSupport.NewId(), LiveSupport.NewId(), LiveSupport.NewId());
        try
        {
            JsonElement report;
            var host = new AmlHostFixture { DataDirectory = directory, KeepData = true };
            try
            {
                await host.InitializeAsync();
                await LiveSupport.CreateAccountsAsync(host.Services, till, three, four);
                await LiveSupport.RegisterAsync(host.Api, till, null, "external", channel: "cash");
                await LiveSupport.RegisterAsync(host.Api, three, "JB3", "individual");
                await LiveSupport.RegisterAsync(host.Api, four, "JB4", "individual");
                await LiveSupport.TransferAsync(host.Services, [(till, three, 4_500_000), (till, three, 4_600_000), (till, three, 4_700_000)]);
                await LiveSupport.TransferAsync(host.Services, [(till, four, 4_500_000), (till, four, 4_600_000), (till, four, 4_700_000), (till, four, 4_800_000)]);
                Assert.Equal(201, (await host.Api.PostJsonAsync("v1/aml/rules", """{"id":"strict","version":1,"parameters":{"structuring_min_deposits":4}}""")).Status);

                int status;
                (status, report) = await host.Api.PostJsonAsync("v1/aml/rules/strict/versions/1/backtest", "{}");
                Assert.Equal(200, status);
                Assert.Equal(404, (await host.Api.PostJsonAsync("v1/aml/rules/strict/versions/2/backtest", "{}")).Status);
            }
            finally
            {
                await host.DisposeAsync();
            }

            Assert.Equal(("default@0", "strict@1"), (report.GetProperty("baseline").GetString(), report.GetProperty("candidate").GetString()));
            var structuring = report.GetProperty("typologies").EnumerateArray().Single(t => t.GetProperty("typology").GetString() == "STRUCTURING");
            Assert.Equal((2, 1, 0, 1), (structuring.GetProperty("baseline_alerts").GetInt32(), structuring.GetProperty("candidate_alerts").GetInt32(),
                structuring.GetProperty("added").GetInt32(), structuring.GetProperty("removed").GetInt32()));
            var removed = Assert.Single(report.GetProperty("removed_examples").EnumerateArray());
            Assert.Equal(three.ToString(), removed.GetProperty("subject_account").GetString());
            Assert.Equal(7, report.GetProperty("transactions").GetInt64());

            var log = new StringWriter();
            var offline = await JournalFile.BacktestAsync(Path.Combine(directory, "ledger"), Path.Combine(directory, "banyan.db"),
                RuleSet.Parse("""{"id":"strict","version":1,"parameters":{"structuring_min_deposits":4}}"""), null, log, CancellationToken.None);
            static string Counts(JsonElement rows) => string.Join(';', rows.EnumerateArray().Select(t =>
                $"{t.GetProperty("typology")}:{t.GetProperty("baseline_alerts")}/{t.GetProperty("candidate_alerts")}/{t.GetProperty("added")}/{t.GetProperty("removed")}"));
            var offlineRows = JsonSerializer.SerializeToElement(offline["typologies"], AmlConfig.Json);
            Assert.Equal(Counts(report.GetProperty("typologies")), Counts(offlineRows));
            Assert.Contains("STRUCTURING", log.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
