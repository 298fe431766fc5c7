using System.Globalization;
using System.Text.Json;

namespace Banyan.Bench.Ledger;

/// <summary>Runs the five rows for one workload.</summary>
internal static class LedgerBenchRunner
{
    private const long RestIdBase = 1L << 40;

    public static async Task<WorkloadReport> RunWorkloadAsync(BenchPlan plan, LedgerWorkload workload, TextWriter progress, CancellationToken ct)
    {
        var name = workload == LedgerWorkload.Zipf ? "zipf" : "uniform";
        progress.WriteLine($"== workload {name}: row 1 and 5, in-process durable engine, {plan.Journal} journal");
        var inProcess = await InProcessLedgerBench.RunAsync(
            new InProcessBenchOptions
            {
                Accounts = plan.Accounts,
                Transfers = plan.Transfers,
                Workload = workload,
                PostgresJournal = plan.Journal == "postgres" ? plan.Postgres : null,
            }, progress, ct);

        progress.WriteLine($"== workload {name}: rows 2 and 3, server and client in separate processes");
        RemoteRow bulk;
        RemoteRow rest;
        await using (var server = await BenchServer.StartAsync(plan.Accounts + 1024, plan.BulkTransfers + plan.RestTransfers + 65_536, progress, ct))
        {
            bulk = await RunClientAsync(server, "bulk", plan.BulkTransfers, 0, plan, name, progress, ct);
            rest = await RunClientAsync(server, "rest", plan.RestTransfers, RestIdBase, plan, name, progress, ct);
        }

        RunFigures? postgres = null;
        if (plan.Postgres is not null)
        {
            progress.WriteLine($"== workload {name}: row 4, PostgreSQL baseline");
            var options = new InProcessBenchOptions { Accounts = plan.Accounts, Transfers = plan.PostgresTransfers, Workload = workload };
            postgres = await PostgresLedgerBench.RunAsync(plan.Postgres, options, plan.PostgresConnections, progress, ct);
        }
        return new WorkloadReport(name, inProcess, bulk, rest, postgres);
    }

    private static async Task<RemoteRow> RunClientAsync(BenchServer server, string mode, long transfers, long idBase, BenchPlan plan, string workload, TextWriter progress, CancellationToken ct)
    {
        var bytesBefore = server.LedgerBytes();
        var output = await SelfProcess.RunAsync(
        [
            "bench", "ledger-client", "--url", server.BaseAddress.ToString(), "--mode", mode,
            "--transfers", transfers.ToString(CultureInfo.InvariantCulture),
            "--accounts", plan.Accounts.ToString(CultureInfo.InvariantCulture),
            "--workload", workload,
            "--concurrency", plan.Concurrency.ToString(CultureInfo.InvariantCulture),
            "--id-base", idBase.ToString(CultureInfo.InvariantCulture),
        ], progress, ct);
        var figures = JsonSerializer.Deserialize<RunFigures>(LastLine(output), RunFigures.Json)
            ?? throw new InvalidOperationException("the bench client printed no figures");
        var bytes = server.LedgerBytes() - bytesBefore;
        progress.WriteLine($"{mode}: {figures.TransfersPerSecond:N0} transfers/s");
        return new RemoteRow(figures, (double)bytes / transfers);
    }

    private static string LastLine(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
}

/// <summary>A separate-process row: the client's figures plus the journal growth it caused.</summary>
internal sealed record RemoteRow(RunFigures Figures, double BytesPerTransfer);

/// <summary>All rows for one workload.</summary>
internal sealed record WorkloadReport(string Workload, InProcessFigures InProcess, RemoteRow Bulk, RemoteRow Rest, RunFigures? Postgres)
{
    /// <summary>In-process engine ÷ PostgreSQL (the issue's ≥ 30× target), null without the baseline.</summary>
    public double? InProcessOverPostgres => Postgres is { TransfersPerSecond: > 0 } p ? InProcess.TransfersPerSecond / p.TransfersPerSecond : null;

    /// <summary>Bulk path from another process ÷ PostgreSQL (both clients are separate processes).</summary>
    public double? BulkOverPostgres => Postgres is { TransfersPerSecond: > 0 } p ? Bulk.Figures.TransfersPerSecond / p.TransfersPerSecond : null;
}
