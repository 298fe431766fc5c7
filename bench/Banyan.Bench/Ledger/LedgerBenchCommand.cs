using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Banyan.Bench.Ledger;

/// <summary>Settings of <c>banyan bench ledger</c>.</summary>
public sealed class LedgerBenchSettings : CommandSettings
{
    /// <summary>Print one JSON document on stdout instead of tables.</summary>
    [CommandOption("--json")]
    public bool Json { get; init; }

    /// <summary>Small counts so a run takes well under a minute (figures are noisier).</summary>
    [CommandOption("--quick")]
    public bool Quick { get; init; }

    /// <summary>Transfers for the in-process engine (row 1).</summary>
    [CommandOption("--transfers <N>")]
    public long? Transfers { get; init; }

    /// <summary>Transfers over the bulk path from a separate process (row 2).</summary>
    [CommandOption("--bulk-transfers <N>")]
    public long? BulkTransfers { get; init; }

    /// <summary>Transfers as REST JSON batches from a separate process (row 3).</summary>
    [CommandOption("--rest-transfers <N>")]
    public long? RestTransfers { get; init; }

    /// <summary>Transfers on the PostgreSQL baseline (row 4).</summary>
    [CommandOption("--postgres-transfers <N>")]
    public long? PostgresTransfers { get; init; }

    /// <summary>Journal of rows 1 and 5: <c>file</c> (default) or <c>postgres</c> (needs --postgres or BANYAN_BENCH_POSTGRES).</summary>
    [CommandOption("--journal <KIND>")]
    [DefaultValue("file")]
    public string Journal { get; init; } = "file";

    /// <summary>Accounts the workload spreads over.</summary>
    [CommandOption("--accounts <N>")]
    [DefaultValue(10_000)]
    public int Accounts { get; init; } = 10_000;

    /// <summary><c>uniform</c>, <c>zipf</c> or <c>both</c>.</summary>
    [CommandOption("--workload <NAME>")]
    [DefaultValue("both")]
    public string Workload { get; init; } = "both";

    /// <summary>Requests in flight from the client process.</summary>
    [CommandOption("--concurrency <N>")]
    [DefaultValue(4)]
    public int Concurrency { get; init; } = 4;

    /// <summary>Concurrent PostgreSQL connections for the baseline.</summary>
    [CommandOption("--postgres-connections <N>")]
    [DefaultValue(16)]
    public int PostgresConnections { get; init; } = 16;

    /// <summary>PostgreSQL connection string (else env <c>BANYAN_BENCH_POSTGRES</c>); the baseline is skipped without one.</summary>
    [CommandOption("--postgres <CONNECTION>")]
    public string? Postgres { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (Workload is not ("uniform" or "zipf" or "both")) return ValidationResult.Error("--workload must be uniform, zipf or both");
        if (Journal is not ("file" or "postgres")) return ValidationResult.Error("--journal must be file or postgres");
        if (Accounts < 2 || Concurrency is < 1 or > 64 || PostgresConnections is < 1 or > 256) return ValidationResult.Error("--accounts ≥ 2, --concurrency 1..64, --postgres-connections 1..256");
        foreach (var n in new[] { Transfers, BulkTransfers, RestTransfers, PostgresTransfers })
        {
            if (n is < 1 or > 200_000_000) return ValidationResult.Error("transfer counts must be between 1 and 200,000,000");
        }
        return ValidationResult.Success();
    }
}

/// <summary>
/// <c>banyan bench ledger</c>: the five figures of the ledger issue for a uniform and a Zipf
/// workload — in-process durable engine, bulk path from a separate process, REST JSON from a
/// separate process, the PostgreSQL stored-procedure baseline (with the ratio), and restart replay
/// speed with resident memory per million transfers. Progress goes to stderr.
/// </summary>
public sealed class LedgerBenchCommand : AsyncCommand<LedgerBenchSettings>
{
    /// <summary>Environment variable with the baseline's PostgreSQL connection string.</summary>
    public const string PostgresVariable = "BANYAN_BENCH_POSTGRES";

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, LedgerBenchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var plan = BenchPlan.From(settings, Environment.GetEnvironmentVariable(PostgresVariable));
        if (plan.Journal == "postgres" && plan.Postgres is null)
        {
            Console.Error.WriteLine($"--journal postgres needs a PostgreSQL server: --postgres or {PostgresVariable}");
            return 2;
        }
        var progress = Console.Error;
        var report = new LedgerBenchReport(MachineInfo.Describe(), plan.PostgresSkippedReason);
        foreach (var workload in plan.Workloads)
        {
            report.Workloads.Add(await LedgerBenchRunner.RunWorkloadAsync(plan, workload, progress, cancellationToken));
        }
        if (settings.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(report, LedgerBenchReport.JsonOptions));
        }
        else
        {
            report.Render(ReportConsole());
        }
        return 0;
    }

    /// <summary>The terminal, or — when stdout is redirected to a file — a plain console wide enough for the tables.</summary>
    private static IAnsiConsole ReportConsole()
    {
        if (!Console.IsOutputRedirected) return AnsiConsole.Console;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        console.Profile.Width = 120;
        return console;
    }
}

/// <summary>Resolved counts and options of one bench run.</summary>
internal sealed record BenchPlan(
    long Transfers, long BulkTransfers, long RestTransfers, long PostgresTransfers, int Accounts, int Concurrency,
    int PostgresConnections, string? Postgres, string? PostgresSkippedReason, IReadOnlyList<LedgerWorkload> Workloads, string Journal)
{
    public static BenchPlan From(LedgerBenchSettings s, string? postgresFromEnvironment)
    {
        var postgres = string.IsNullOrWhiteSpace(s.Postgres) ? postgresFromEnvironment : s.Postgres;
        var skipped = string.IsNullOrWhiteSpace(postgres)
            ? $"no PostgreSQL connection string (--postgres or {LedgerBenchCommand.PostgresVariable})"
            : null;
        LedgerWorkload[] workloads = s.Workload switch
        {
            "uniform" => [LedgerWorkload.Uniform],
            "zipf" => [LedgerWorkload.Zipf],
            _ => [LedgerWorkload.Uniform, LedgerWorkload.Zipf],
        };
        return new BenchPlan(
            s.Transfers ?? (s.Quick ? 300_000 : 2_000_000),
            s.BulkTransfers ?? (s.Quick ? 200_000 : 1_000_000),
            s.RestTransfers ?? (s.Quick ? 100_000 : 300_000),
            s.PostgresTransfers ?? (s.Quick ? 2_000 : 20_000),
            s.Accounts, s.Concurrency, s.PostgresConnections, postgres, skipped, workloads, s.Journal);
    }
}
