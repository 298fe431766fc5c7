using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Banyan.Ledger.Client;
using Banyan.Testing;

namespace Banyan.Ledger.Http.Tests;

/// <summary>
/// Two real server processes on one PostgreSQL journal (BANYAN_TEST_POSTGRES): the leader is killed
/// with SIGKILL under load, the standby takes over within 10 s, and every acknowledged transfer is
/// there with consistent balances.
/// </summary>
public sealed class FailoverTests : IAsyncLifetime
{
    private const string ClientId = "failover-test";
    private const string ClientSecret = "failover-test-secret-0123456789abcdef";
    private const int Accounts = 50;
    private const int Callers = 32;
    private const int KillAfterAcknowledged = 3_000;
    private static readonly TimeSpan TakeoverBound = TimeSpan.FromSeconds(10);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "banyan-failover-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentDictionary<UInt128, Transfer> _attempted = new();
    private readonly ConcurrentDictionary<UInt128, byte> _acknowledged = new();

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private static Dictionary<string, string> PostgresJournal(string connection) => new()
    {
        ["Banyan__Ledger__Journal"] = "postgres",
        ["Banyan__Ledger__Postgres"] = connection,
    };

    private static LedgerClient Connect(ServerProcess server) => new(new LedgerClientOptions
    {
        BaseAddress = server.BaseAddress,
        ClientId = ClientId,
        ClientSecret = ClientSecret,
        MaxConcurrentRequests = 4,
        RequestTimeout = TimeSpan.FromSeconds(20),
    });

    [SkippableFact]
    public async Task Leader_killed_with_sigkill_is_replaced_by_the_standby_within_10_s_and_no_acknowledged_transfer_is_lost()
    {
        await using var database = await TemporaryPostgresDatabase.CreateAsync("banyan_failover");
        var environment = PostgresJournal(database.ConnectionString);
        await using var leader = await ServerProcess.StartAsync(Path.Combine(_root, "a"), ClientId, ClientSecret, environment);
        await using var standby = await ServerProcess.StartAsync(Path.Combine(_root, "b"), ClientId, ClientSecret, environment);
        Assert.Contains("role=leader", await ReadinessAsync(leader));
        Assert.Contains("role=standby", await ReadinessAsync(standby));
        await WritesToTheStandbyAreRefusedWithTheLeaderAsync(standby, leader);

        await using (var client = Connect(leader))
        {
            var accounts = Enumerable.Range(1, Accounts).Select(i => new Account { Id = (UInt128)i, Ledger = 1, Code = 1 }).ToArray();
            Assert.All(await client.CreateAccountsAsync(accounts), r => Assert.Equal(CreateAccountResult.Created, r));
            await LoadAndKillAsync(client, leader);
        }
        var watch = Stopwatch.StartNew();
        while (!(await ReadinessAsync(standby)).Contains("role=leader", StringComparison.Ordinal))
        {
            Assert.True(watch.Elapsed < TakeoverBound, $"no takeover within {TakeoverBound.TotalSeconds} s:\n{standby.RecentOutput()}");
            await Task.Delay(50);
        }
        await using var survivor = Connect(standby);
        await VerifyAsync(survivor, standby);
        var extra = new Transfer { Id = UInt128.MaxValue - 1, DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 7 };
        Assert.Equal(CreateTransferResult.Created, await survivor.CreateTransferAsync(extra));
    }

    private static async Task WritesToTheStandbyAreRefusedWithTheLeaderAsync(ServerProcess standby, ServerProcess leader)
    {
        using var http = new HttpClient { BaseAddress = standby.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(http));
        using var content = new StringContent("""[{"id":"900","ledger":1,"code":1}]""", System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("v1/ledger/accounts", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(leader.BaseAddress.ToString().TrimEnd('/'), problem.RootElement.GetProperty("leader").GetString());
        Assert.Equal("standby", problem.RootElement.GetProperty("role").GetString());
    }

    private static async Task<string> TokenAsync(HttpClient http)
    {
        using var form = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", ClientId), new("client_secret", ClientSecret), new("scope", "ledger")]);
        using var response = await http.PostAsync(new Uri("connect/token", UriKind.Relative), form);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    private static async Task<string> ReadinessAsync(ServerProcess server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            return await http.GetStringAsync(new Uri("health/ready", UriKind.Relative));
        }
        catch (HttpRequestException e)
        {
            return e.Message; // not ready (503) or not answering yet: not a leader either way
        }
    }

    private async Task LoadAndKillAsync(LedgerClient client, ServerProcess leader)
    {
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var unexpected = new ConcurrentBag<string>();
        var callers = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var random = new Random(caller);
            for (var i = 0; i < 10_000; i++)
            {
                var debit = random.Next(1, Accounts + 1);
                var credit = debit % Accounts + 1;
                var transfer = new Transfer { Id = (UInt128)(ulong)(caller * 1_000_000 + i + 1), DebitAccountId = (UInt128)debit, CreditAccountId = (UInt128)credit, Amount = (UInt128)random.Next(1, 1_000), Ledger = 1, Code = 7 };
                _attempted[transfer.Id] = transfer;
                CreateTransferResult result;
                try
                {
                    result = await client.CreateTransferAsync(transfer);
                }
                catch (LedgerClientException)
                {
                    return; // the leader is gone: this call's outcome is unknown, which the check allows
                }
                if (result != CreateTransferResult.Created) unexpected.Add(result.Name());
                _acknowledged[transfer.Id] = 0;
                if (_acknowledged.Count >= KillAfterAcknowledged) enough.TrySetResult();
            }
        })).ToArray();
        await Task.WhenAny(enough.Task, Task.WhenAll(callers));
        var midLoad = callers.Count(c => !c.IsCompleted);
        leader.Kill();
        Assert.True(midLoad > 0, "the kill came after the load had finished");
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Empty(unexpected);
    }

    private async Task VerifyAsync(LedgerClient client, ServerProcess server)
    {
        var found = new Dictionary<UInt128, Transfer>();
        foreach (var chunk in _attempted.Keys.Chunk(LedgerClient.MaxBatchEvents))
        {
            foreach (var t in await client.LookupTransfersAsync(chunk)) found[t.Id] = t;
        }
        var lost = _acknowledged.Keys.Where(id => !found.ContainsKey(id)).Take(5).ToList();
        Assert.True(lost.Count == 0, $"acknowledged transfers lost in the failover: {string.Join(", ", lost)}\n{server.RecentOutput()}");
        var debits = new UInt128[Accounts + 1];
        var credits = new UInt128[Accounts + 1];
        foreach (var t in found.Values)
        {
            debits[(int)t.DebitAccountId] += t.Amount;
            credits[(int)t.CreditAccountId] += t.Amount;
        }
        foreach (var a in await client.LookupAccountsAsync(Enumerable.Range(1, Accounts).Select(i => (UInt128)i).ToArray()))
        {
            Assert.Equal(debits[(int)a.Id], a.DebitsPosted);
            Assert.Equal(credits[(int)a.Id], a.CreditsPosted);
        }
    }
}
