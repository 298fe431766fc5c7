namespace Banyan.Aml.Tests;

public class InputTests
{
    private static readonly DateTime T0 = TestBank.T0;

    [Fact]
    public void Malformed_lines_are_reported_with_file_and_line_and_skipped()
    {
        using var bank = new TestBank().Customer("A1");
        bank.Txn(T0, "EXT", "A1", 100);                    // line 1: fine
        bank.RawTransactionLine("{not json");               // line 2
        bank.RawTransactionLine("""{"transaction_id":"T9","timestamp":"2026-03-01T00:00:00Z","debit_account":"A1","credit_account":"B","amount_minor":12.5,"currency":"CNY","channel":"cash"}""");
        bank.RawTransactionLine("""{"transaction_id":"T8","timestamp":"yesterday","debit_account":"A1","credit_account":"B","amount_minor":1,"currency":"CNY","channel":"cash"}""");
        bank.RawTransactionLine("""{"transaction_id":"T7","timestamp":"2026-03-01T00:00:00Z","debit_account":"A1","credit_account":"B","amount_minor":1,"currency":"CNY","channel":"crypto"}""");
        bank.RawTransactionLine("""{"transaction_id":"T00001","timestamp":"2026-03-01T00:00:00Z","debit_account":"A1","credit_account":"B","amount_minor":1,"currency":"CNY","channel":"cash"}""");
        bank.RawTransactionLine("""{"transaction_id":"T6","timestamp":"2026-03-01T00:00:00Z","debit_account":"A1","credit_account":"B","amount_minor":1,"currency":"USD","channel":"cash"}""");
        bank.RawTransactionLine("""{"transaction_id":"T5","timestamp":"2026-03-01T00:00:00Z","debit_account":"A1","credit_account":"A1","amount_minor":1,"currency":"CNY","channel":"cash"}""");
        bank.RawTransactionLine("[1,2,3]");
        bank.RawTransactionLine("");                        // blank lines are not errors
        bank.Txn(T0.AddHours(1), "EXT", "A1", 200);        // still read after the errors
        var log = new StringWriter();
        bank.WriteFiles();
        var result = Scanner.Run(new ScanOptions(bank.CustomersPath, bank.TransactionsPath, null, bank.AlertsPath, null, new AmlConfig(), false), log);
        Assert.Equal(2, result.Transactions);
        Assert.Equal(8, result.MalformedLines);
        var text = log.ToString();
        foreach (var line in new[] { 2, 3, 4, 5, 6, 7, 8, 9 }) Assert.Contains($"transactions.jsonl:{line}:", text, StringComparison.Ordinal);
        Assert.Contains("duplicate transaction_id T00001", text, StringComparison.Ordinal);
        Assert.Contains("amount_minor must be an integer", text, StringComparison.Ordinal);
        Assert.Contains("currency is not CNY", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Absurd_amounts_times_and_overlong_lines_are_malformed_lines_not_crashes()
    {
        using var bank = new TestBank().Customer("A1");
        bank.RawTransactionLine("""{"transaction_id":"T1","timestamp":"2026-03-01T00:00:00Z","debit_account":"A1","credit_account":"B","amount_minor":9223372036854775807,"currency":"CNY","channel":"cash"}""");
        bank.RawTransactionLine("""{"transaction_id":"T2","timestamp":"0001-01-01T00:00:00Z","debit_account":"A1","credit_account":"B","amount_minor":1,"currency":"CNY","channel":"cash"}""");
        bank.RawTransactionLine("{\"transaction_id\":\"T3\",\"note\":\"" + new string('x', JsonlLines.MaxLineBytes + 10) + "\"}");
        bank.Txn(T0, "EXT", "A1", 100);
        var log = new StringWriter();
        bank.WriteFiles();
        var result = Scanner.Run(new ScanOptions(bank.CustomersPath, bank.TransactionsPath, null, bank.AlertsPath, null, new AmlConfig(), false), log);
        Assert.Equal(1, result.Transactions);
        Assert.Equal(3, result.MalformedLines);
        Assert.Contains("transactions.jsonl:1: amount_minor above the limit", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("transactions.jsonl:2: timestamp outside", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("transactions.jsonl:3: line longer than", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Strict_refuses_the_scan_at_the_first_malformed_line()
    {
        using var bank = new TestBank().Customer("A1");
        bank.Txn(T0, "EXT", "A1", 100);
        bank.RawTransactionLine("{\"transaction_id\":");
        var error = Assert.Throws<AmlInputException>(() => bank.Scan(strict: true));
        Assert.Contains("transactions.jsonl:2:", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(bank.AlertsPath));
    }

    [Fact]
    public void A_malformed_customer_line_is_skipped_and_its_accounts_stay_external()
    {
        using var bank = new TestBank().Customer("A1");
        bank.WriteFiles();
        File.AppendAllLines(bank.CustomersPath, ["""{"customer_id":"C2","name":"x","type":"robot","accounts":[{"account_id":"A2"}]}""", """{"customer_id":"C3","type":"individual","accounts":[{"account_id":"A1"}]}"""]);
        var log = new StringWriter();
        var result = Scanner.Run(new ScanOptions(bank.CustomersPath, bank.TransactionsPath, null, bank.AlertsPath, null, new AmlConfig(), false), log);
        Assert.Equal(1, result.Customers);
        Assert.Equal(2, result.MalformedLines);
        Assert.Contains("customers.jsonl:2: type must be", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("customers.jsonl:3: account A1 already belongs to customer C-A1", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Transactions_in_any_order_give_the_same_alerts()
    {
        using var ordered = new TestBank().Customer("S1");
        using var shuffled = new TestBank().Customer("S1");
        var times = new[] { 0, 5, 10 };
        foreach (var h in times) ordered.Txn(T0.AddHours(h), "CASH", "S1", 4_500_000, "cash");
        foreach (var h in times.Reverse()) shuffled.Txn(T0.AddHours(h), "CASH", "S1", 4_500_000, "cash");
        Assert.Single(ordered.Alerts(Typology.Structuring));
        Assert.Single(shuffled.Alerts(Typology.Structuring));
    }

    [Fact]
    public void Config_file_overrides_defaults_and_refuses_unknown_keys()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{ "fan_in_min_distinct": 3, "high_risk_countries": ["KP", "SY"] }""");
            var config = AmlConfig.Load(path);
            Assert.Equal(3, config.FanInMinDistinct);
            Assert.Equal(5_000_000, config.CashReportingThresholdMinor);
            Assert.Equal(["KP", "SY"], config.HighRiskCountries);
            File.WriteAllText(path, """{ "fan_in_min_distinctt": 3 }""");
            Assert.Throws<FormatException>(() => AmlConfig.Load(path));
            File.WriteAllText(path, """{ "structuring_lower_percent": 120 }""");
            Assert.Throws<FormatException>(() => AmlConfig.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
