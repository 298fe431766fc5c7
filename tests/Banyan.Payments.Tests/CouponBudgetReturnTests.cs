using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Payments.Retail;

namespace Banyan.Payments.Tests;

/// <summary>Closing a coupon campaign returns exactly what is left of its budget to marketing, once.</summary>
[Collection(WalletHostsCollection.Name)]
public sealed class CouponBudgetReturnTests
{
    [Fact]
    public async Task Closing_a_coupon_moves_exactly_the_remainder_to_marketing_and_a_second_close_changes_nothing()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync();
        var coupon = await s.CouponAsync(value: 700, budget: 10_000, perCustomer: 5);
        var customer = await s.CustomerAsync(100_000);
        for (var i = 0; i < 3; i++) Assert.True((await s.TapAsync(customer.AccountId, merchant, 5_000, coupon.Code)).Completed);
        var marketing = PaymentsChart.Bank(PaymentAccountKind.Marketing, RetailScene.Cny);
        var marketingBefore = await DebitBalanceAsync(host, marketing);
        var closer = host.Get<CouponBudgetReturn>();

        var closed = await closer.CloseAsync(coupon.Code, default);

        Assert.Equal(10_000 - (3 * 700), closed.Returned);
        Assert.Equal("cancelled", closed.Reason);
        Assert.Equal(0, await s.CouponBudgetAsync(coupon));
        Assert.Equal(marketingBefore - closed.Returned, await DebitBalanceAsync(host, marketing));
        var transfer = (await host.Get<LedgerEngine>().LookupTransfersAsync(new[] { closed.TransferId }))[0];
        Assert.Equal((UInt128)closed.Returned, transfer.Amount);
        Assert.Equal(PaymentsChart.Party(PaymentAccountKind.CouponFunding, coupon.Id), transfer.DebitAccountId);

        var again = await closer.CloseAsync(coupon.Code, default);

        Assert.Equal(closed, again);
        Assert.Equal(marketingBefore - closed.Returned, await DebitBalanceAsync(host, marketing));
        Assert.Equal(0, await s.CouponBudgetAsync(coupon));
    }

    [Fact]
    public async Task A_tap_with_a_closed_coupon_is_declined_coupon_closed_and_changes_nothing()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync();
        var coupon = await s.CouponAsync(value: 500, budget: 50_000);
        var customer = await s.CustomerAsync(100_000);
        await host.Get<CouponBudgetReturn>().CloseAsync(coupon.Code, default);
        var before = await s.StateAsync(customer, merchant, coupon);

        var declined = await s.TapAsync(customer.AccountId, merchant, 5_000, coupon.Code);

        Assert.Equal("coupon_closed", declined.Reason);
        Assert.Equal(before, await s.StateAsync(customer, merchant, coupon));
        Assert.True((await s.TapAsync(customer.AccountId, merchant, 5_000)).Completed); // the customer can still pay without it
    }

    [Fact]
    public async Task Taps_racing_a_close_either_land_before_it_or_are_refused_and_no_minor_unit_is_lost()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync(feeBps: 0);
        var coupon = await s.CouponAsync(value: 300, budget: 30_000, perCustomer: 1);
        var customers = new List<Contracts.CustomerAccount>();
        for (var i = 0; i < 16; i++) customers.Add(await s.CustomerAsync(10_000));

        var taps = customers.Select(c => s.TapAsync(c.AccountId, merchant, 2_000, coupon.Code)).ToList();
        var close = host.Get<CouponBudgetReturn>().CloseAsync(coupon.Code, default);
        var results = await Task.WhenAll(taps);
        var closed = await close;

        var used = results.Count(r => r.Completed);
        Assert.All(results.Where(r => !r.Completed), r => Assert.Equal("coupon_closed", r.Reason));
        Assert.Equal(30_000 - (used * 300), closed.Returned);
        Assert.Equal(used, await s.RedemptionsAsync(coupon));
        Assert.Equal(used * 2_000, await s.MerchantBalanceAsync(merchant));
    }

    [Fact]
    public async Task The_sweep_closes_only_ended_campaigns_and_taps_after_the_end_are_declined_expired()
    {
        await using var host = await WalletTestHosts.StartWithClockAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync();
        var now = host.Clock!.GetUtcNow();
        var ending = await s.CouponAsync(value: 400, budget: 8_000, until: now.AddHours(1));
        var running = await s.CouponAsync(value: 400, budget: 8_000, until: now.AddDays(10));
        var customer = await s.CustomerAsync(100_000);
        Assert.True((await s.TapAsync(customer.AccountId, merchant, 5_000, ending.Code)).Completed);
        var closer = host.Get<CouponBudgetReturn>();
        Assert.Equal(0, await closer.SweepExpiredAsync(default));

        host.Clock.Advance(TimeSpan.FromHours(2));
        var before = await s.StateAsync(customer, merchant, ending);
        Assert.Equal(1, await closer.SweepExpiredAsync(default));

        var closure = (await closer.FindAsync(ending, default))!;
        Assert.Equal(("expired", 7_600L), (closure.Reason, closure.Returned));
        Assert.Equal(0, await s.CouponBudgetAsync(ending));
        Assert.Equal(8_000, await s.CouponBudgetAsync(running));
        Assert.Null(await closer.FindAsync(running, default));
        Assert.Equal(0, await closer.SweepExpiredAsync(default));
        Assert.Equal("coupon_expired", (await s.TapAsync(customer.AccountId, merchant, 5_000, ending.Code)).Reason);
        Assert.Equal(before.Split('|')[0], (await s.StateAsync(customer, merchant, ending)).Split('|')[0]);
    }

    [Fact]
    public async Task Closing_an_unknown_coupon_is_not_found_and_a_malformed_code_is_invalid()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var closer = host.Get<CouponBudgetReturn>();
        await Assert.ThrowsAsync<PaymentsNotFoundException>(() => closer.CloseAsync("NO-SUCH", default));
        await Assert.ThrowsAsync<PaymentsInputException>(() => closer.CloseAsync(new string('x', 33), default));
    }

    /// <summary>Marketing is debit-normal: what it has funded so far.</summary>
    private static async Task<long> DebitBalanceAsync(PaymentsHost host, UInt128 account)
    {
        var a = (await host.Get<LedgerEngine>().LookupAccountsAsync(new[] { account }))[0];
        return checked((long)a.DebitsPosted - (long)a.CreditsPosted);
    }
}
