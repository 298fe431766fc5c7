using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Payments.Retail;
using Banyan.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Tests;

/// <summary>
/// What the next close, the sweep and start-up find after a crash in the middle of closing a coupon campaign
/// (decision 0637): the closure row <c>closing</c>, with or without the linked return + closing pair in the ledger.
/// </summary>
[Collection(WalletHostsCollection.Name)]
public sealed class CouponCloseRecoveryTests
{
    private static readonly UInt128 Marketing = PaymentsChart.Bank(PaymentAccountKind.Marketing, RetailScene.Cny);

    [Fact]
    public async Task A_close_left_closing_after_its_batch_reached_the_ledger_is_finished_by_the_next_close_without_a_second_return()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var s = new RetailScene(host);
        var (merchant, coupon, customer) = await CampaignAsync(s, taps: 2); // 10,000 − 2 × 700 left
        var marketingBefore = await FundedAsync(host, Marketing);
        await WriteClosingAsync(host, coupon, "cancelled");
        await PostPairAsync(host, coupon);
        Assert.Equal(marketingBefore - 8_600, await FundedAsync(host, Marketing)); // the crash: ledger moved, row still closing
        Assert.Null(await host.Get<CouponBudgetReturn>().FindAsync(coupon, default));

        using var api = await host.App.CreateAuthorizedClientAsync();
        using var response = await api.PostAsJsonAsync(new Uri($"v1/payments/coupons/{coupon.Code}/close", UriKind.Relative), new { });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("closed", "cancelled", 8_600L), (body.GetProperty("status").GetString(), body.GetProperty("reason").GetString(), body.GetProperty("returned").GetInt64()));
        Assert.Equal(("closed", 8_600L), await ClosureAsync(host, coupon));
        Assert.Equal(8_600L, (await host.Get<CouponBudgetReturn>().CloseAsync(coupon.Code, default)).Returned);
        Assert.Equal(0, await SweepAsync(host));
        await AssertReturnedOnceAsync(host, s, coupon, marketingBefore, 8_600);
        await AssertTapDeclinedClosedAsync(s, customer, merchant, coupon);
    }

    [Fact]
    public async Task A_close_left_closing_before_its_batch_was_posted_is_posted_once_by_the_next_close()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var s = new RetailScene(host);
        var (merchant, coupon, customer) = await CampaignAsync(s, taps: 3);
        var marketingBefore = await FundedAsync(host, Marketing);
        await WriteClosingAsync(host, coupon, "cancelled");
        Assert.Equal(10_000 - (3 * 700), await s.CouponBudgetAsync(coupon)); // nothing reached the ledger
        var closer = host.Get<CouponBudgetReturn>();

        var closed = await closer.CloseAsync(coupon.Code, default);
        var again = await closer.CloseAsync(coupon.Code, default);

        Assert.Equal(("cancelled", 7_900L), (closed.Reason, closed.Returned));
        Assert.Equal(closed, again);
        Assert.Equal(("closed", 7_900L), await ClosureAsync(host, coupon));
        Assert.Equal(0, await SweepAsync(host));
        await AssertReturnedOnceAsync(host, s, coupon, marketingBefore, 7_900);
        await AssertTapDeclinedClosedAsync(s, customer, merchant, coupon);
    }

    [Fact]
    public async Task A_cancelled_close_left_closing_before_its_batch_was_posted_is_posted_once_by_the_sweep()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var s = new RetailScene(host);
        var (merchant, coupon, customer) = await CampaignAsync(s, taps: 4);
        var marketingBefore = await FundedAsync(host, Marketing);
        await WriteClosingAsync(host, coupon, "cancelled");

        Assert.Equal(1, await SweepAsync(host));
        Assert.Equal(0, await SweepAsync(host));

        Assert.Equal(("closed", 7_200L), await ClosureAsync(host, coupon));
        Assert.Equal("cancelled", (await host.Get<CouponBudgetReturn>().FindAsync(coupon, default))!.Reason);
        await AssertReturnedOnceAsync(host, s, coupon, marketingBefore, 7_200);
        await AssertTapDeclinedClosedAsync(s, customer, merchant, coupon);
    }

    [Fact]
    public async Task An_ended_campaign_left_closing_after_its_batch_reached_the_ledger_is_finished_by_the_sweep_without_a_second_return()
    {
        await using var host = await WalletTestHosts.StartWithClockAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync();
        var coupon = await s.CouponAsync(value: 400, budget: 8_000, until: host.Clock!.GetUtcNow().AddHours(1));
        var customer = await s.CustomerAsync(100_000);
        Assert.True((await s.TapAsync(customer.AccountId, merchant, 5_000, coupon.Code)).Completed);
        host.Clock.Advance(TimeSpan.FromHours(2));
        var marketingBefore = await FundedAsync(host, Marketing);
        await WriteClosingAsync(host, coupon, "expired");
        await PostPairAsync(host, coupon);

        Assert.Equal(1, await SweepAsync(host));

        var closure = (await host.Get<CouponBudgetReturn>().FindAsync(coupon, default))!;
        Assert.Equal(("expired", 7_600L), (closure.Reason, closure.Returned));
        Assert.Equal(0, await SweepAsync(host));
        Assert.Equal(closure, await host.Get<CouponBudgetReturn>().CloseAsync(coupon.Code, default));
        await AssertReturnedOnceAsync(host, s, coupon, marketingBefore, 7_600);
        // After valid_until the planner declines before the ledger is asked.
        var before = await s.StateAsync(customer, merchant, coupon);
        Assert.Equal("coupon_expired", (await s.TapAsync(customer.AccountId, merchant, 5_000, coupon.Code)).Reason);
        Assert.Equal(before, await s.StateAsync(customer, merchant, coupon));
    }

    [Fact]
    public async Task A_restart_finishes_a_cancelled_close_whose_batch_reached_the_ledger_without_a_second_return()
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-coupons-" + Guid.NewGuid().ToString("N"));
        MerchantRow merchant;
        CouponRow coupon;
        Contracts.CustomerAccount customer;
        long marketingBefore;
        await using (var host = await WalletTestHosts.StartOnAsync(directory))
        {
            var s = new RetailScene(host);
            (merchant, coupon, customer) = await CampaignAsync(s, taps: 1);
            marketingBefore = await FundedAsync(host, Marketing);
            await WriteClosingAsync(host, coupon, "cancelled");
            await PostPairAsync(host, coupon);
        }

        try
        {
            await using var restarted = await WalletTestHosts.StartOnAsync(directory);
            var s = new RetailScene(restarted);
            var closer = restarted.Get<CouponBudgetReturn>();

            // The start-up sweep, nobody calling close again: the funding account is closed, so the row must say so too.
            await WaitUntilAsync(async () => await closer.FindAsync(coupon, default) is not null);

            var closure = (await closer.FindAsync(coupon, default))!;
            Assert.Equal(("cancelled", 9_300L), (closure.Reason, closure.Returned));
            Assert.Equal(closure, await closer.CloseAsync(coupon.Code, default));
            await AssertReturnedOnceAsync(restarted, s, coupon, marketingBefore, 9_300);
            await AssertTapDeclinedClosedAsync(s, customer, merchant, coupon);
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A merchant, a 10,000 budget coupon worth 700 a use, a funded customer and <paramref name="taps"/> uses of the coupon.</summary>
    private static async Task<(MerchantRow, CouponRow, Contracts.CustomerAccount)> CampaignAsync(RetailScene s, int taps)
    {
        var merchant = await s.MerchantAsync();
        var coupon = await s.CouponAsync(value: 700, budget: 10_000, perCustomer: 5);
        var customer = await s.CustomerAsync(100_000);
        for (var i = 0; i < taps; i++) Assert.True((await s.TapAsync(customer.AccountId, merchant, 5_000, coupon.Code)).Completed);
        return (merchant, coupon, customer);
    }

    /// <summary>The closure row as <see cref="CouponBudgetReturn"/> saves it before posting: what a crash right after that save leaves.</summary>
    private static async Task WriteClosingAsync(PaymentsHost host, CouponRow coupon, string reason)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
        db.Add(new CouponClosureRow { CouponId = coupon.Id, Reason = reason, Status = "closing", ClosedAtUnixMs = now });
        await db.SaveChangesAsync();
    }

    /// <summary>The linked pair with the decision's fixed ids (set-up kind, legs 2 and 3): a balancing return and a zero closing pending transfer.</summary>
    private static async Task PostPairAsync(PaymentsHost host, CouponRow coupon)
    {
        var funding = PaymentsChart.Party(PaymentAccountKind.CouponFunding, coupon.Id);
        Transfer[] pair =
        [
            new()
            {
                Id = CouponBudgetReturn.ReturnTransferId(coupon.Id), DebitAccountId = funding, CreditAccountId = Marketing, Amount = (UInt128)coupon.Budget,
                Ledger = RetailScene.Cny.Ledger, Code = PaymentCodes.CouponBudget, UserData64 = (ulong)coupon.Id, Flags = TransferFlags.Linked | TransferFlags.BalancingDebit,
            },
            new()
            {
                Id = PaymentsChart.TransferId(PaymentTransferKind.Setup, 3, coupon.Id), DebitAccountId = funding, CreditAccountId = Marketing, Amount = UInt128.Zero,
                Ledger = RetailScene.Cny.Ledger, Code = PaymentCodes.CouponBudget, UserData64 = (ulong)coupon.Id, Flags = TransferFlags.Pending | TransferFlags.ClosingDebit,
            },
        ];
        Assert.All(await host.Get<LedgerEngine>().CreateTransfersAsync(pair), r => Assert.Equal(CreateTransferResult.Created, r));
    }

    /// <summary>Marketing moved by exactly one return of <paramref name="returned"/>, the funding account is empty and closed.</summary>
    private static async Task AssertReturnedOnceAsync(PaymentsHost host, RetailScene s, CouponRow coupon, long marketingBefore, long returned)
    {
        Assert.Equal(marketingBefore - returned, await FundedAsync(host, Marketing));
        Assert.Equal(0, await s.CouponBudgetAsync(coupon));
        var funding = (await host.Get<LedgerEngine>().LookupAccountsAsync(new[] { PaymentsChart.Party(PaymentAccountKind.CouponFunding, coupon.Id) }))[0];
        Assert.True((funding.Flags & AccountFlags.Closed) != 0);
        var transfer = Assert.Single(await host.Get<LedgerEngine>().LookupTransfersAsync(new[] { CouponBudgetReturn.ReturnTransferId(coupon.Id) }));
        Assert.Equal((UInt128)returned, transfer.Amount);
    }

    private static async Task AssertTapDeclinedClosedAsync(RetailScene s, Contracts.CustomerAccount customer, MerchantRow merchant, CouponRow coupon)
    {
        var before = await s.StateAsync(customer, merchant, coupon);
        Assert.Equal("coupon_closed", (await s.TapAsync(customer.AccountId, merchant, 5_000, coupon.Code)).Reason);
        Assert.Equal(before, await s.StateAsync(customer, merchant, coupon));
    }

    private static async Task<(string Status, long Returned)> ClosureAsync(PaymentsHost host, CouponRow coupon)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<CouponClosureRow>().AsNoTracking().SingleAsync(x => x.CouponId == coupon.Id);
        return (row.Status, row.Returned);
    }

    /// <summary>Marketing is debit-normal: what it has funded so far.</summary>
    private static async Task<long> FundedAsync(PaymentsHost host, UInt128 account)
    {
        var a = (await host.Get<LedgerEngine>().LookupAccountsAsync(new[] { account }))[0];
        return checked((long)a.DebitsPosted - (long)a.CreditsPosted);
    }

    /// <summary>One sweep of ended campaigns; how many it closed.</summary>
    private static Task<int> SweepAsync(PaymentsHost host) => host.Get<CouponBudgetReturn>().SweepExpiredAsync(default);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Yield();
        }
    }
}
