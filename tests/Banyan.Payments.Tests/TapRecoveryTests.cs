using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Payments.Retail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Tests;

/// <summary>What start-up finds after a crash between writing a tap pending and recording the ledger's answer.</summary>
public sealed class TapRecoveryTests
{
    [Fact]
    public async Task A_tap_left_pending_before_posting_is_rejected_and_its_coupon_use_and_points_are_given_back()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var programme = await s.ProgrammeAsync();
        var merchant = await s.MerchantAsync(programme: programme.Id);
        var coupon = await s.CouponAsync(perCustomer: 1);
        var customer = await s.CustomerAsync(50_000);
        Assert.True((await s.TapAsync(customer.AccountId, merchant, 10_000)).Completed); // 200 points
        await host.Get<TapCommitter>().SettledAsync(customer.CustomerId); // its completed mark is written after the answer
        var before = await s.StateAsync(customer, merchant, coupon);

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            var lot = await db.Set<PointsLotRow>().SingleAsync(l => l.Status == "active");
            var row = PendingRow(customer, merchant, coupon.Id, $"{lot.Id}:50");
            db.Add(row);
            await db.SaveChangesAsync();
            lot.Remaining -= 50;
            db.Add(new CouponRedemptionRow { CouponId = coupon.Id, HolderId = customer.CustomerId, TapId = row.Id, Amount = 1_000, Status = "pending" });
            await db.SaveChangesAsync();
        }

        Assert.NotEqual(before, await s.StateAsync(customer, merchant, coupon));
        await host.Get<TapToPay>().SettlePendingAsync(default);

        Assert.Equal(before, await s.StateAsync(customer, merchant, coupon));
        await using var check = host.Services.CreateAsyncScope();
        var tap = await check.ServiceProvider.GetRequiredService<DbContext>().Set<TapRow>().SingleAsync(t => t.PaymentId == "crashed");
        Assert.Equal(("rejected", "interrupted"), (tap.Status, tap.Reason));
    }

    [Fact]
    public async Task A_tap_whose_batch_reached_the_ledger_before_the_crash_is_completed()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync();
        var coupon = await s.CouponAsync(perCustomer: 1);
        var customer = await s.CustomerAsync(50_000);
        long tapId;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            var row = PendingRow(customer, merchant, coupon.Id, "");
            db.Add(row);
            await db.SaveChangesAsync();
            tapId = row.Id;
            db.Add(new CouponRedemptionRow { CouponId = coupon.Id, HolderId = customer.CustomerId, TapId = row.Id, Amount = 1_000, Status = "pending" });
            await db.SaveChangesAsync();
        }

        var leg = new Transfer
        {
            Id = PaymentsChart.TransferId(PaymentTransferKind.Tap, 0, tapId), DebitAccountId = customer.AccountId,
            CreditAccountId = PaymentsChart.Party(PaymentAccountKind.Merchant, merchant.Id), Amount = 1_000, Ledger = 156, Code = PaymentCodes.TapPayment,
        };
        Assert.Equal(CreateTransferResult.Created, (await host.Get<LedgerEngine>().CreateTransfersAsync(new[] { leg }))[0]);

        await host.Get<TapToPay>().SettlePendingAsync(default);

        await using var check = host.Services.CreateAsyncScope();
        var db2 = check.ServiceProvider.GetRequiredService<DbContext>();
        Assert.Equal("completed", (await db2.Set<TapRow>().SingleAsync(t => t.Id == tapId)).Status);
        Assert.Equal("completed", (await db2.Set<CouponRedemptionRow>().SingleAsync(r => r.TapId == tapId)).Status);
        var replay = await s.TapAsync(customer.AccountId, merchant, 1_000, coupon.Code, paymentId: "crashed");
        Assert.Equal(leg.Id, Assert.Single(replay.Receipt!.Legs).TransferId);
    }

    private static TapRow PendingRow(Contracts.CustomerAccount customer, MerchantRow merchant, long couponId, string lotUsage) => new()
    {
        Initiator = "test", PaymentId = "crashed", MerchantRowId = merchant.Id, PayerAccountId = customer.AccountId.ToString(CultureInfo.InvariantCulture),
        HolderId = customer.CustomerId, Ledger = 156, Amount = 1_000, CouponId = couponId, Paid = 1_000, LotUsage = lotUsage, Legs = 1, Status = "pending",
        CreatedAtUnixMs = 1, BusinessDay = 20261126,
    };
}
