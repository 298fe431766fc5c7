using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Banyan.Platform;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Banyan.Ledger.Http.Cli;

/// <summary>
/// <c>banyan ledger verify</c>: replays a ledger directory's whole journal, checks every checksum and the
/// hash chain, and compares the replayed state to the newest snapshot and to an optional pinned head.
/// Read-only, so it may run beside a live server. Exit 0 when everything agrees, 1 on any difference.
/// </summary>
internal sealed class VerifyCommand : Command<VerifyCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--data <DIR>")]
        [Description("The server's data directory (the ledger lives in DIR/ledger). Default ./data.")]
        public string Data { get; init; } = "data";

        [CommandOption("--expect-head <PIN>")]
        [Description("A head pinned earlier from GET /v1/ledger/journal/head ('pin' field: sequence:hash@timestamp).")]
        public string? ExpectHead { get; init; }

        [CommandOption("--postgres <CONNECTION>")]
        [Description("Read the journal from this PostgreSQL database (table ledger_journal) instead of DIR/ledger's segment files. Default: Banyan__Ledger__Postgres or ConnectionStrings__Banyan when Banyan__Ledger__Journal=postgres.")]
        public string? Postgres { get; init; }

        [CommandOption("--connection <CONNECTION>")]
        [Description("The read models' PostgreSQL database (default: ConnectionStrings__Banyan; else SQLite DIR/banyan.db when it exists).")]
        public string? Connection { get; init; }

        [CommandOption("--no-read-models")]
        [Description("Do not compare the read models with the replay.")]
        public bool NoReadModels { get; init; }

        [CommandOption("--json")]
        [Description("Print only a JSON report on stdout.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var storage = LedgerCliStorage.Resolve(settings.Data, settings.Postgres, settings.Connection);
        var directory = storage.LedgerDirectory;
        var postgres = storage.JournalPostgres;
        if (postgres is null && !Directory.Exists(directory)) throw new CliUsageException($"no ledger at {directory} (pass --data DIR, or --postgres for the PostgreSQL journal)");
        JournalHead? expected = null;
        if (settings.ExpectHead is not null)
        {
            if (!JournalHead.TryParse(settings.ExpectHead, out var pin)) throw new CliUsageException("--expect-head takes sequence:hash@timestamp as served by GET /v1/ledger/journal/head");
            expected = pin;
        }
        // Read before the replay: the journal only grows, so the replay always reaches the models' sequence.
        var readModel = !settings.NoReadModels && storage.HasReadModels ? ReadReadModels(storage, cancellationToken) : null;
        var report = LedgerVerifier.Verify(directory, new LedgerVerifyOptions { ExpectedHead = expected, PostgresConnectionString = postgres, ReadModel = readModel });
        if (settings.Json) Console.Out.WriteLine(ToJson(report, readModel?.Sequence));
        else Console.Out.Write(report.Describe());
        if (!settings.Json && readModel is not null)
            Console.Out.WriteLine($"read models compared at record {readModel.Sequence}: {readModel.Accounts.Count} accounts, {readModel.Transfers.Count} transfers");
        return report.Ok ? 0 : 1;
    }

    private static LedgerReadModelContents ReadReadModels(LedgerCliStorage storage, CancellationToken cancellationToken)
    {
        using var services = ReadModels.ReadModelDatabase.Services(storage.DataDirectory, storage.ReadModelPostgres);
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.DbContext>();
        return ReadModels.ReadModelDatabase.ReadAsync(db, cancellationToken).GetAwaiter().GetResult();
    }

    private static string ToJson(LedgerVerifyReport report, ulong? readModelSequence)
    {
        var c = CultureInfo.InvariantCulture;
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["ok"] = report.Ok,
            ["records"] = report.Records,
            ["events"] = report.Events,
            ["head"] = report.Head.ToString(),
            ["digest"] = report.Digest.ToString("x32", c),
            ["snapshot_sequence"] = report.SnapshotSequence,
            ["read_model_sequence"] = readModelSequence,
            ["torn_tail_bytes"] = report.TornTailBytes,
            ["problems"] = report.Problems,
            ["problem_file"] = report.ProblemFile,
            ["problem_offset"] = report.ProblemOffset,
            ["seconds"] = Math.Round(report.Seconds, 3),
        });
    }
}
