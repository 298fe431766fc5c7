using System.Collections.Concurrent;
using Banyan.Ledger.Client;

namespace Banyan.Ledger.Http.Tests;

/// <summary>
/// kill -9 during concurrent load: every acknowledged transfer survives, and every account's
/// balances equal the sum of the transfers that exist.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private const string ClientId = "crash-test";
    private const string ClientSecret = "crash-test-secret-0123456789abcdef";
    private const int Accounts = 200;
    private const int Callers = 128;
    private const int MaxTransfersPerCaller = 2_000;
    private const int KillAfterAcknowledged = 15_000;
    private const int Rounds = 2;

    private readonly string _data = Path.Combine(Path.GetTempPath(), "banyan-crash-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentDictionary<UInt128, Transfer> _attempted = new();
    private readonly ConcurrentDictionary<UInt128, byte> _acknowledged = new();

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_data);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private static LedgerClient Connect(ServerProcess server) => new(new LedgerClientOptions
    {
        BaseAddress = server.BaseAddress,
        ClientId = ClientId,
        ClientSecret = ClientSecret,
        MaxConcurrentRequests = 4,
        RequestTimeout = TimeSpan.FromSeconds(20),
    });

    [Fact]
    public async Task Kill_9_under_load_loses_no_acknowledged_transfer_and_balances_match_the_transfers()
    {
        for (var round = 0; round < Rounds; round++)
        {
            await using var server = await ServerProcess.StartAsync(_data, ClientId, ClientSecret);
            await using (var client = Connect(server))
            {
                if (round == 0) await CreateAccountsAsync(client);
                await LoadAndKillAsync(client, server, round);
            }
        }

        await using var restarted = await ServerProcess.StartAsync(_data, ClientId, ClientSecret);
        await using var verifier = Connect(restarted);
        await VerifyAsync(verifier, restarted);
    }

    private static async Task CreateAccountsAsync(LedgerClient client)
    {
        var accounts = Enumerable.Range(1, Accounts).Select(i => new Account { Id = (UInt128)i, Ledger = 1, Code = 1 }).ToArray();
        var results = await client.CreateAccountsAsync(accounts);
        Assert.All(results, r => Assert.Equal(CreateAccountResult.Created, r));
    }

    private async Task LoadAndKillAsync(LedgerClient client, ServerProcess server, int round)
    {
        var target = _acknowledged.Count + KillAfterAcknowledged;
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var unexpected = new ConcurrentBag<string>();
        var callers = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var random = new Random(round * 1_000 + caller);
            for (var i = 0; i < MaxTransfersPerCaller; i++)
            {
                var transfer = NewTransfer(random, round, caller, i);
                _attempted[transfer.Id] = transfer;
                CreateTransferResult result;
                try
                {
                    result = await client.CreateTransferAsync(transfer);
                }
                catch (LedgerClientException)
                {
                    return; // The server is gone: this call's outcome is unknown, which the check allows.
                }
                if (result != CreateTransferResult.Created) unexpected.Add(result.Name());
                _acknowledged[transfer.Id] = 0;
                if (_acknowledged.Count >= target) enough.TrySetResult();
            }
        })).ToArray();

        await Task.WhenAny(enough.Task, Task.WhenAll(callers));
        var midLoad = callers.Count(c => !c.IsCompleted);
        server.Kill();
        Assert.True(midLoad > 0, "the kill came after the load had finished");
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Empty(unexpected);
        Assert.True(_acknowledged.Count >= target, $"load ended before the kill: {_acknowledged.Count} acknowledged\n{server.RecentOutput()}");
    }

    private static Transfer NewTransfer(Random random, int round, int caller, int i)
    {
        var debit = random.Next(1, Accounts + 1);
        var credit = random.Next(1, Accounts);
        if (credit >= debit) credit++;
        return new Transfer
        {
            Id = ((UInt128)(ulong)(round + 1) << 64) | (ulong)(caller * 1_000_000 + i + 1),
            DebitAccountId = (UInt128)debit,
            CreditAccountId = (UInt128)credit,
            Amount = (UInt128)random.Next(1, 1_000),
            Ledger = 1,
            Code = 7,
        };
    }

    private async Task VerifyAsync(LedgerClient client, ServerProcess server)
    {
        var found = new Dictionary<UInt128, Transfer>();
        foreach (var chunk in _attempted.Keys.Chunk(LedgerClient.MaxBatchEvents))
        {
            foreach (var t in await client.LookupTransfersAsync(chunk)) found[t.Id] = t;
        }
        var lost = _acknowledged.Keys.Where(id => !found.ContainsKey(id)).Take(5).ToList();
        Assert.True(lost.Count == 0, $"acknowledged transfers lost after kill -9: {string.Join(", ", lost)}\n{server.RecentOutput()}");

        var debits = new UInt128[Accounts + 1];
        var credits = new UInt128[Accounts + 1];
        foreach (var t in found.Values)
        {
            var sent = _attempted[t.Id];
            Assert.Equal((sent.DebitAccountId, sent.CreditAccountId, sent.Amount), (t.DebitAccountId, t.CreditAccountId, t.Amount));
            debits[(int)t.DebitAccountId] += t.Amount;
            credits[(int)t.CreditAccountId] += t.Amount;
        }
        var ids = Enumerable.Range(1, Accounts).Select(i => (UInt128)i).ToArray();
        var accounts = await client.LookupAccountsAsync(ids);
        Assert.Equal(Accounts, accounts.Length);
        foreach (var a in accounts)
        {
            Assert.Equal(debits[(int)a.Id], a.DebitsPosted);
            Assert.Equal(credits[(int)a.Id], a.CreditsPosted);
            Assert.Equal(UInt128.Zero, a.DebitsPending + a.CreditsPending);
        }
    }
}
