using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Spectre.Console;

namespace Banyan.Bench.Ledger;

/// <summary>The figures of one <c>banyan bench ledger</c> run, as a table or JSON.</summary>
internal sealed class LedgerBenchReport(string machine, string? postgresSkippedReason)
{
    public static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public string Machine { get; } = machine;

    public string? PostgresSkippedReason { get; } = postgresSkippedReason;

    public List<WorkloadReport> Workloads { get; } = [];

    public void Render(IAnsiConsole console)
    {
        console.MarkupLine($"[bold]banyan bench ledger[/]  {Markup.Escape(Machine)}");
        var table = new Table().AddColumns("workload", "path", "transfers", "transfers/s", "batch p50 ms", "batch p99 ms", "bytes/transfer", "target");
        foreach (var w in Workloads)
        {
            var ip = w.InProcess;
            table.AddRow(w.Workload, "1 in-process engine, durable", N(ip.Transfers), N(ip.TransfersPerSecond), F(ip.BatchLatencyMsP50), F(ip.BatchLatencyMsP99), F(ip.BytesPerTransfer), "≥ 1,000,000/s");
            AddRemote(table, w.Workload, "2 bulk path, separate process", w.Bulk, "≥ 300,000/s");
            AddRemote(table, w.Workload, "3 REST JSON, separate process", w.Rest, "≥ 100,000/s");
            if (w.Postgres is { } pg)
            {
                table.AddRow(w.Workload, "4 PostgreSQL stored procedure", N(pg.Transfers), N(pg.TransfersPerSecond), F(pg.BatchLatencyMsP50), F(pg.BatchLatencyMsP99), "-", "Banyan ≥ 30×");
            }
            table.AddRow(w.Workload, "5 restart replay", N(ip.ReplayedEvents), N(ip.ReplayTransfersPerSecond), "-", "-", "-", "≥ 2,000,000/s");
        }
        console.Write(table);
        foreach (var w in Workloads)
        {
            console.MarkupLine($"{w.Workload}: resident memory {F(w.InProcess.ResidentMiBPerMillionTransfers)} MiB per million transfers (managed {F(w.InProcess.ManagedMiBPerMillionTransfers)}); state machine alone {N(w.InProcess.StateMachineTransfersPerSecond)}/s");
            if (w.InProcessOverPostgres is { } a && w.BulkOverPostgres is { } b)
            {
                console.MarkupLine($"{w.Workload}: Banyan ÷ PostgreSQL = [bold]{a:F0}×[/] in-process, [bold]{b:F0}×[/] bulk path from another process (target ≥ 30×)");
            }
        }
        if (PostgresSkippedReason is not null) console.MarkupLine($"[yellow]PostgreSQL baseline skipped:[/] {Markup.Escape(PostgresSkippedReason)}");
    }

    private static void AddRemote(Table table, string workload, string path, RemoteRow row, string target)
    {
        var f = row.Figures;
        table.AddRow(workload, path, N(f.Transfers), N(f.TransfersPerSecond), F(f.BatchLatencyMsP50), F(f.BatchLatencyMsP99), F(row.BytesPerTransfer), target);
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
}

/// <summary>A one-line description of the machine for the report.</summary>
internal static class MachineInfo
{
    public static string Describe()
    {
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} cores ({CpuModel()}), {memory:F0} GiB, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
    }

    private static string CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!File.Exists(cpuInfo)) return RuntimeInformation.ProcessArchitecture.ToString();
        var line = File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}
