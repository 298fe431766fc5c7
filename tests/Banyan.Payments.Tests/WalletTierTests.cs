using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Payments.Retail;
using Banyan.Payments.Wallets;
using Banyan.Platform.Money;

namespace Banyan.Payments.Tests;

/// <summary>Tier upgrades and downgrades move the ledger-enforced balance limit; wallets in other currencies.</summary>
[Collection(WalletHostsCollection.Name)]
public sealed class WalletTierTests
{
    private const long Yuan = 100;
    private static readonly Currency Jpy = Currencies.Get("JPY");
    private static readonly Currency Eur = Currencies.Get("EUR");

    [Fact]
    public async Task After_an_upgrade_a_payment_above_the_old_cap_succeeds_and_the_ledger_refuses_a_top_up_above_the_new_cap()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync("5999");
        var wallet = await s.WalletAsync("phone", funds: 9_000 * Yuan);
        Assert.Equal("wallet_per_payment_limit", (await s.TapAsync(wallet.AccountId, merchant, 3_000 * Yuan)).Reason);
        Assert.Equal("wallet_balance_limit", (await TopUpAsync(host, wallet, "over-old-cap", 1_001 * Yuan)).Reason);

        var change = await host.Get<WalletTierChanges>().ChangeAsync("test", wallet.AccountId, "verified", "kyc-0001", default);

        Assert.True(change.Completed);
        Assert.Equal(("phone", "verified"), (change.FromTier, change.ToTier));
        Assert.Equal(500_000 * Yuan, change.Wallet.BalanceLimit);
        Assert.Equal(50_000 * Yuan, change.Wallet.PerPaymentLimit);
        Assert.Equal(500_000 * Yuan - 9_000 * Yuan, change.Wallet.Headroom);
        Assert.Equal(wallet.AccountId, change.Wallet.AccountId); // same wallet, same account: only the headroom grew
        Assert.True((await s.TapAsync(wallet.AccountId, merchant, 3_000 * Yuan)).Completed);

        // Balance is now ¥6,000; ¥494,000 fills it to the new cap exactly, one fen more is the ledger's refusal.
        Assert.Equal("wallet_balance_limit", (await TopUpAsync(host, wallet, "over-new-cap", 494_000 * Yuan + 1)).Reason);
        Assert.True((await TopUpAsync(host, wallet, "to-new-cap", 494_000 * Yuan)).Completed);
        var after = (await host.Get<WalletBook>().FindAsync(wallet.AccountId, default))!;
        Assert.Equal((500_000 * Yuan, 0L), (after.Balance, after.Headroom));
        var headroom = (await host.Get<LedgerEngine>().LookupAccountsAsync(new[] { PaymentsChart.Party(PaymentAccountKind.WalletHeadroom, PaymentsChart.SequenceOf(wallet.AccountId)) }))[0];
        // Granted in the ledger: the phone limit at opening plus the upgrade's difference.
        var grants = await host.Get<LedgerEngine>().LookupTransfersAsync(new[]
        {
            PaymentsChart.TransferId(PaymentTransferKind.Wallet, 2, PaymentsChart.SequenceOf(wallet.AccountId)), change.TransferId,
        });
        Assert.Equal(new[] { 10_000 * Yuan, 490_000 * Yuan }, grants.Select(g => (long)g.Amount).Order().ToArray());
        Assert.Equal(0L, LedgerSetup.Posted(headroom));
    }

    [Fact]
    public async Task Repeating_an_upgrade_with_its_reference_changes_nothing_and_a_reused_reference_for_another_tier_is_a_conflict()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var s = new RetailScene(host);
        var wallet = await s.WalletAsync("phone", funds: 1_000 * Yuan);
        var changes = host.Get<WalletTierChanges>();

        var first = await changes.ChangeAsync("test", wallet.AccountId, "verified", "kyc-same", default);
        var again = await changes.ChangeAsync("test", wallet.AccountId, "verified", "kyc-same", default);

        Assert.True(first.Completed && again.Completed);
        Assert.Equal(first.TransferId, again.TransferId);
        Assert.Equal(first.Wallet.Headroom, again.Wallet.Headroom);
        await Assert.ThrowsAsync<PaymentsConflictException>(() => changes.ChangeAsync("test", wallet.AccountId, "phone", "kyc-same", default));
        await Assert.ThrowsAsync<PaymentsConflictException>(() => changes.ChangeAsync("test", wallet.AccountId, "verified", "kyc-other", default));
        await Assert.ThrowsAsync<PaymentsInputException>(() => changes.ChangeAsync("test", wallet.AccountId, "gold", "kyc-x", default));
        await Assert.ThrowsAsync<PaymentsNotFoundException>(() => changes.ChangeAsync("test", PaymentsChart.Party(PaymentAccountKind.Wallet, 999_999), "verified", "kyc-y", default));
        Assert.Equal(first.Wallet.Headroom, (await host.Get<WalletBook>().FindAsync(wallet.AccountId, default))!.Headroom);
    }

    [Fact]
    public async Task A_downgrade_is_refused_by_the_ledger_while_the_balance_is_above_the_lower_cap_and_changes_nothing()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync("5999");
        var wallet = await s.WalletAsync("verified", funds: 20_000 * Yuan);
        var changes = host.Get<WalletTierChanges>();

        var refused = await changes.ChangeAsync("test", wallet.AccountId, "phone", "down-1", default);

        Assert.False(refused.Completed);
        Assert.Equal("wallet_balance_above_tier_limit", refused.Reason);
        Assert.Equal(("verified", 500_000 * Yuan, 480_000 * Yuan), (refused.Wallet.Tier, refused.Wallet.BalanceLimit, refused.Wallet.Headroom));

        Assert.True((await s.TapAsync(wallet.AccountId, merchant, 10_000 * Yuan)).Completed);
        var done = await changes.ChangeAsync("test", wallet.AccountId, "phone", "down-2", default);

        Assert.True(done.Completed);
        Assert.Equal(("phone", 10_000 * Yuan, 0L, 2_000 * Yuan), (done.Wallet.Tier, done.Wallet.BalanceLimit, done.Wallet.Headroom, done.Wallet.PerPaymentLimit));
        Assert.Equal("wallet_balance_limit", (await TopUpAsync(host, wallet, "one-fen", 1)).Reason);
        Assert.Equal("wallet_per_payment_limit", (await s.TapAsync(wallet.AccountId, merchant, 2_001 * Yuan)).Reason);
    }

    [Fact]
    public async Task A_downgrade_racing_top_ups_never_leaves_the_balance_above_the_limit_the_wallet_ends_with()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var s = new RetailScene(host);
        var wallet = await s.WalletAsync("verified", funds: 6_000 * Yuan);
        var changes = host.Get<WalletTierChanges>();

        var topUps = Enumerable.Range(0, 12).Select(i => TopUpAsync(host, wallet, "race-" + i, 500 * Yuan)).ToList();
        var downgrade = changes.ChangeAsync("test", wallet.AccountId, "phone", "race-down", default);
        var completed = (await Task.WhenAll(topUps)).Count(t => t.Completed);
        var change = await downgrade;

        var after = (await host.Get<WalletBook>().FindAsync(wallet.AccountId, default))!;
        Assert.True(after.Balance <= after.BalanceLimit);
        Assert.Equal(after.BalanceLimit - after.Balance, after.Headroom);
        Assert.Equal(change.Completed ? "phone" : "verified", after.Tier);
        Assert.Equal(6_000 * Yuan + (completed * 500 * Yuan), after.Balance);
    }

    [Fact]
    public async Task Concurrent_payments_and_top_ups_cannot_exceed_the_yen_limits_of_a_jpy_wallet()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var wallets = host.Get<WalletBook>();
        var wallet = await wallets.OpenAsync("jpy-holder", "phone", false, Jpy, default);
        Assert.Equal(("JPY", 200_000L, 40_000L, 100_000L), (wallet.Currency, wallet.BalanceLimit, wallet.PerPaymentLimit, wallet.DailyLimit));

        var topUps = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => wallets.TopUpAsync("test", wallet.AccountId, "jt" + i, 10_000, default)));
        Assert.Equal(20, topUps.Count(r => r.Completed)); // ¥200,000: the ledger's headroom, not the module, stopped the rest
        Assert.All(topUps.Where(r => !r.Completed), r => Assert.Equal("wallet_balance_limit", r.Reason));

        var merchant = await host.Get<Catalog>().RegisterMerchantAsync(new MerchantRequest("tokyo-shop", "Tokyo Shop", "5999", Jpy, 0, null), default);
        var taps = host.Get<TapToPay>();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            taps.PayAsync(new TapRequest("test", "jp-" + i, merchant.MerchantId, 10_000, Jpy, wallet.AccountId, null, 0), default)));

        Assert.Equal(10, results.Count(r => r.Completed)); // ¥100,000 a day
        Assert.All(results.Where(r => !r.Completed), r => Assert.Equal("wallet_daily_limit", r.Reason));
        var after = (await wallets.FindAsync(wallet.AccountId, default))!;
        Assert.Equal((100_000L, 100_000L), (after.Balance, after.Headroom));
        Assert.Equal("wallet_per_payment_limit", (await taps.PayAsync(new TapRequest("test", "jp-big", merchant.MerchantId, 40_001, Jpy, wallet.AccountId, null, 0), default)).Reason);
    }

    [Fact]
    public async Task A_holder_has_one_wallet_per_currency_with_that_currencys_limits_and_unconfigured_currencies_are_refused()
    {
        await using var host = await WalletTestHosts.StartAsync("--Banyan:Payments:WalletTiers:Currencies:THB:Phone:PerPayment=1000000",
            "--Banyan:Payments:WalletTiers:Currencies:THB:Phone:Daily=2000000", "--Banyan:Payments:WalletTiers:Currencies:THB:Phone:Balance=5000000",
            "--Banyan:Payments:WalletTiers:Currencies:THB:Verified:PerPayment=20000000", "--Banyan:Payments:WalletTiers:Currencies:THB:Verified:Daily=40000000",
            "--Banyan:Payments:WalletTiers:Currencies:THB:Verified:Balance=200000000");
        var wallets = host.Get<WalletBook>();

        var cny = await wallets.OpenAsync("multi", "phone", false, default);
        var eur = await wallets.OpenAsync("multi", "phone", false, Eur, default);
        var thb = await wallets.OpenAsync("multi", "verified", false, Currencies.Get("THB"), default);

        Assert.Equal(3, new[] { cny.AccountId, eur.AccountId, thb.AccountId }.Distinct().Count());
        Assert.Equal(("EUR", 1_300_00L, 1_300_00L), (eur.Currency, eur.BalanceLimit, eur.Headroom));
        Assert.Equal(("THB", 200_000_000L), (thb.Currency, thb.BalanceLimit));
        Assert.Equal(eur.AccountId, (await wallets.OpenAsync("multi", "phone", false, Eur, default)).AccountId);
        var headroom = (await host.Get<LedgerEngine>().LookupAccountsAsync(new[] { PaymentsChart.Party(PaymentAccountKind.WalletHeadroom, PaymentsChart.SequenceOf(eur.AccountId)) }))[0];
        Assert.Equal(Eur.Ledger, headroom.Ledger);
        var refused = await Assert.ThrowsAsync<PaymentsInputException>(() => wallets.OpenAsync("multi", "phone", false, Currencies.Get("MYR"), default));
        Assert.Equal("currency", refused.ParamName);
        Assert.DoesNotContain((await wallets.ListByHolderAsync("multi", null, 100, default)).Items, w => w.Currency == "MYR");
    }

    [Fact]
    public async Task Wallets_by_holder_come_in_pages_of_at_most_the_limit_and_the_limit_is_bounded()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var wallets = host.Get<WalletBook>();
        var opened = new List<UInt128>();
        foreach (var code in new[] { "CNY", "EUR", "JPY", "USD", "HKD" }) opened.Add((await wallets.OpenAsync("paged", "phone", false, Currencies.Get(code), default)).AccountId);
        await wallets.OpenAsync("someone-else", "phone", false, default);

        var seen = new List<UInt128>();
        UInt128? after = null;
        var pages = 0;
        do
        {
            var page = await wallets.ListByHolderAsync("paged", after, 2, default);
            Assert.InRange(page.Items.Count, 1, 2);
            seen.AddRange(page.Items.Select(w => w.AccountId));
            after = page.NextAfter;
            pages++;
        }
        while (after is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(opened.Order().ToList(), seen);
        Assert.All(seen, id => Assert.True(PaymentsChart.IsWallet(id)));
        Assert.Equal(5, (await wallets.ListByHolderAsync("paged", null, 100, default)).Items.Count);
        Assert.Empty((await wallets.ListByHolderAsync("nobody", null, 10, default)).Items);
        await Assert.ThrowsAsync<PaymentsInputException>(() => wallets.ListByHolderAsync("paged", null, 101, default));
        await Assert.ThrowsAsync<PaymentsInputException>(() => wallets.ListByHolderAsync("paged", null, 0, default));
    }

    private static Task<TopUpResult> TopUpAsync(PaymentsHost host, WalletView wallet, string id, long amount) =>
        host.Get<WalletBook>().TopUpAsync("test", wallet.AccountId, id, amount, default);
}
