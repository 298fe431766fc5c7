using System.Text.Json;
using Banyan.Platform;
using Spectre.Console.Cli;

namespace Banyan.Aml.Tests;

[CollectionDefinition("console", DisableParallelization = true)]
public sealed class ConsoleCollection;

[Collection("console")]
public class CliTests
{
    internal static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.UseStrictParsing();
            config.PropagateExceptions();
            new AmlModule().ConfigureCli(config);
        });
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            return (await app.RunAsync(args), stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public async Task Scan_with_json_prints_only_a_json_summary_and_writes_contract_alerts()
    {
        using var bank = new TestBank().Customer("S1").Sanction("Ivan Petrov");
        for (var i = 0; i < 3; i++) bank.Txn(TestBank.T0.AddHours(i), "CASH", "S1", 4_500_000, "cash");
        bank.Txn(TestBank.T0, "S1", "EXT", 100, "wire", counterparty: "petrov ivan");
        bank.RawTransactionLine("garbage");
        bank.WriteFiles();
        var (code, stdout, stderr) = await Run("aml", "scan", "--customers", bank.CustomersPath, "--transactions", bank.TransactionsPath,
            "--sanctions", bank.SanctionsPath, "--out", bank.AlertsPath, "--large-value-out", bank.LargeValuePath, "--json");
        Assert.Equal(0, code);
        using var summary = JsonDocument.Parse(stdout);
        Assert.Equal(4, summary.RootElement.GetProperty("transactions").GetInt32());
        Assert.Equal(1, summary.RootElement.GetProperty("malformed_lines").GetInt32());
        Assert.Equal(2, summary.RootElement.GetProperty("alerts").GetInt32());
        Assert.Contains("transactions.jsonl:5:", stderr, StringComparison.Ordinal);
        Assert.Contains("1 malformed line(s)", stderr, StringComparison.Ordinal);
        var alerts = bank.ReadJsonl(bank.AlertsPath);
        Assert.Equal(["SANCTIONS_MATCH", "STRUCTURING"], alerts.Select(a => a.GetProperty("typology").GetString()).Order());
        foreach (var alert in alerts)
        {
            Assert.StartsWith("ALR-", alert.GetProperty("alert_id").GetString(), StringComparison.Ordinal);
            Assert.Equal("S1", alert.GetProperty("subject_account").GetString());
            Assert.Equal("C-S1", alert.GetProperty("customer_id").GetString());
            Assert.InRange(alert.GetProperty("score").GetDouble(), 0, 1);
            Assert.NotEqual(0, alert.GetProperty("transaction_ids").GetArrayLength());
            Assert.False(string.IsNullOrWhiteSpace(alert.GetProperty("reason").GetString()));
        }
    }

    [Fact]
    public async Task Strict_scan_exits_one_and_names_the_line()
    {
        using var bank = new TestBank().Customer("S1");
        bank.RawTransactionLine("{}");
        bank.WriteFiles();
        var (code, stdout, stderr) = await Run("aml", "scan", "--customers", bank.CustomersPath, "--transactions", bank.TransactionsPath, "--out", bank.AlertsPath, "--strict", "--json");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("transactions.jsonl:1: transaction_id is missing", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_out_is_a_usage_error()
    {
        using var bank = new TestBank().Customer("S1");
        bank.WriteFiles();
        var error = await Assert.ThrowsAsync<CliUsageException>(() => Run("aml", "scan", "--customers", bank.CustomersPath, "--transactions", bank.TransactionsPath));
        Assert.Contains("--out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_input_file_is_a_usage_error()
    {
        var error = await Assert.ThrowsAsync<CliUsageException>(() => Run("aml", "scan", "--customers", "/nonexistent/c.jsonl", "--transactions", "/nonexistent/t.jsonl", "--out", "x.jsonl"));
        Assert.Contains("file not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_then_scan_round_trips_through_the_cli()
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-aml-cli-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var (code, stdout, _) = await Run("aml", "generate", "--out", directory, "--customers", "200", "--transactions", "5000", "--cases", "2", "--seed", "7", "--json");
            Assert.Equal(0, code);
            Assert.Equal(5000, JsonDocument.Parse(stdout).RootElement.GetProperty("normal_transactions").GetInt32());
            foreach (var file in new[] { "customers.jsonl", "transactions.jsonl", "sanctions.csv", "ground_truth.jsonl" })
                Assert.True(File.Exists(Path.Combine(directory, file)), file);
            (code, _, _) = await Run("aml", "scan", "--customers", Path.Combine(directory, "customers.jsonl"), "--transactions", Path.Combine(directory, "transactions.jsonl"),
                "--sanctions", Path.Combine(directory, "sanctions.csv"), "--out", Path.Combine(directory, "alerts.jsonl"), "--strict");
            Assert.Equal(0, code);
            Assert.NotEmpty(File.ReadAllLines(Path.Combine(directory, "alerts.jsonl")));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task An_output_path_in_a_missing_directory_is_a_usage_error_before_scanning()
    {
        using var bank = new TestBank().Customer("S1");
        bank.WriteFiles();
        var error = await Assert.ThrowsAsync<CliUsageException>(() => Run("aml", "scan", "--customers", bank.CustomersPath, "--transactions", bank.TransactionsPath, "--out", "/nonexistent-dir/alerts.jsonl"));
        Assert.Contains("output directory not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_config_is_a_usage_error()
    {
        using var bank = new TestBank().Customer("S1");
        bank.WriteFiles();
        var config = Path.Combine(bank.Directory, "bank.json");
        File.WriteAllText(config, """{ "no_such_threshold": 1 }""");
        await Assert.ThrowsAsync<CliUsageException>(() => Run("aml", "scan", "--customers", bank.CustomersPath, "--transactions", bank.TransactionsPath, "--out", bank.AlertsPath, "--config", config));
    }

    [Fact]
    public async Task Bench_aml_under_the_bench_branch_prints_recall_precision_and_throughput()
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.PropagateExceptions();
            config.AddBranch("bench", bench => new AmlModule().ConfigureBench(bench));
        });
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        int code;
        try
        {
            code = await app.RunAsync(["bench", "aml", "--customers", "100", "--transactions", "2000", "--cases", "2", "--json"]);
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
        Assert.Equal(0, code);
        using var report = JsonDocument.Parse(stdout.ToString());
        Assert.True(report.RootElement.GetProperty("transactions_per_second").GetDouble() > 0);
        Assert.Equal(11, report.RootElement.GetProperty("typologies").EnumerateObject().Count());
        Assert.Contains("recall", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_aml_realtime_at_a_steady_rate_parses_the_rate_and_a_tiny_run_stores_alerts()
    {
        var (code, stdout, stderr) = await Run("aml", "bench", "--realtime", "--rate", "300", "--seconds", "1", "--cases", "1", "--json");

        Assert.Equal(0, code);
        using var report = JsonDocument.Parse(stdout);
        Assert.Equal(300, report.RootElement.GetProperty("rate").GetInt32());
        Assert.Equal(300 + 10 * 3, report.RootElement.GetProperty("transfers").GetInt32()); // --cases 1: 10 planted bursts of 3 cash deposits
        Assert.True(report.RootElement.GetProperty("alerts").GetInt32() > 0, stderr);
        Assert.Contains("paced at 300 transfers/s", stderr, StringComparison.Ordinal);
        await Assert.ThrowsAsync<CliUsageException>(() => Run("aml", "bench", "--realtime", "--rate", "0"));
    }

    [Fact]
    public void The_module_is_named_aml_with_scope_aml()
    {
        var module = new AmlModule();
        Assert.Equal("aml", module.Name);
        Assert.Equal(["aml"], module.Scopes);
        Assert.All(typeof(AmlModule).Assembly.GetExportedTypes().Where(t => t != typeof(AmlModule)),
            t => Assert.Equal("Banyan.Aml.Contracts", t.Namespace)); // the facade and the screening contract only
    }
}
