using Banyan.Ledger;
using Banyan.Payments.Contracts;
using Banyan.Platform.Money;

namespace Banyan.Payments.Tests;

public sealed class DomesticTransferTests
{
    private static readonly Currency Cny = Currencies.Get("CNY");

    [Fact]
    public async Task Opening_an_account_twice_returns_the_same_ledger_account()
    {
        await using var host = await PaymentsHost.StartAsync();
        var accounts = host.Get<ICustomerAccounts>();
        var first = await accounts.OpenAsync("cust-a", Cny, default);
        var again = await accounts.OpenAsync("cust-a", Cny, default);
        var usd = await accounts.OpenAsync("cust-a", Currencies.Get("USD"), default);
        Assert.Equal(first.AccountId, again.AccountId);
        Assert.NotEqual(first.AccountId, usd.AccountId);
        Assert.Equal(840u, (await host.Get<LedgerEngine>().LookupAccountsAsync(new[] { usd.AccountId }))[0].Ledger);
        Assert.Equal(2, (await accounts.ListAsync("cust-a", default)).Count);
    }

    [Fact]
    public async Task A_transfer_moves_money_once_however_often_it_is_retried()
    {
        await using var host = await PaymentsHost.StartAsync();
        var (payer, payee) = await FundedPairAsync(host, 100_000);
        var transfers = host.Get<IDomesticTransfers>();
        var request = new DomesticTransferRequest("partner-1", "t-1", payer.AccountId, payee.AccountId, 25_050, "rent");

        var first = await transfers.TransferAsync(request, default);
        var retry = await transfers.TransferAsync(request, default);

        Assert.True(first.Succeeded);
        Assert.Equal(first, retry);
        Assert.Equal(74_950, (await host.Get<ICustomerAccounts>().FindAsync(payer.AccountId, default))!.Posted);
        Assert.Equal(25_050, (await host.Get<ICustomerAccounts>().FindAsync(payee.AccountId, default))!.Posted);
        Assert.Single(await host.Get<LedgerEngine>().LookupTransfersAsync(new[] { first.LedgerTransferId }));
    }

    [Fact]
    public async Task Transfer_exceeding_the_balance_is_rejected_and_changes_nothing()
    {
        await using var host = await PaymentsHost.StartAsync();
        var (payer, payee) = await FundedPairAsync(host, 1_000);
        var outcome = await host.Get<IDomesticTransfers>().TransferAsync(new("p", "t-big", payer.AccountId, payee.AccountId, 1_001), default);
        Assert.Equal(PaymentStatus.Rejected, outcome.Status);
        Assert.Equal("insufficient_funds", outcome.Reason);
        Assert.Equal(1_000, (await host.Get<ICustomerAccounts>().FindAsync(payer.AccountId, default))!.Posted);
        Assert.Equal(0, (await host.Get<ICustomerAccounts>().FindAsync(payee.AccountId, default))!.Posted);
    }

    [Fact]
    public async Task Per_transfer_and_daily_limits_refuse_before_anything_moves()
    {
        await using var host = await PaymentsHost.StartAsync("--Banyan:Payments:PerTransferLimit=100", "--Banyan:Payments:DailyLimit=150");
        var (payer, payee) = await FundedPairAsync(host, 100_000);
        var transfers = host.Get<IDomesticTransfers>();

        var tooBig = await transfers.TransferAsync(new("p", "a", payer.AccountId, payee.AccountId, 10_001), default);
        var first = await transfers.TransferAsync(new("p", "b", payer.AccountId, payee.AccountId, 10_000), default);
        var overDaily = await transfers.TransferAsync(new("p", "c", payer.AccountId, payee.AccountId, 5_001), default);
        var withinDaily = await transfers.TransferAsync(new("p", "d", payer.AccountId, payee.AccountId, 5_000), default);

        Assert.Equal("limit_exceeded", tooBig.Reason);
        Assert.True(first.Succeeded);
        Assert.Equal("daily_limit_exceeded", overDaily.Reason);
        Assert.True(withinDaily.Succeeded);
        Assert.Equal(85_000, (await host.Get<ICustomerAccounts>().FindAsync(payer.AccountId, default))!.Posted);
    }

    [Fact]
    public async Task Reusing_a_transfer_id_for_another_amount_is_refused()
    {
        await using var host = await PaymentsHost.StartAsync();
        var (payer, payee) = await FundedPairAsync(host, 10_000);
        var transfers = host.Get<IDomesticTransfers>();
        Assert.True((await transfers.TransferAsync(new("p", "same", payer.AccountId, payee.AccountId, 100), default)).Succeeded);
        await Assert.ThrowsAsync<ArgumentException>(async () => await transfers.TransferAsync(new("p", "same", payer.AccountId, payee.AccountId, 200), default));
        Assert.Equal(9_900, (await host.Get<ICustomerAccounts>().FindAsync(payer.AccountId, default))!.Posted);
    }

    [Fact]
    public async Task Accounts_in_different_currencies_or_unknown_accounts_are_refused()
    {
        await using var host = await PaymentsHost.StartAsync();
        var accounts = host.Get<ICustomerAccounts>();
        var cny = await accounts.OpenAsync("c1", Cny, default);
        var eur = await accounts.OpenAsync("c2", Currencies.Get("EUR"), default);
        await accounts.DepositAsync(cny.AccountId, 5_000, "dep", default);
        var transfers = host.Get<IDomesticTransfers>();
        Assert.Equal("currency_mismatch", (await transfers.TransferAsync(new("p", "x", cny.AccountId, eur.AccountId, 1), default)).Reason);
        Assert.Equal("account_not_found", (await transfers.TransferAsync(new("p", "y", cny.AccountId, 12345, 1), default)).Reason);
        Assert.Equal(5_000, (await accounts.FindAsync(cny.AccountId, default))!.Posted);
    }

    [Fact]
    public async Task Concurrent_transfers_never_exceed_the_daily_limit()
    {
        await using var host = await PaymentsHost.StartAsync("--Banyan:Payments:DailyLimit=1000");
        var (payer, payee) = await FundedPairAsync(host, 1_000_000);
        var transfers = host.Get<IDomesticTransfers>();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            transfers.TransferAsync(new("p", "c" + i, payer.AccountId, payee.AccountId, 5_000), default).AsTask()));
        Assert.Equal(20, outcomes.Count(o => o.Succeeded));
        Assert.Equal(100_000, (await host.Get<ICustomerAccounts>().FindAsync(payee.AccountId, default))!.Posted);
    }

    private static async Task<(CustomerAccount Payer, CustomerAccount Payee)> FundedPairAsync(PaymentsHost host, long amount)
    {
        var accounts = host.Get<ICustomerAccounts>();
        var payer = await accounts.OpenAsync("payer-" + Guid.NewGuid().ToString("N")[..8], Cny, default);
        var payee = await accounts.OpenAsync("payee-" + Guid.NewGuid().ToString("N")[..8], Cny, default);
        var deposit = await accounts.DepositAsync(payer.AccountId, amount, "fund-" + payer.AccountId, default);
        Assert.True(deposit.Succeeded, deposit.Detail);
        return (payer, payee);
    }
}
