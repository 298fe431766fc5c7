using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Payments.Wallets;
using Banyan.Platform.Money;

namespace Banyan.Payments.Tests;

public sealed class WalletTests
{
    private const long Yuan = 100;

    [Fact]
    public async Task Concurrent_top_ups_cannot_lift_a_wallet_above_its_balance_limit()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var wallet = await s.WalletAsync("phone");
        var wallets = host.Get<WalletBook>();

        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => wallets.TopUpAsync("test", wallet.AccountId, "t" + i, 500 * Yuan, default)));

        Assert.Equal(20, results.Count(r => r.Completed));
        Assert.All(results.Where(r => !r.Completed), r => Assert.Equal("wallet_balance_limit", r.Reason));
        var after = (await wallets.FindAsync(wallet.AccountId, default))!;
        Assert.Equal(10_000 * Yuan, after.Balance);
        Assert.Equal(0, after.Headroom);
    }

    [Fact]
    public async Task The_ledger_itself_refuses_a_credit_above_the_limit_when_the_headroom_leg_is_linked()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var wallet = await s.WalletAsync("phone", funds: 9_000 * Yuan);
        var walletId = PaymentsChart.SequenceOf(wallet.AccountId);
        var pair = WalletBook.CreditPair(PaymentsChart.Settlement(Currencies.Cny), walletId, 1_001 * Yuan, PaymentCodes.WalletTopUp, PaymentTransferKind.Wallet, 999_999);

        var results = await host.Get<LedgerEngine>().CreateTransfersAsync(pair);

        Assert.Equal(CreateTransferResult.LinkedEventFailed, results[0]);
        Assert.Equal(CreateTransferResult.ExceedsCredits, results[1]);
        Assert.Equal(9_000 * Yuan, (await host.Get<WalletBook>().FindAsync(wallet.AccountId, default))!.Balance);
    }

    [Fact]
    public async Task Concurrent_wallet_payments_never_exceed_the_daily_limit()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync("5999");
        var wallet = await s.WalletAsync("phone", funds: 10_000 * Yuan);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => s.TapAsync(wallet.AccountId, merchant, 500 * Yuan)));

        Assert.Equal(10, results.Count(r => r.Completed));
        Assert.All(results.Where(r => !r.Completed), r => Assert.Equal("wallet_daily_limit", r.Reason));
        var after = (await host.Get<WalletBook>().FindAsync(wallet.AccountId, default))!;
        Assert.Equal(5_000 * Yuan, after.Balance);
        Assert.Equal(5_000 * Yuan, after.Headroom); // money out gave headroom back
    }

    [Fact]
    public async Task A_payment_above_the_tier_per_payment_limit_is_declined_and_changes_nothing()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync("5999");
        var wallet = await s.WalletAsync("phone", funds: 5_000 * Yuan);
        var declined = await s.TapAsync(wallet.AccountId, merchant, 2_001 * Yuan);
        Assert.Equal("wallet_per_payment_limit", declined.Reason);
        Assert.Equal(5_000 * Yuan, (await host.Get<WalletBook>().FindAsync(wallet.AccountId, default))!.Balance);
        Assert.True((await s.TapAsync(wallet.AccountId, merchant, 2_000 * Yuan)).Completed);
    }

    [Fact]
    public async Task Conditional_funds_are_spent_only_at_their_categories_and_return_after_expiry()
    {
        await using var host = await PaymentsHost.StartWithClockAsync();
        var s = new RetailScene(host);
        var grocer = await s.MerchantAsync("5411");
        var jeweller = await s.MerchantAsync("5944");
        var wallet = await s.WalletAsync("verified", funds: 1_000 * Yuan);
        var programmes = host.Get<WalletProgrammes>();
        await programmes.GrantAsync(wallet.AccountId, "voucher-1", 300 * Yuan, ["5411"], host.Clock!.GetUtcNow().AddDays(7), default);

        var atJeweller = await s.TapAsync(wallet.AccountId, jeweller, 100 * Yuan);
        var atGrocer = await s.TapAsync(wallet.AccountId, grocer, 100 * Yuan);

        Assert.Equal(0, atJeweller.Receipt!.EarmarkUsed);
        Assert.Equal(100 * Yuan, atGrocer.Receipt!.EarmarkUsed);
        Assert.Equal(0, atGrocer.Receipt.Paid);
        var view = (await host.Get<WalletBook>().FindAsync(wallet.AccountId, default))!;
        Assert.Equal(900 * Yuan, view.Balance);
        Assert.Equal(200 * Yuan, view.ConditionalFunds.Single().Balance);

        host.Clock.Advance(TimeSpan.FromDays(8));
        var after = await s.TapAsync(wallet.AccountId, grocer, 50 * Yuan);
        Assert.Equal(0, after.Receipt!.EarmarkUsed);
        Assert.Equal(200 * Yuan, await programmes.ExpireAsync(wallet.AccountId, default));
        var expired = (await host.Get<WalletBook>().FindAsync(wallet.AccountId, default))!.ConditionalFunds.Single();
        Assert.Equal(("expired", 0L), (expired.Status, expired.Balance));
    }

    [Fact]
    public async Task A_pension_run_pays_every_wallet_once_and_refuses_only_the_one_at_its_limit()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var a = await s.WalletAsync("phone");
        var b = await s.WalletAsync("phone", funds: 9_500 * Yuan);
        var c = await s.WalletAsync("verified", elderly: true);
        var programmes = host.Get<WalletProgrammes>();
        PensionPayee[] payees = [new(a.AccountId, 3_000 * Yuan), new(b.AccountId, 3_000 * Yuan), new(c.AccountId, 3_000 * Yuan), new(12345, 3_000 * Yuan)];

        var run = await programmes.PayPensionsAsync("2026-11", payees, default);
        var again = await programmes.PayPensionsAsync("2026-11", payees, default);

        Assert.Equal((4, 2, 2, 6_000 * Yuan), (run.Payees, run.Paid, run.Refused, run.TotalPaid));
        Assert.Equal(["wallet_balance_limit", "wallet_not_found"], run.Refusals.Select(r => r.Reason).Order());
        Assert.Equal(2, again.Paid);
        var wallets = host.Get<WalletBook>();
        Assert.Equal(3_000 * Yuan, (await wallets.FindAsync(a.AccountId, default))!.Balance);
        Assert.Equal(9_500 * Yuan, (await wallets.FindAsync(b.AccountId, default))!.Balance);
        Assert.Equal(3_000 * Yuan, (await wallets.FindAsync(c.AccountId, default))!.Balance);
    }

    [Fact]
    public async Task Elderly_holders_get_a_discount_at_everyday_shops_and_earn_care_points()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var care = await s.ProgrammeAsync(rateBps: 100, care: true);
        var grocer = await s.MerchantAsync("5411");
        var elderly = await s.WalletAsync("verified", elderly: true, funds: 1_000 * Yuan);
        var young = await s.WalletAsync("verified", funds: 1_000 * Yuan);

        var old = (await s.TapAsync(elderly.AccountId, grocer, 100 * Yuan)).Receipt!;
        var other = (await s.TapAsync(young.AccountId, grocer, 100 * Yuan)).Receipt!;

        Assert.Equal(5 * Yuan, old.Discount);
        Assert.Equal(95 * Yuan, old.Paid);
        Assert.Equal(95 * Yuan * 200 / 10_000, old.CarePointsEarned); // 5411 earns double in the care programme
        Assert.Equal((0L, 0L), (other.Discount, other.CarePointsEarned));
        var points = Assert.Single(await host.Get<Retail.PointsBook>().BalancesAsync(elderly.HolderId, default));
        Assert.Equal((care.Id, old.CarePointsEarned), (points.ProgrammeId, points.Usable));
    }
}
