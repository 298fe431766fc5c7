namespace Banyan.Aml.Tests;

// Changes the reader's static size threshold; kept off the parallel test runner.
[Collection("console")]
public class ParallelReaderTests
{
    [Fact]
    public void Two_thread_parsing_gives_the_same_transactions_alerts_and_line_reports_as_one_thread()
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-aml-par-" + Guid.NewGuid().ToString("N")[..8]);
        var saved = TransactionReader.ParallelThresholdBytes;
        try
        {
            new Generator(new GeneratorOptions(300, 6_000, 3, 3)).Write(directory);
            var transactions = Path.Combine(directory, "transactions.jsonl");
            var lines = File.ReadAllLines(transactions).ToList();
            lines.Insert(10, "{broken");
            lines.Insert(lines.Count - 10, lines[20]); // a duplicate id in the second half
            File.WriteAllLines(transactions, lines);
            (List<string> Alerts, List<string> Log, int Count) Scan(long threshold)
            {
                TransactionReader.ParallelThresholdBytes = threshold;
                var log = new StringWriter();
                var result = Scanner.Run(new ScanOptions(Path.Combine(directory, "customers.jsonl"), transactions, Path.Combine(directory, "sanctions.csv"),
                    Path.Combine(directory, $"alerts-{threshold}.jsonl"), null, new AmlConfig(), false), log);
                var alerts = result.AlertList.Select(a => $"{a.Typology} {result.Bank.Accounts[a.Subject].Id} {string.Join(',', a.TransactionSeqs.Select(s => result.Bank.TransactionIds[s]).Order())}").Order().ToList();
                return (alerts, log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList(), result.Transactions);
            }
            var one = Scan(long.MaxValue);
            var two = Scan(0);
            Assert.Equal(lines.Count - 2, one.Count);
            Assert.Equal(one.Count, two.Count);
            Assert.Equal(one.Log, two.Log);
            Assert.Contains(two.Log, l => l.Contains("transactions.jsonl:11: invalid JSON", StringComparison.Ordinal));
            Assert.Contains(two.Log, l => l.Contains($"transactions.jsonl:{lines.Count - 10}: duplicate transaction_id", StringComparison.Ordinal));
            Assert.NotEmpty(one.Alerts);
            Assert.Equal(one.Alerts, two.Alerts);
        }
        finally
        {
            TransactionReader.ParallelThresholdBytes = saved;
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
