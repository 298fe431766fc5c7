using System.Diagnostics;
using System.Globalization;
using Banyan.Ledger.Http.Cli;
using Banyan.Ledger.Http.ReadModels;
using Banyan.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Banyan.Ledger.Http.Tests.ReadModels;

/// <summary><c>banyan ledger reproject</c> and the read-model comparison of <c>banyan ledger verify</c> on a stopped server's data directory (SQLite read models).</summary>
/// <remarks>In the host collection: the verify commands here and there redirect Console.Out, so they must not run in parallel.</remarks>
[Collection(LedgerHostCollection.Name)]
public sealed class ReprojectTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "banyan-reproject-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Reproject_rebuilds_the_same_read_models_twice_and_verify_catches_a_deleted_read_model_row()
    {
        var (accounts, transfers) = await RunServerWithWorkloadAsync();

        var storage = LedgerCliStorage.Resolve(_data, journalPostgres: null, readModelConnection: null);
        var first = await ReprojectCommand.RunAsync(storage, CancellationToken.None);
        var second = await ReprojectCommand.RunAsync(storage, CancellationToken.None);
        Assert.Equal((accounts, transfers), (first.Accounts, first.Transfers));
        Assert.Equal(first, second);

        var (ok, okOutput) = await VerifyAsync("--data", _data);
        Assert.True(ok == 0, okOutput);
        Assert.Contains("read models compared at record " + first.Sequence.ToString(CultureInfo.InvariantCulture), okOutput, StringComparison.Ordinal);

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "banyan.db")}"))
        {
            await connection.OpenAsync();
            await using var delete = new SqliteCommand("DELETE FROM ledger_transfers WHERE id = (SELECT min(id) FROM ledger_transfers)", connection);
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
        }
        var (bad, badOutput) = await VerifyAsync("--data", _data);
        Assert.Equal(1, bad);
        Assert.Contains("the read models hold", badOutput, StringComparison.Ordinal);

        await ReprojectCommand.RunAsync(storage, CancellationToken.None);
        var (again, againOutput) = await VerifyAsync("--data", _data);
        Assert.True(again == 0, againOutput);
    }

    private async Task<(int Accounts, int Transfers)> RunServerWithWorkloadAsync()
    {
        Directory.CreateDirectory(_data);
        await using var app = BanyanServer.Build(["--urls", "http://127.0.0.1:0", "--data", _data]);
        await app.StartAsync();
        var engine = app.Services.GetRequiredService<LedgerEngine>();
        var before = engine.Statistics;
        var accounts = Enumerable.Range(1, 6).Select(i => new Account { Id = (UInt128)(900_000 + i), Ledger = 1, Code = 1, Flags = i == 1 ? AccountFlags.History : AccountFlags.None }).ToArray();
        Assert.All(await engine.CreateAccountsAsync(accounts), r => Assert.Equal(CreateAccountResult.Created, r));
        var transfers = new List<Transfer>();
        for (var i = 0; i < 40; i++)
        {
            transfers.Add(new Transfer
            {
                Id = (UInt128)(910_000 + i), DebitAccountId = (UInt128)(900_001 + i % 6), CreditAccountId = (UInt128)(900_001 + (i + 1) % 6),
                Amount = (UInt128)(i + 1), Ledger = 1, Code = 1, Flags = i % 9 == 0 ? TransferFlags.Pending : TransferFlags.None,
            });
        }
        transfers.Add(new Transfer { Id = 920_000, PendingId = 910_000, Amount = UInt128.MaxValue, Flags = TransferFlags.PostPendingTransfer });
        transfers.Add(new Transfer { Id = 920_001, PendingId = 910_009, Flags = TransferFlags.VoidPendingTransfer });
        await engine.CreateTransfersAsync(transfers.ToArray());
        var projector = app.Services.GetRequiredService<LedgerProjector>();
        var target = engine.Statistics.DurableSequence;
        var clock = Stopwatch.StartNew();
        while (projector.ProjectedSequence < target)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"projector stuck at {projector.ProjectedSequence} < {target}");
            await Task.Delay(5);
        }
        var after = engine.Statistics;
        return (after.Accounts, checked((int)after.Transfers));
    }

    private static async Task<(int Code, string Output)> VerifyAsync(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(c => c.AddCommand<VerifyCommand>("verify"));
        var stdout = Console.Out;
        using var capture = new StringWriter(CultureInfo.InvariantCulture);
        Console.SetOut(capture);
        try
        {
            var code = await app.RunAsync(["verify", .. args]);
            return (code, capture.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
        }
    }
}
