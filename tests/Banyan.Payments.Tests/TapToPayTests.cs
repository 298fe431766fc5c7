using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Platform.Money;

namespace Banyan.Payments.Tests;

public sealed class TapToPayTests
{
    [Fact]
    public async Task A_tap_with_coupon_and_points_is_one_linked_batch_and_every_leg_is_in_the_ledger()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var programme = await s.ProgrammeAsync(rateBps: 100);
        var merchant = await s.MerchantAsync("5411", feeBps: 60, programme: programme.Id);
        var coupon = await s.CouponAsync("percent_off", value: 1_000, cap: 1_500, minSpend: 5_000);
        var customer = await s.CustomerAsync(100_000);

        var first = await s.TapAsync(customer.AccountId, merchant, 10_000); // earns 2% at 5411 = 200 points
        Assert.True(first.Completed, first.Detail);
        Assert.Equal(200, first.Receipt!.PointsEarned);
        Assert.Equal(200, await s.UsablePointsAsync(customer.CustomerId));

        var tap = await s.TapAsync(customer.AccountId, merchant, 20_000, coupon.Code, points: 150);
        Assert.True(tap.Completed, tap.Detail);
        var r = tap.Receipt!;
        Assert.Equal(1_500, r.CouponSubsidy); // 10% of 200.00 = 20.00, capped at 15.00
        Assert.Equal(150, r.PointsRedeemed);
        Assert.Equal(20_000 - 1_500 - 150, r.Paid);
        Assert.Equal((20_000 - 1_500 - 150) * 200 / 10_000, r.PointsEarned);
        Assert.Equal(20_000 * 60 / 10_000, r.Fee);
        Assert.Equal(["payment", "coupon_subsidy", "points_redeemed", "points_earned", "merchant_fee"], r.Legs.Select(l => l.Role));

        var stored = await host.Get<LedgerEngine>().LookupTransfersAsync(r.Legs.Select(l => l.TransferId).ToArray());
        Assert.Equal(5, stored.Length);
        Assert.All(stored[..^1], t => Assert.True(t.Flags.HasFlag(TransferFlags.Linked)));
        Assert.False(stored[^1].Flags.HasFlag(TransferFlags.Linked));
        Assert.Equal(100_000 - 10_000 - r.Paid, await s.BalanceAsync(customer.AccountId));
        Assert.Equal(10_000 + 20_000 - (10_000 * 60 / 10_000) - r.Fee, await s.MerchantBalanceAsync(merchant));
        Assert.Equal(100_000 - 1_500, await s.CouponBudgetAsync(coupon));
        Assert.Equal(200 - 150 + r.PointsEarned, await s.UsablePointsAsync(customer.CustomerId));
    }

    [Fact]
    public async Task Coupon_budget_exhausted_mid_batch_declines_and_leaves_ledger_and_coupon_state_unchanged()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var programme = await s.ProgrammeAsync();
        var merchant = await s.MerchantAsync(programme: programme.Id);
        var coupon = await s.CouponAsync("amount_off", value: 1_000, budget: 1_500);
        var a = await s.CustomerAsync(50_000);
        var b = await s.CustomerAsync(50_000);
        Assert.True((await s.TapAsync(a.AccountId, merchant, 10_000, coupon.Code)).Completed);
        Assert.True((await s.TapAsync(b.AccountId, merchant, 5_000)).Completed); // b earns points to redeem below
        var before = await s.StateAsync(b, merchant, coupon);

        // The payment, points and fee legs would pass; the coupon leg finds 500 left of 1,000 and the whole batch is refused.
        var declined = await s.TapAsync(b.AccountId, merchant, 10_000, coupon.Code, points: 50);

        Assert.False(declined.Completed);
        Assert.Equal("coupon_budget_exhausted", declined.Reason);
        Assert.Equal(before, await s.StateAsync(b, merchant, coupon));
        Assert.Equal(500, await s.CouponBudgetAsync(coupon));
        Assert.Equal(1, await s.RedemptionsAsync(coupon));
    }

    [Fact]
    public async Task Expired_not_yet_valid_and_below_minimum_spend_coupons_decline_and_change_nothing()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync();
        var now = DateTimeOffset.UtcNow;
        var expired = await s.CouponAsync(from: now.AddDays(-10), until: now.AddDays(-1));
        var future = await s.CouponAsync(from: now.AddDays(1), until: now.AddDays(10));
        var minSpend = await s.CouponAsync(minSpend: 50_000);
        var customer = await s.CustomerAsync(100_000);
        var before = await s.StateAsync(customer, merchant, null);

        Assert.Equal("coupon_expired", (await s.TapAsync(customer.AccountId, merchant, 10_000, expired.Code)).Reason);
        Assert.Equal("coupon_not_yet_valid", (await s.TapAsync(customer.AccountId, merchant, 10_000, future.Code)).Reason);
        Assert.Equal("coupon_min_spend", (await s.TapAsync(customer.AccountId, merchant, 10_000, minSpend.Code)).Reason);
        Assert.Equal("coupon_not_found", (await s.TapAsync(customer.AccountId, merchant, 10_000, "NOPE")).Reason);

        Assert.Equal(before, await s.StateAsync(customer, merchant, null));
        foreach (var c in new[] { expired, future, minSpend })
        {
            Assert.Equal(0, await s.RedemptionsAsync(c));
            Assert.Equal(c.Budget, await s.CouponBudgetAsync(c));
        }
    }

    [Fact]
    public async Task The_per_customer_limit_declines_the_next_use_but_not_another_customer()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync();
        var coupon = await s.CouponAsync(value: 500, perCustomer: 2);
        var a = await s.CustomerAsync(100_000);
        var b = await s.CustomerAsync(100_000);
        Assert.True((await s.TapAsync(a.AccountId, merchant, 2_000, coupon.Code)).Completed);
        Assert.True((await s.TapAsync(a.AccountId, merchant, 2_000, coupon.Code)).Completed);
        var before = await s.StateAsync(a, merchant, coupon);

        var third = await s.TapAsync(a.AccountId, merchant, 2_000, coupon.Code);

        Assert.Equal("coupon_limit_reached", third.Reason);
        Assert.Equal(before, await s.StateAsync(a, merchant, coupon));
        Assert.True((await s.TapAsync(b.AccountId, merchant, 2_000, coupon.Code)).Completed);
        Assert.Equal(3, await s.RedemptionsAsync(coupon));
    }

    [Fact]
    public async Task Insufficient_funds_declines_the_whole_batch_and_gives_back_the_coupon_use_and_the_points()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var programme = await s.ProgrammeAsync();
        var merchant = await s.MerchantAsync(programme: programme.Id);
        var coupon = await s.CouponAsync(value: 500, perCustomer: 1);
        var customer = await s.CustomerAsync(20_000);
        Assert.True((await s.TapAsync(customer.AccountId, merchant, 10_000)).Completed);
        var before = await s.StateAsync(customer, merchant, coupon);

        var declined = await s.TapAsync(customer.AccountId, merchant, 50_000, coupon.Code, points: 100);

        Assert.Equal("insufficient_funds", declined.Reason);
        Assert.Equal(before, await s.StateAsync(customer, merchant, coupon));
        // The coupon's single use was not consumed by the declined tap.
        Assert.True((await s.TapAsync(customer.AccountId, merchant, 5_000, coupon.Code, points: 100)).Completed);
    }

    [Fact]
    public async Task A_redemption_larger_than_the_first_lots_hold_draws_on_as_many_lots_as_it_needs()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var programme = await s.ProgrammeAsync(rateBps: 100);
        var merchant = await s.MerchantAsync("5999", feeBps: 0, programme: programme.Id); // 1% at a category without its own rate
        var customer = await s.CustomerAsync(1_000_000);
        for (var i = 0; i < 20; i++) Assert.True((await s.TapAsync(customer.AccountId, merchant, 1_000)).Completed); // 20 lots of 10 points
        Assert.Equal(200, await s.UsablePointsAsync(customer.CustomerId));

        var tooMany = await s.TapAsync(customer.AccountId, merchant, 50_000, points: 201);
        Assert.Equal("points_insufficient", tooMany.Reason);
        Assert.Contains("200 unexpired point(s) available", tooMany.Detail, StringComparison.Ordinal);

        var tap = await s.TapAsync(customer.AccountId, merchant, 50_000, points: 190); // 19 of the 20 lots
        Assert.True(tap.Completed, tap.Detail);
        Assert.Equal(190, tap.Receipt!.PointsRedeemed);
        Assert.Equal(200 - 190 + tap.Receipt.PointsEarned, await s.UsablePointsAsync(customer.CustomerId));
    }

    [Fact]
    public async Task Expired_points_cannot_be_redeemed_and_expire_back_to_marketing()
    {
        await using var host = await PaymentsHost.StartWithClockAsync();
        var s = new RetailScene(host);
        var programme = await s.ProgrammeAsync(expiryDays: 1);
        var merchant = await s.MerchantAsync(programme: programme.Id);
        var customer = await s.CustomerAsync(100_000);
        Assert.Equal(200, (await s.TapAsync(customer.AccountId, merchant, 10_000)).Receipt!.PointsEarned);
        host.Clock!.Advance(TimeSpan.FromDays(2));
        var before = await s.StateAsync(customer, merchant, null);

        Assert.Equal("points_insufficient", (await s.TapAsync(customer.AccountId, merchant, 1_000, points: 100)).Reason);
        Assert.Equal(before, await s.StateAsync(customer, merchant, null));

        var marketing = PaymentsChart.Bank(PaymentAccountKind.Marketing, Currencies.Cny);
        var marketingBefore = await s.BalanceAsync(marketing);
        Assert.Equal(200, await host.Get<Retail.PointsBook>().ExpireAsync(customer.CustomerId, default));
        Assert.Equal(marketingBefore + 200, await s.BalanceAsync(marketing));
        var points = Assert.Single(await host.Get<Retail.PointsBook>().BalancesAsync(customer.CustomerId, default));
        Assert.Equal(0, points.LedgerBalance);
    }

    [Fact]
    public async Task Retrying_a_tap_returns_the_first_receipt_and_moves_money_once()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync();
        var customer = await s.CustomerAsync(10_000);
        var first = await s.TapAsync(customer.AccountId, merchant, 3_000, paymentId: "same");
        var again = await s.TapAsync(customer.AccountId, merchant, 3_000, paymentId: "same");
        Assert.True(first.Completed);
        Assert.Equal(first.Receipt!.Legs, again.Receipt!.Legs);
        Assert.Equal(7_000, await s.BalanceAsync(customer.AccountId));
        await Assert.ThrowsAsync<PaymentsConflictException>(() => s.TapAsync(customer.AccountId, merchant, 4_000, paymentId: "same"));
    }

    [Fact]
    public async Task Concurrent_taps_never_spend_more_than_the_coupon_budget()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync();
        var coupon = await s.CouponAsync(value: 1_000, budget: 7_000);
        var customers = new List<Contracts.CustomerAccount>();
        for (var i = 0; i < 12; i++) customers.Add(await s.CustomerAsync(10_000));

        var results = await Task.WhenAll(customers.Select(c => s.TapAsync(c.AccountId, merchant, 2_000, coupon.Code)));

        Assert.Equal(7, results.Count(r => r.Completed));
        Assert.All(results.Where(r => !r.Completed), r => Assert.Equal("coupon_budget_exhausted", r.Reason));
        Assert.Equal(0, await s.CouponBudgetAsync(coupon));
        Assert.Equal(7, await s.RedemptionsAsync(coupon));
        Assert.Equal(12 * 2_000 - (5 * 2_000) - (7 * 2_000 * 60 / 10_000), await s.MerchantBalanceAsync(merchant));
    }
}
