using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Spectre.Console;

namespace Banyan.Bench.Ledger;

/// <summary>The figures of one <c>banyan bench ledger</c> run, as a table or JSON.</summary>
internal sealed class LedgerBenchReport(string machine, string? postgresSkippedReason)
{
    public static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = new UnitAwareSnakeCase(), WriteIndented = true };

    /// <summary>snake_case that keeps units whole (<c>ResidentMiBPerMillion</c> → <c>resident_mib_per_million</c>).</summary>
    private sealed class UnitAwareSnakeCase : JsonNamingPolicy
    {
        public override string ConvertName(string name) => SnakeCaseLower.ConvertName(name.Replace("MiB", "Mib", StringComparison.Ordinal));
    }

    public string Machine { get; } = machine;

    public string? PostgresSkippedReason { get; } = postgresSkippedReason;

    public List<WorkloadReport> Workloads { get; } = [];

    public void Render(IAnsiConsole console)
    {
        console.MarkupLine($"[bold]banyan bench ledger[/]  {Markup.Escape(Machine)}");
        foreach (var w in Workloads)
        {
            var ip = w.InProcess;
            var table = new Table { Title = new TableTitle($"workload: {w.Workload}") }
                .AddColumns("path", "transfers", "per s", "p50 ms", "p99 ms", "B/transfer", "target/s");
            // With --journal postgres rows 1 and 5 ran on the PostgreSQL journal (issue #4 target: 200,000/s).
            var pgJournal = ip.Workload.EndsWith("PostgreSQL journal", StringComparison.Ordinal);
            table.AddRow(pgJournal ? "1 in-process, PG journal" : "1 in-process", N(ip.Transfers), N(ip.TransfersPerSecond), F(ip.BatchLatencyMsP50), F(ip.BatchLatencyMsP99), F(ip.BytesPerTransfer), pgJournal ? "200,000" : "1,000,000");
            AddRemote(table, "2 bulk, remote", w.Bulk, "300,000");
            AddRemote(table, "3 REST, remote", w.Rest, "100,000");
            if (w.Postgres is { } pg)
            {
                table.AddRow("4 PostgreSQL", N(pg.Transfers), N(pg.TransfersPerSecond), F(pg.BatchLatencyMsP50), F(pg.BatchLatencyMsP99), "-", "(÷30)");
            }
            table.AddRow("5 replay", N(ip.ReplayedEvents), N(ip.ReplayTransfersPerSecond), "-", "-", "-", "2,000,000");
            console.Write(table);
            console.MarkupLine($"resident memory {F(ip.ResidentMiBPerMillionTransfers)} MiB per million transfers (managed heap {F(ip.ManagedMiBPerMillionTransfers)}); state machine alone {N(ip.StateMachineTransfersPerSecond)}/s");
            console.MarkupLine($"in-process time: apply {F(ip.WriterApplySeconds)} s, journal write {F(ip.JournalWriteSeconds)} s, fdatasync {F(ip.JournalSyncSeconds)} s in {N(ip.GroupCommits)} group commits of {F(ip.Seconds)} s wall");
            if (w.InProcessOverPostgres is { } a && w.BulkOverPostgres is { } b)
            {
                console.MarkupLine($"Banyan ÷ PostgreSQL: [bold]{a:F0}×[/] in-process, [bold]{b:F0}×[/] bulk from another process (target ≥ 30×)");
            }
        }
        console.MarkupLine("p50/p99: per batch (8,190 transfers) for Banyan, per transfer for PostgreSQL; replay counts events (accounts + transfers).");
        if (PostgresSkippedReason is not null) console.MarkupLine($"[yellow]PostgreSQL baseline skipped:[/] {Markup.Escape(PostgresSkippedReason)}");
    }

    private static void AddRemote(Table table, string path, RemoteRow row, string target)
    {
        var f = row.Figures;
        table.AddRow(path, N(f.Transfers), N(f.TransfersPerSecond), F(f.BatchLatencyMsP50), F(f.BatchLatencyMsP99), F(row.BytesPerTransfer), target);
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
