using Banyan.Ledger.Client;

namespace Banyan.Ledger.Http.Tests;

/// <summary>The typed client against a real host: array calls, lookups and automatic batching.</summary>
[Collection(LedgerHostCollection.Name)]
public sealed class LedgerClientTests(LedgerHostFixture host)
{
    private LedgerClient NewClient(int concurrency = 4) => new(new LedgerClientOptions
    {
        BaseAddress = host.BaseAddress,
        ClientId = LedgerHostFixture.ClientId,
        ClientSecret = LedgerHostFixture.ClientSecret,
        MaxConcurrentRequests = concurrency,
    });

    [Fact]
    public async Task Client_creates_and_looks_up_accounts_and_transfers()
    {
        await using var client = NewClient();
        var (a, b) = (host.NextId(), host.NextId());
        var accountResults = await client.CreateAccountsAsync(new Account[] { new() { Id = a, Ledger = 2, Code = 1 }, new() { Id = b, Ledger = 2, Code = 1 } });
        Assert.Equal([CreateAccountResult.Created, CreateAccountResult.Created], accountResults);

        var t = host.NextId();
        var transferResults = await client.CreateTransfersAsync(new Transfer[]
        {
            new() { Id = t, DebitAccountId = a, CreditAccountId = b, Amount = 9, Ledger = 2, Code = 1 },
            new() { Id = host.NextId(), DebitAccountId = a, CreditAccountId = b, Amount = 9, Ledger = 3, Code = 1 },
        });
        Assert.Equal([CreateTransferResult.Created, CreateTransferResult.TransferMustHaveTheSameLedgerAsAccounts], transferResults);

        var accounts = await client.LookupAccountsAsync(new UInt128[] { b, a });
        Assert.Equal([(UInt128)b, a], accounts.Select(x => x.Id).ToArray());
        Assert.Equal((UInt128)9, accounts[0].CreditsPosted);
        Assert.Equal((UInt128)9, accounts[1].DebitsPosted);
        var transfers = await client.LookupTransfersAsync(new UInt128[] { t });
        Assert.Equal((UInt128)9, Assert.Single(transfers).Amount);
    }

    [Fact]
    public async Task Concurrent_single_calls_are_batched_and_each_caller_gets_its_own_result()
    {
        await using var client = NewClient(concurrency: 3);
        var (a, b) = (host.NextId(), host.NextId());
        await client.CreateAccountsAsync(new Account[] { new() { Id = a, Ledger = 1, Code = 1 }, new() { Id = b, Ledger = 1, Code = 1 } });
        var existing = host.NextId();
        Assert.Equal(CreateTransferResult.Created,
            await client.CreateTransferAsync(new Transfer { Id = existing, DebitAccountId = a, CreditAccountId = b, Amount = 5, Ledger = 1, Code = 1 }));

        // Three kinds of caller whose outcome does not depend on how calls are grouped into batches.
        const int callers = 3000;
        var missing = host.NextId();
        var calls = Enumerable.Range(0, callers).Select(i => (i % 3) switch
        {
            0 => (Expected: CreateTransferResult.Created, Transfer: new Transfer { Id = host.NextId(), DebitAccountId = a, CreditAccountId = b, Amount = 1, Ledger = 1, Code = 1 }),
            1 => (Expected: CreateTransferResult.CreditAccountNotFound, Transfer: new Transfer { Id = host.NextId(), DebitAccountId = a, CreditAccountId = missing, Amount = 1, Ledger = 1, Code = 1 }),
            _ => (Expected: CreateTransferResult.ExistsWithDifferentAmount, Transfer: new Transfer { Id = existing, DebitAccountId = a, CreditAccountId = b, Amount = 6, Ledger = 1, Code = 1 }),
        }).ToArray();

        var results = await Task.WhenAll(calls.Select(c => Task.Run(() => client.CreateTransferAsync(c.Transfer))));

        for (var i = 0; i < callers; i++) Assert.Equal(calls[i].Expected, results[i]);
        var account = Assert.Single(await client.LookupAccountsAsync(new UInt128[] { b }));
        Assert.Equal((UInt128)(5 + callers / 3), account.CreditsPosted);
    }

    [Fact]
    public async Task Single_call_with_the_linked_flag_is_refused()
    {
        await using var client = NewClient();
        await Assert.ThrowsAsync<ArgumentException>(() =>
            client.CreateTransferAsync(new Transfer { Id = host.NextId(), Flags = TransferFlags.Linked }));
    }

    [Fact]
    public async Task Wrong_credentials_surface_as_a_client_exception()
    {
        await using var client = new LedgerClient(host.BaseAddress, LedgerHostFixture.ClientId, "not-the-secret");
        var e = await Assert.ThrowsAsync<LedgerClientException>(() => client.LookupAccountsAsync(new UInt128[] { 1 }));
        Assert.NotNull(e.StatusCode);
    }
}
