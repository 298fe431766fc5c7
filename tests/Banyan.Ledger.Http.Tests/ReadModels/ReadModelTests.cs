using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Banyan.Ledger.Http.ReadModels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Banyan.Ledger.Http.Tests.ReadModels;

[Collection(LedgerHostCollection.Name)]
public sealed class ReadModelTests(LedgerHostFixture host)
{
    private static int _nextLedger = 9_000;

    private sealed record Workload(uint Ledger, UInt128[] Accounts, Transfer[] Created);

    [Fact]
    public async Task Projected_transfers_equal_a_lookup_of_every_created_transfer_after_a_random_workload()
    {
        var w = await RunWorkloadAsync(seed: 1);
        foreach (var account in w.Accounts)
        {
            var expected = w.Created.Where(t => t.DebitAccountId == account || t.CreditAccountId == account).OrderBy(t => t.Timestamp).ToArray();
            var listed = await PageAllAsync(account, reversed: false, limit: 1000);
            Assert.Equal(expected.Select(Describe), listed.Select(DescribeJson));
        }
    }

    [Fact]
    public async Task Pagination_forwards_and_reversed_never_skips_or_repeats()
    {
        var w = await RunWorkloadAsync(seed: 2);
        foreach (var account in w.Accounts.Take(4))
        {
            var all = (await PageAllAsync(account, reversed: false, limit: 1000)).Select(Id).ToArray();
            var forward = (await PageAllAsync(account, reversed: false, limit: 3)).Select(Id).ToArray();
            var backward = (await PageAllAsync(account, reversed: true, limit: 4)).Select(Id).ToArray();
            Assert.NotEmpty(all);
            Assert.Equal(all, forward);
            Assert.Equal(all.Reverse(), backward);
        }
    }

    [Fact]
    public async Task Paging_while_new_transfers_arrive_lists_every_earlier_transfer_once_in_order()
    {
        var w = await RunWorkloadAsync(seed: 7);
        var account = w.Accounts[2];
        var before = (await PageAllAsync(account, reversed: false, limit: 1000)).Select(Id).ToArray();
        var seen = new List<string>();
        string? after = null;
        for (var page = 0; page < 1000; page++)
        {
            // A newer transfer lands between every two pages.
            await host.Engine.CreateTransfersAsync(new[] { new Transfer { Id = host.NextId(), DebitAccountId = account, CreditAccountId = w.Accounts[3], Amount = 1, Ledger = w.Ledger, Code = 1 } });
            var (_, body, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts/{account}/transfers?limit=5" + (after is null ? "" : "&after=" + after));
            seen.AddRange(body.GetProperty("transfers").EnumerateArray().Select(Id));
            if (body.GetProperty("next_after").ValueKind == JsonValueKind.Null || seen.Count >= before.Length) break;
            after = body.GetProperty("next_after").GetString();
        }
        Assert.Equal(before, seen.Take(before.Length));
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task Balances_without_at_equal_the_engine_and_at_each_timestamp_equal_the_sum_of_transfers_up_to_it()
    {
        var w = await RunWorkloadAsync(seed: 3);
        var live = (await host.Engine.LookupAccountsAsync(w.Accounts)).ToDictionary(a => a.Id);
        foreach (var account in w.Accounts)
        {
            var (_, now, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts/{account}/balances");
            Assert.Equal(Four(live[account]), Four(now));
            var mine = w.Created.Where(t => t.DebitAccountId == account || t.CreditAccountId == account).OrderBy(t => t.Timestamp).ToArray();
            foreach (var t in mine.Where((_, i) => i % 5 == 0))
            {
                var (status, at, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts/{account}/balances?at={t.Timestamp}");
                Assert.Equal(200, status);
                Assert.Equal(Expected(w.Created, account, t.Timestamp), Four(at));
            }
        }
    }

    [Fact]
    public async Task History_accounts_list_one_balance_row_per_transfer_ending_at_the_live_balances()
    {
        var w = await RunWorkloadAsync(seed: 4);
        var account = w.Accounts[0]; // the workload gives the first account the history flag
        var (_, body, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts/{account}/balances");
        var history = body.GetProperty("history").EnumerateArray().ToArray();
        var mine = w.Created.Where(t => t.DebitAccountId == account || t.CreditAccountId == account).OrderBy(t => t.Timestamp).ToArray();
        Assert.Equal(mine.Select(t => t.Timestamp.ToString(CultureInfo.InvariantCulture)), history.Select(h => h.GetProperty("timestamp").GetString()));
        foreach (var h in history.Where((_, i) => i % 4 == 0))
            Assert.Equal(Expected(w.Created, account, ulong.Parse(h.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture)), Four(h));
        var live = (await host.Engine.LookupAccountsAsync(new[] { account }))[0];
        Assert.Equal(Four(live), Four(history[^1]));
        var (_, other, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts/{w.Accounts[1]}/balances");
        Assert.False(other.TryGetProperty("history", out _));
    }

    [Fact]
    public async Task The_in_process_history_contract_pages_like_the_http_endpoint()
    {
        var w = await RunWorkloadAsync(seed: 11);
        var history = host.Services.GetRequiredService<Banyan.Ledger.Http.Contracts.ILedgerHistory>();
        foreach (var account in w.Accounts.Take(3))
        {
            var expected = (await PageAllAsync(account, reversed: true, limit: 1000)).Select(Id).ToArray();
            var seen = new List<string>();
            ulong? after = null;
            do
            {
                var page = await history.AccountTransfersAsync(account, new(Limit: 2, After: after, Reversed: true), default);
                seen.AddRange(page.Transfers.Select(t => t.Id.ToString(CultureInfo.InvariantCulture)));
                after = page.NextAfter;
            }
            while (after is not null);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, seen);
        }

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await history.AccountTransfersAsync(w.Accounts[0], new(Limit: 1001), default));
    }

    [Fact]
    public async Task Account_filters_return_exactly_the_matching_accounts_in_timestamp_order()
    {
        var ledger = (uint)Interlocked.Increment(ref _nextLedger);
        var accounts = Enumerable.Range(0, 12).Select(i => new Account
        {
            Id = host.NextId(), Ledger = ledger, Code = (ushort)(1 + i % 3),
            UserData128 = (UInt128)(i % 2), UserData64 = (ulong)(i % 4), UserData32 = (uint)(i % 5),
        }).ToArray();
        Assert.All(await host.Engine.CreateAccountsAsync(accounts), r => Assert.Equal(CreateAccountResult.Created, r));
        await WaitProjectedAsync();
        async Task Check(string query, Func<Account, bool> match)
        {
            var (status, body, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts?ledger={ledger}&{query}");
            Assert.Equal(200, status);
            var ids = body.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToArray();
            Assert.Equal(accounts.Where(match).Select(a => a.Id.ToString(CultureInfo.InvariantCulture)), ids);
        }
        await Check("code=2", a => a.Code == 2);
        await Check("user_data_128=1", a => a.UserData128 == 1);
        await Check("user_data_64=3&code=1", a => a.UserData64 == 3 && a.Code == 1);
        await Check("user_data_32=4", a => a.UserData32 == 4);
        await Check("limit=1000", _ => true);
        var (_, page, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts?ledger={ledger}&limit=5");
        var next = page.GetProperty("next_after").GetString();
        var (_, rest, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts?ledger={ledger}&limit=1000&after={next}");
        Assert.Equal(accounts.Skip(5).Select(a => a.Id.ToString(CultureInfo.InvariantCulture)), rest.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Expired_pending_transfers_are_released_at_the_pulse_in_balances_and_history()
    {
        var ledger = (uint)Interlocked.Increment(ref _nextLedger);
        UInt128 a = host.NextId(), b = host.NextId(), pending = host.NextId();
        await host.Engine.CreateAccountsAsync(new Account[] { new() { Id = a, Ledger = ledger, Code = 1, Flags = AccountFlags.History }, new() { Id = b, Ledger = ledger, Code = 1 } });
        await host.Engine.CreateTransfersAsync(new Transfer[]
        {
            new() { Id = host.NextId(), DebitAccountId = a, CreditAccountId = b, Amount = 5, Ledger = ledger, Code = 1 },
            new() { Id = pending, DebitAccountId = a, CreditAccountId = b, Amount = 40, Ledger = ledger, Code = 1, Flags = TransferFlags.Pending, Timeout = 1 },
        });
        var clock = Stopwatch.StartNew();
        while ((await host.Engine.LookupAccountsAsync(new[] { a }))[0].DebitsPending != 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "the pending transfer did not expire");
            await Task.Delay(20);
        }
        await WaitProjectedAsync();
        var live = (await host.Engine.LookupAccountsAsync(new[] { a, b })).ToDictionary(x => x.Id);
        var (_, balances, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts/{a}/balances");
        Assert.Equal(Four(live[a]), Four(balances));
        Assert.Equal("0|5|0|0", Four(balances));
        var (_, other, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts/{b}/balances");
        Assert.Equal(Four(live[b]), Four(other));
        var history = balances.GetProperty("history").EnumerateArray().Select(Four).ToArray();
        Assert.Equal(["0|5|0|0", "40|5|0|0", "0|5|0|0"], history);
        var stored = (await host.Engine.LookupTransfersAsync(new[] { pending }))[0];
        var (_, before, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts/{a}/balances?at={stored.Timestamp}");
        Assert.Equal("40|5|0|0", Four(before));
    }

    [Theory]
    [InlineData("v1/ledger/accounts/1/transfers?limit=0")]
    [InlineData("v1/ledger/accounts/1/transfers?limit=1001")]
    [InlineData("v1/ledger/accounts/1/transfers?reversed=maybe")]
    [InlineData("v1/ledger/accounts/x/transfers")]
    [InlineData("v1/ledger/accounts/1/balances?at=-1")]
    [InlineData("v1/ledger/accounts?code=70000")]
    [InlineData("v1/ledger/accounts?user_data_128=abc")]
    [InlineData("v1/ledger/accounts?after=1&after=2")]
    public async Task Bad_query_parameters_are_problems(string path)
    {
        var (status, body, type) = await host.Api.GetJsonAsync(path);
        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", type);
        Assert.True(body.TryGetProperty("title", out _));
    }

    [Fact]
    public async Task Redelivered_commits_change_nothing_and_lag_is_reported()
    {
        await RunWorkloadAsync(seed: 5);
        var projector = host.Services.GetRequiredService<LedgerProjector>();
        var before = await CountRowsAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var last = projector.ProjectedSequence;
        await foreach (var commit in host.Engine.SubscribeAsync(1, cts.Token))
        {
            await projector.ProjectAsync(commit, cts.Token);
            if (commit.Sequence >= last) break;
        }
        Assert.Equal(before, await CountRowsAsync());
        Assert.Equal(0UL, projector.Lag);
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "ledger");
        Assert.Equal(0UL, report.Entries["ledger"].Data["projector_lag"]);
        Assert.Equal(last, report.Entries["ledger"].Data["projected_sequence"]);
    }

    [Fact]
    public async Task Projector_lag_and_sequence_are_gauges_on_the_ledger_meter()
    {
        await RunWorkloadAsync(seed: 6);
        var factory = host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var seen = new Dictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Banyan.Ledger" && ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name.StartsWith("banyan.ledger.projector.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        var projector = host.Services.GetRequiredService<LedgerProjector>();
        Assert.Equal(0, seen["banyan.ledger.projector.lag"]);
        Assert.Equal((long)projector.ProjectedSequence, seen["banyan.ledger.projector.sequence"]);
        Assert.True(projector.ProjectedSequence > 0);
    }

    private async Task<(int, int, int)> CountRowsAsync()
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        return (await db.Set<LedgerTransferRow>().CountAsync(), await db.Set<LedgerAccountRow>().CountAsync(), await db.Set<LedgerBalanceRow>().CountAsync());
    }

    /// <summary>Accounts (the first with history) and ~300 random transfers: plain, pending, posts (partial), voids, duplicates and failures.</summary>
    private async Task<Workload> RunWorkloadAsync(int seed)
    {
        var random = new Random(seed);
        var ledger = (uint)Interlocked.Increment(ref _nextLedger);
        var accounts = Enumerable.Range(0, 8).Select(i => new Account { Id = host.NextId(), Ledger = ledger, Code = 1, Flags = i == 0 ? AccountFlags.History : AccountFlags.None }).ToArray();
        await host.Engine.CreateAccountsAsync(accounts);
        var ids = accounts.Select(a => a.Id).ToArray();
        var pendings = new List<Transfer>();
        var submitted = new List<UInt128>();
        for (var batch = 0; batch < 15; batch++)
        {
            var events = new List<Transfer>();
            for (var i = 0; i < 20; i++) events.Add(RandomTransfer(random, ids, ledger, pendings, submitted));
            await host.Engine.CreateTransfersAsync(events.ToArray());
            submitted.AddRange(events.Select(e => e.Id));
            var stored = await host.Engine.LookupTransfersAsync(events.Where(e => (e.Flags & TransferFlags.Pending) != 0).Select(e => e.Id).ToArray());
            pendings.AddRange(stored);
        }
        var created = await host.Engine.LookupTransfersAsync(submitted.Distinct().ToArray());
        await WaitProjectedAsync();
        return new Workload(ledger, ids, created);
    }

    private Transfer RandomTransfer(Random random, UInt128[] ids, uint ledger, List<Transfer> pendings, List<UInt128> submitted)
    {
        var debit = ids[random.Next(ids.Length)];
        var credit = ids[(Array.IndexOf(ids, debit) + 1 + random.Next(ids.Length - 1)) % ids.Length];
        var t = new Transfer { Id = host.NextId(), DebitAccountId = debit, CreditAccountId = credit, Amount = (UInt128)random.Next(1, 1000), Ledger = ledger, Code = 1 };
        switch (random.Next(10))
        {
            case 0 or 1: t.Flags = TransferFlags.Pending; break;
            case 2 or 3 when pendings.Count > 0:
                var p = pendings[random.Next(pendings.Count)];
                t.DebitAccountId = p.DebitAccountId; t.CreditAccountId = p.CreditAccountId; t.PendingId = p.Id;
                t.Flags = random.Next(2) == 0 ? TransferFlags.VoidPendingTransfer : TransferFlags.PostPendingTransfer;
                t.Amount = t.Flags == TransferFlags.VoidPendingTransfer ? p.Amount : (UInt128)random.Next(1, (int)p.Amount + 1);
                break;
            case 4 when submitted.Count > 0: t.Id = submitted[random.Next(submitted.Count)]; break; // duplicate: exists (not created again)
            case 5: t.CreditAccountId = 1; break; // no such account: rejected
        }
        return t;
    }

    private async Task WaitProjectedAsync()
    {
        var projector = host.Services.GetRequiredService<LedgerProjector>();
        var target = host.Engine.Statistics.DurableSequence;
        var clock = Stopwatch.StartNew();
        while (projector.ProjectedSequence < target)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"projector stuck at {projector.ProjectedSequence} < {target}");
            await Task.Delay(5);
        }
    }

    private async Task<List<JsonElement>> PageAllAsync(UInt128 account, bool reversed, int limit)
    {
        var all = new List<JsonElement>();
        string? after = null;
        for (var pages = 0; pages < 1000; pages++)
        {
            var path = $"v1/ledger/accounts/{account}/transfers?limit={limit}&reversed={(reversed ? "true" : "false")}" + (after is null ? "" : "&after=" + after);
            var (status, body, _) = await host.Api.GetJsonAsync(path);
            Assert.Equal(200, status);
            var items = body.GetProperty("transfers").EnumerateArray().ToArray();
            Assert.True(items.Length <= limit);
            all.AddRange(items);
            var next = body.GetProperty("next_after");
            if (next.ValueKind == JsonValueKind.Null) return all;
            after = next.GetString();
        }
        throw new InvalidOperationException("pagination did not end");
    }

    private static string Id(JsonElement t) => t.GetProperty("id").GetString()!;

    private static string Describe(Transfer t) => string.Join('|', t.Id, t.DebitAccountId, t.CreditAccountId, t.Amount, t.PendingId, t.Ledger, t.Code, (int)t.Flags, t.Timestamp);

    private static string DescribeJson(JsonElement t)
    {
        var flags = TransferFlags.None;
        foreach (var f in t.GetProperty("flags").EnumerateArray())
            flags |= Api.FlagNames.Transfer.Single(n => n.Name == f.GetString()).Flag;
        return string.Join('|', Id(t), t.GetProperty("debit_account_id").GetString(), t.GetProperty("credit_account_id").GetString(), t.GetProperty("amount").GetString(),
            t.GetProperty("pending_id").GetString(), t.GetProperty("ledger").GetUInt32(), t.GetProperty("code").GetUInt16(), (int)flags, t.GetProperty("timestamp").GetString());
    }

    private static string Four(JsonElement b) => string.Join('|', b.GetProperty("debits_pending").GetString(), b.GetProperty("debits_posted").GetString(), b.GetProperty("credits_pending").GetString(), b.GetProperty("credits_posted").GetString());

    private static string Four(Account a) => string.Join('|', a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted);

    /// <summary>The test's own oracle: sums of the engine's stored transfers up to <paramref name="at"/>.</summary>
    private static string Expected(Transfer[] all, UInt128 account, ulong at)
    {
        UInt128 dp = 0, dP = 0, cp = 0, cP = 0;
        var byId = all.ToDictionary(t => t.Id);
        foreach (var t in all.Where(t => t.Timestamp <= at))
        {
            var isDebit = t.DebitAccountId == account;
            if (!isDebit && t.CreditAccountId != account) continue;
            var pending = (t.Flags & TransferFlags.Pending) != 0;
            var resolves = (t.Flags & (TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer)) != 0;
            var posts = !pending && (t.Flags & TransferFlags.VoidPendingTransfer) == 0;
            if (pending) { if (isDebit) dp += t.Amount; else cp += t.Amount; }
            if (resolves) { var p = byId[t.PendingId].Amount; if (isDebit) dp -= p; else cp -= p; }
            if (posts) { if (isDebit) dP += t.Amount; else cP += t.Amount; }
        }
        return string.Join('|', dp, dP, cp, cP);
    }
}
