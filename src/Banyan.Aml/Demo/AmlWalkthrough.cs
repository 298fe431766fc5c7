using Banyan.Platform;
using Spectre.Console;

namespace Banyan.Aml.Demo;

/// <summary>
/// The AML part of <c>banyan demo</c>: generates a small synthetic bank with planted cases, runs the
/// same scan as <c>banyan aml scan</c> over its files, shows what a reviewer would see, then imports the alerts over HTTP and works one case; finally the real-time path: transfers posted through the ledger API raise alerts and show in the network view.
/// </summary>
internal static class AmlWalkthrough
{
    public static async Task RunAsync(DemoContext demo, CancellationToken cancellationToken)
    {
        var console = demo.Console;
        var directory = Path.Combine(Path.GetTempPath(), "banyan-aml-demo-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var generator = new Generator(new GeneratorOptions(Customers: 300, Transactions: 20_000, Seed: 7, CasesPerTypology: 2));
            generator.Write(directory);
            cancellationToken.ThrowIfCancellationRequested();
            var scan = Scanner.Run(new ScanOptions(
                Path.Combine(directory, "customers.jsonl"), Path.Combine(directory, "transactions.jsonl"), Path.Combine(directory, "sanctions.csv"),
                Path.Combine(directory, "alerts.jsonl"), Path.Combine(directory, "large_value.jsonl"), new AmlConfig(), Strict: true), null);
            console.MarkupLineInterpolated($"Scanned a synthetic bank: {scan.Transactions:N0} transactions ({generator.PlantedTransactions:N0} of them planted laundering), every typology on, in {scan.Seconds:0.00} s  [grey](banyan aml scan)[/]");
            var table = new Table().AddColumns("typology", "alerts");
            foreach (var group in scan.AlertList.GroupBy(a => a.Typology).OrderBy(g => g.Key, StringComparer.Ordinal))
                table.AddRow(group.Key, group.Count().ToString(System.Globalization.CultureInfo.InvariantCulture));
            console.Write(table);
            foreach (var alert in scan.AlertList.GroupBy(a => a.Typology).Select(g => g.First()).Take(3))
                console.MarkupLineInterpolated($"  [bold]{alert.Typology}[/] (score {alert.Score:0.00}): {alert.Reason}");
            console.MarkupLineInterpolated($"Large-value transaction reports (PBoC rules), written apart from the alerts: {scan.LargeValueReports}");
            if (scan.AlertList.Count == 0) throw new InvalidOperationException("the AML scan raised no alert on a bank with planted cases");
            await CaseWalkthrough.RunAsync(demo, Path.Combine(directory, "alerts.jsonl"), cancellationToken);
            await LiveWalkthrough.RunAsync(demo, Path.Combine(directory, "sanctions.csv"), cancellationToken);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
