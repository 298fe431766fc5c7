using System.Diagnostics;
using Banyan.Ledger.Http.ReadModels;
using Banyan.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Banyan.Testing;

namespace Banyan.Ledger.Http.Tests.ReadModels;

/// <summary>The projector on PostgreSQL (BANYAN_TEST_POSTGRES; skipped with the reason when unset outside CI, failing under CI=true).</summary>
public sealed class PostgresReadModelTests
{
    [SkippableFact]
    public async Task Read_models_on_postgres_match_the_engine_and_survive_a_restart_without_duplicates()
    {
        await using var database = await TemporaryPostgresDatabase.CreateAsync("banyan_test");
        var directory = Path.Combine(Path.GetTempPath(), "banyan-ledger-pg-" + Guid.NewGuid().ToString("N"));
        try
        {
            var connection = database.ConnectionString;
            UInt128[] accounts;
            (int, int, int) counts;
            await using (var app = await StartAsync(directory, connection))
            {
                accounts = await WorkloadAsync(app.Services.GetRequiredService<LedgerEngine>());
                await WaitProjectedAsync(app);
                counts = await CheckAgainstEngineAsync(app, accounts);
                Assert.True(counts.Item1 > 0);
            }
            await using (var app = await StartAsync(directory, connection))
            {
                await WaitProjectedAsync(app);
                Assert.Equal(counts, await CheckAgainstEngineAsync(app, accounts));
            }
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    [SkippableFact]
    public async Task On_one_postgres_database_the_journal_and_read_models_coexist_and_reproject_leaves_the_journal_intact()
    {
        await using var database = await TemporaryPostgresDatabase.CreateAsync("banyan_test");
        var directory = Path.Combine(Path.GetTempPath(), "banyan-ledger-pg-" + Guid.NewGuid().ToString("N"));
        try
        {
            var connection = database.ConnectionString;
            UInt128[] accounts;
            (int, int, int) counts;
            JournalHead head;
            await using (var app = await StartAsync(directory, connection, "--Banyan:Ledger:Journal=postgres"))
            {
                var engine = app.Services.GetRequiredService<LedgerEngine>();
                Assert.Equal(LedgerRole.Leader, engine.Cluster.Role);
                accounts = await WorkloadAsync(engine);
                await WaitProjectedAsync(app);
                counts = await CheckAgainstEngineAsync(app, accounts);
                head = engine.JournalHead;
            }
            var storage = Cli.LedgerCliStorage.Resolve(directory, journalPostgres: connection, readModelConnection: connection);
            var result = await Cli.ReprojectCommand.RunAsync(storage, CancellationToken.None);
            Assert.Equal((counts.Item2, counts.Item1), (result.Accounts, result.Transfers));
            var report = LedgerVerifier.Verify(storage.LedgerDirectory, new LedgerVerifyOptions { PostgresConnectionString = connection, ExpectedHead = head });
            Assert.True(report.Ok, report.Describe());
            Assert.Equal(head.Sequence, report.Head.Sequence);
            await using (var app = await StartAsync(directory, connection, "--Banyan:Ledger:Journal=postgres"))
            {
                await WaitProjectedAsync(app);
                Assert.Equal(counts, await CheckAgainstEngineAsync(app, accounts));
            }
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<WebApplication> StartAsync(string directory, string connection, params string[] more)
    {
        Directory.CreateDirectory(directory);
        var app = BanyanServer.Build(["--urls", "http://127.0.0.1:0", "--data", directory, "--ConnectionStrings:Banyan=" + connection, .. more]);
        await app.StartAsync();
        return app;
    }

    private static async Task<UInt128[]> WorkloadAsync(LedgerEngine engine)
    {
        var accounts = new Account[] { new() { Id = 11, Ledger = 1, Code = 1, Flags = AccountFlags.History }, new() { Id = 12, Ledger = 1, Code = 1 }, new() { Id = 13, Ledger = 1, Code = 2 } };
        Assert.All(await engine.CreateAccountsAsync(accounts), r => Assert.Equal(CreateAccountResult.Created, r));
        var transfers = new List<Transfer>();
        for (var i = 0; i < 60; i++)
            transfers.Add(new Transfer { Id = (UInt128)(100 + i), DebitAccountId = (UInt128)(11 + i % 3), CreditAccountId = (UInt128)(11 + (i + 1) % 3), Amount = (UInt128)(i + 1), Ledger = 1, Code = 1, Flags = i % 7 == 0 ? TransferFlags.Pending : TransferFlags.None });
        transfers.Add(new Transfer { Id = 500, DebitAccountId = 11, CreditAccountId = 12, Amount = 1, PendingId = 100, Ledger = 1, Code = 1, Flags = TransferFlags.PostPendingTransfer });
        transfers.Add(new Transfer { Id = 501, DebitAccountId = 12, CreditAccountId = 13, Amount = 8, PendingId = 107, Ledger = 1, Code = 1, Flags = TransferFlags.VoidPendingTransfer });
        await engine.CreateTransfersAsync(transfers.ToArray());
        return [.. accounts.Select(a => a.Id)];
    }

    private static async Task<(int, int, int)> CheckAgainstEngineAsync(WebApplication app, UInt128[] accounts)
    {
        var engine = app.Services.GetRequiredService<LedgerEngine>();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        Assert.True(db.Database.IsNpgsql());
        foreach (var live in await engine.LookupAccountsAsync(accounts))
        {
            var projected = await BalanceQueries.AtAsync(db, live.Id, long.MaxValue, default);
            Assert.Equal(new Balances(live.DebitsPending, live.DebitsPosted, live.CreditsPending, live.CreditsPosted), projected);
        }
        var history = await BalanceQueries.HistoryAsync(db, 11, 1000, null, default);
        var first = (await engine.LookupAccountsAsync(new UInt128[] { 11 }))[0];
        Assert.Equal(new Balances(first.DebitsPending, first.DebitsPosted, first.CreditsPending, first.CreditsPosted), history[^1].Balances);
        return (await db.Set<LedgerTransferRow>().CountAsync(), await db.Set<LedgerAccountRow>().CountAsync(), await db.Set<LedgerBalanceRow>().CountAsync());
    }

    private static async Task WaitProjectedAsync(WebApplication app)
    {
        var projector = app.Services.GetRequiredService<LedgerProjector>();
        var target = app.Services.GetRequiredService<LedgerEngine>().Statistics.DurableSequence;
        var clock = Stopwatch.StartNew();
        while (projector.ProjectedSequence < target)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"projector stuck at {projector.ProjectedSequence} < {target}");
            await Task.Delay(5);
        }
    }
}
