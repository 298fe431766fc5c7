using System.ComponentModel;
using System.Diagnostics;
using Banyan.Ledger.Http.ReadModels;
using Banyan.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Banyan.Ledger.Http.Cli;

/// <summary>
/// <c>banyan ledger reproject</c>: deletes every read-model row (<c>ledger_accounts</c>, <c>ledger_transfers</c>,
/// <c>ledger_balance_history</c>, <c>ledger_expirations</c>, <c>ledger_projection_state</c>; never the
/// journal) and rebuilds them by running the projector over the whole journal stream. Needs the
/// server on this data directory stopped (the engine's directory lock says so). Idempotent.
/// </summary>
internal sealed class ReprojectCommand : AsyncCommand<ReprojectCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--data <DIR>")]
        [Description("The (stopped) server's data directory. Default ./data.")]
        public string Data { get; init; } = "data";

        [CommandOption("--postgres <CONNECTION>")]
        [Description("The PostgreSQL journal's database (default: from Banyan__Ledger__Journal/Postgres in the environment; else the file journal).")]
        public string? Postgres { get; init; }

        [CommandOption("--connection <CONNECTION>")]
        [Description("The read models' PostgreSQL database (default: ConnectionStrings__Banyan; else SQLite DIR/banyan.db).")]
        public string? Connection { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var storage = LedgerCliStorage.Resolve(settings.Data, settings.Postgres, settings.Connection);
        if (!storage.HasReadModels) throw new CliUsageException($"no read models at {storage.DataDirectory} (no banyan.db; pass --connection for PostgreSQL)");
        var clock = Stopwatch.StartNew();
        var result = await RunAsync(storage, cancellationToken);
        Console.Out.WriteLine($"reprojected journal records 1..{result.Sequence}: {result.Accounts} accounts, {result.Transfers} transfers in {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    internal readonly record struct Result(ulong Sequence, int Accounts, int Transfers);

    internal static async Task<Result> RunAsync(LedgerCliStorage storage, CancellationToken cancellationToken)
    {
        LedgerEngine engine;
        try
        {
            engine = LedgerEngine.Open(storage.EngineOptions());
        }
        catch (IOException e) when (e.Message.Contains("already open", StringComparison.Ordinal))
        {
            throw new CliUsageException($"the ledger in {storage.LedgerDirectory} is in use: stop the server on this data directory first");
        }
        await using (engine)
        await using (var services = ReadModelDatabase.Services(storage.DataDirectory, storage.ReadModelPostgres))
        {
            await using (var scope = services.CreateAsyncScope())
            {
                await ReadModelDatabase.ClearAsync(scope.ServiceProvider.GetRequiredService<DbContext>(), cancellationToken);
            }
            var projector = ActivatorUtilities.CreateInstance<LedgerProjector>(services, engine);
            var head = engine.JournalHead.Sequence;
            if (head > 0)
            {
                await foreach (var commit in engine.SubscribeAsync(1, cancellationToken))
                {
                    await projector.ProjectAsync(commit, cancellationToken);
                    if (commit.Sequence >= head) break;
                }
            }
            await using var check = services.CreateAsyncScope();
            var contents = await ReadModelDatabase.ReadAsync(check.ServiceProvider.GetRequiredService<DbContext>(), cancellationToken);
            return new Result(contents.Sequence, contents.Accounts.Count, contents.Transfers.Count);
        }
    }
}
