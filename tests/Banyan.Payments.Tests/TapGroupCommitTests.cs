using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Payments.Retail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Tests;

/// <summary>Group commit of tap writes: grouped taps succeed or fail each on their own, and a crash mid-group leaves ledger and module consistent.</summary>
public sealed class TapGroupCommitTests
{
    [Fact]
    public async Task Concurrent_taps_of_one_coupon_by_many_holders_exhaust_the_budget_exactly()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync(feeBps: 0);
        var coupon = await s.CouponAsync(value: 500, budget: 10 * 500, perCustomer: 1);
        var customers = new List<Contracts.CustomerAccount>();
        for (var i = 0; i < 40; i++) customers.Add(await s.CustomerAsync(10_000));
        var groupsBefore = host.Get<TapCommitter>().Groups;

        var results = await Task.WhenAll(customers.Select(c => Task.Run(() => s.TapAsync(c.AccountId, merchant, 2_000, coupon.Code))));

        await WaitUntilAsync(() => host.Get<TapCommitter>().Uncommitted == 0); // completed marks follow the answers
        Assert.Equal(10, results.Count(r => r.Completed));
        Assert.All(results.Where(r => !r.Completed), r => Assert.Equal("coupon_budget_exhausted", r.Reason));
        Assert.Equal(0, await s.CouponBudgetAsync(coupon));
        Assert.Equal(10, await s.RedemptionsAsync(coupon));
        Assert.Equal(10 * 2_000, await s.MerchantBalanceAsync(merchant));
        Assert.Equal(40, await TapsAsync(host, "completed") + await TapsAsync(host, "rejected"));
        Assert.Equal(0, await TapsAsync(host, "pending"));
        Assert.True(host.Get<TapCommitter>().Groups > groupsBefore);
    }

    [Fact]
    public async Task A_chain_failing_in_a_group_leaves_the_others_committed_and_its_own_coupon_and_points_unchanged()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var programme = await s.ProgrammeAsync();
        var withPoints = await s.MerchantAsync(programme: programme.Id);
        var merchant = await s.MerchantAsync(); // no points: the grouped taps need no points account created (that write waits for the gate)
        var coupon = await s.CouponAsync(value: 500, perCustomer: 2);
        var rich = new List<Contracts.CustomerAccount>();
        for (var i = 0; i < 7; i++) rich.Add(await s.CustomerAsync(100_000));
        var poor = await s.CustomerAsync(10_000);
        Assert.True((await s.TapAsync(poor.AccountId, withPoints, 5_000)).Completed); // earns 100 points, leaves 5,000
        var committer = host.Get<TapCommitter>();
        await WaitUntilAsync(() => committer.Uncommitted == 0); // its completed mark (lot pending → active) follows the answer
        var poorBefore = await PoorStateAsync();
        var (groups, writes) = (committer.Groups, committer.WritesCommitted);

        // Hold the module's write gate so every tap's pending write queues up; released, they commit together.
        Task<TapResult>[] taps;
        using (await host.Get<WriteGate>().EnterAsync(default))
        {
            taps = [.. rich.Select(c => Task.Run(() => s.TapAsync(c.AccountId, merchant, 3_000, coupon.Code))),
                Task.Run(() => s.TapAsync(poor.AccountId, withPoints, 9_000, coupon.Code, points: 50))];
            await WaitUntilAsync(() => committer.Uncommitted >= 8);
        }

        var results = await Task.WhenAll(taps);

        await WaitUntilAsync(() => committer.Uncommitted == 0); // completed marks follow the answers
        Assert.All(results[..7], r => Assert.True(r.Completed));
        Assert.Equal("insufficient_funds", results[7].Reason);
        Assert.Equal(poorBefore, await PoorStateAsync());
        Assert.Equal(7, await s.RedemptionsAsync(coupon));
        Assert.Equal(writes + 16, committer.WritesCommitted);
        Assert.True(committer.Groups - groups < 16, $"{committer.Groups - groups} groups for 16 writes: nothing was grouped");
        Assert.Equal(0, await TapsAsync(host, "pending"));

        async Task<string> PoorStateAsync()
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            var holder = poor.CustomerId;
            var lots = await db.Set<PointsLotRow>().Join(db.Set<PointsAccountRow>().Where(a => a.HolderId == holder), l => l.PointsAccountId, a => a.Id, (l, a) => new { l.Id, l.Remaining, l.Status })
                .OrderBy(l => l.Id).ToListAsync();
            return string.Join('|', await s.BalanceAsync(poor.AccountId), await s.UsablePointsAsync(holder), string.Join(',', lots.Select(l => $"{l.Remaining}:{l.Status}")),
                await db.Set<CouponRedemptionRow>().CountAsync(r => r.HolderId == holder), await s.MerchantBalanceAsync(withPoints));
        }
    }

    [Fact]
    public async Task Two_taps_with_one_payment_id_in_one_group_pay_once_and_the_other_is_a_conflict_that_changes_nothing()
    {
        await using var host = await PaymentsHost.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync(feeBps: 0);
        var coupon = await s.CouponAsync(value: 500, perCustomer: 1);
        var (a, b) = (await s.CustomerAsync(10_000), await s.CustomerAsync(10_000));
        var committer = host.Get<TapCommitter>();

        // Different payers hold different holder locks, so both pass the "already used?" read; the unique
        // index decides inside the group, and only the loser's savepoint is rolled back.
        Task<TapResult>[] taps;
        using (await host.Get<WriteGate>().EnterAsync(default))
        {
            taps = [Task.Run(() => s.TapAsync(a.AccountId, merchant, 2_000, coupon.Code, paymentId: "twice")), Task.Run(() => s.TapAsync(b.AccountId, merchant, 2_000, coupon.Code, paymentId: "twice"))];
            await WaitUntilAsync(() => committer.Uncommitted >= 2);
        }

        var outcomes = await Task.WhenAll(taps.Select(async t =>
        {
            try { return (await t).Completed ? "paid" : "declined"; }
            catch (PaymentsConflictException) { return "conflict"; }
        }));
        await WaitUntilAsync(() => committer.Uncommitted == 0);

        Assert.Equal(["conflict", "paid"], outcomes.Order());
        Assert.Equal(1, await s.RedemptionsAsync(coupon));
        Assert.Equal(2_000, await s.MerchantBalanceAsync(merchant));
        Assert.Equal(18_500, await s.BalanceAsync(a.AccountId) + await s.BalanceAsync(b.AccountId));
        Assert.Equal(1, await TapsAsync(host, "completed"));
        Assert.Equal(0, await TapsAsync(host, "pending"));
    }

    [Fact]
    public async Task A_crash_after_the_pending_group_and_before_posting_rejects_every_tap_of_the_group_and_gives_their_state_back()
    {
        var directory = NewDirectory();
        string before;
        Contracts.CustomerAccount customer;
        MerchantRow merchant;
        Retail.CouponRow coupon;
        await using (var host = await PaymentsHost.StartOnAsync(directory))
        {
            var s = new RetailScene(host);
            var programme = await s.ProgrammeAsync();
            merchant = await s.MerchantAsync(programme: programme.Id);
            coupon = await s.CouponAsync(perCustomer: 5);
            customer = await s.CustomerAsync(50_000);
            Assert.True((await s.TapAsync(customer.AccountId, merchant, 10_000)).Completed); // 200 points
            await host.Get<TapCommitter>().SettledAsync(customer.CustomerId);
            before = await s.StateAsync(customer, merchant, coupon);
            var lot = await FirstActiveLotAsync(host);
            await WriteGroupAsync(host, customer, merchant, coupon, count: 3, lot: lot);
            Assert.NotEqual(before, await s.StateAsync(customer, merchant, coupon));
        }

        await using (var restarted = await PaymentsHost.StartOnAsync(directory))
        {
            var s = new RetailScene(restarted);
            Assert.Equal(before, await s.StateAsync(customer, merchant, coupon));
            Assert.Equal(0, await TapsAsync(restarted, "pending"));
            Assert.Equal(3, await TapsAsync(restarted, "rejected"));
        }

        Delete(directory);
    }

    [Fact]
    public async Task A_crash_after_posting_and_before_the_completion_group_completes_the_posted_taps_only()
    {
        var directory = NewDirectory();
        Contracts.CustomerAccount customer;
        MerchantRow merchant;
        Retail.CouponRow coupon;
        long[] ids;
        await using (var host = await PaymentsHost.StartOnAsync(directory))
        {
            var s = new RetailScene(host);
            merchant = await s.MerchantAsync();
            coupon = await s.CouponAsync(value: 100, perCustomer: 5);
            customer = await s.CustomerAsync(50_000);
            ids = await WriteGroupAsync(host, customer, merchant, coupon, count: 4, lot: null);
            // The ledger commits the batches of the first two taps; the process dies before their completion is written.
            foreach (var id in ids[..2]) Assert.All(await host.Get<LedgerEngine>().CreateTransfersAsync(Legs(customer, merchant, coupon, id)), r => Assert.Equal(CreateTransferResult.Created, r));
        }

        await using (var restarted = await PaymentsHost.StartOnAsync(directory))
        {
            var s = new RetailScene(restarted);
            await using var scope = restarted.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            var taps = await db.Set<TapRow>().Where(t => ids.Contains(t.Id)).OrderBy(t => t.Id).Select(t => t.Status).ToListAsync();
            Assert.Equal(["completed", "completed", "rejected", "rejected"], taps);
            Assert.Equal(2, await s.RedemptionsAsync(coupon));
            Assert.Equal(2, await db.Set<CouponRedemptionRow>().CountAsync(r => r.CouponId == coupon.Id && r.Status == "completed"));
            Assert.Equal(50_000 - (2 * 900), await s.BalanceAsync(customer.AccountId));
            Assert.Equal(2 * 1_000, await s.MerchantBalanceAsync(merchant));
            var replay = await s.TapAsync(customer.AccountId, merchant, 1_000, coupon.Code, paymentId: "group-0");
            Assert.Equal(2, replay.Receipt!.Legs.Count);
            Assert.Equal("interrupted", (await s.TapAsync(customer.AccountId, merchant, 1_000, coupon.Code, paymentId: "group-3")).Reason);
        }

        Delete(directory);
    }

    /// <summary>Writes <paramref name="count"/> pending taps through the committer in one group (the write gate held while they queue).</summary>
    private static async Task<long[]> WriteGroupAsync(PaymentsHost host, Contracts.CustomerAccount customer, MerchantRow merchant, Retail.CouponRow coupon, int count, PointsLotRow? lot)
    {
        var committer = host.Get<TapCommitter>();
        var groups = committer.Groups;
        var rows = Enumerable.Range(0, count).Select(i => new TapRow
        {
            Initiator = "test", PaymentId = "group-" + i.ToString(CultureInfo.InvariantCulture), MerchantRowId = merchant.Id,
            PayerAccountId = customer.AccountId.ToString(CultureInfo.InvariantCulture), HolderId = customer.CustomerId, Ledger = 156, Amount = 1_000,
            CouponId = coupon.Id, CouponSubsidy = 100, Paid = 900, LotUsage = lot is null ? "" : $"{lot.Id}:10", Legs = 2, Status = "pending",
            CreatedAtUnixMs = 1, BusinessDay = 20261126,
        }).ToList();
        Task<long>[] writes;
        using (await host.Get<WriteGate>().EnterAsync(default))
        {
            writes = [.. rows.Select(r => committer.WritePendingAsync(new PendingTap(r,
                new CouponRedemptionRow { CouponId = coupon.Id, HolderId = customer.CustomerId, Amount = 100, Status = "pending" },
                lot is null ? [] : [new PointsLotRow { PointsAccountId = lot.PointsAccountId, Earned = 5, Remaining = 5, ExpiresAtUnixMs = long.MaxValue, Status = "pending" }],
                lot is null ? [] : [(lot.Id, 10L)]), default))];
            await WaitUntilAsync(() => committer.Uncommitted >= count);
        }

        var ids = await Task.WhenAll(writes);
        Assert.True(committer.Groups - groups <= 2);
        return ids;
    }

    private static Transfer[] Legs(Contracts.CustomerAccount customer, MerchantRow merchant, Retail.CouponRow coupon, long tapId) =>
    [
        new() { Id = PaymentsChart.TransferId(PaymentTransferKind.Tap, 0, tapId), DebitAccountId = customer.AccountId, CreditAccountId = PaymentsChart.Party(PaymentAccountKind.Merchant, merchant.Id),
            Amount = 900, Ledger = 156, Code = PaymentCodes.TapPayment, Flags = TransferFlags.Linked },
        new() { Id = PaymentsChart.TransferId(PaymentTransferKind.Tap, 1, tapId), DebitAccountId = PaymentsChart.Party(PaymentAccountKind.CouponFunding, coupon.Id),
            CreditAccountId = PaymentsChart.Party(PaymentAccountKind.Merchant, merchant.Id), Amount = 100, Ledger = 156, Code = PaymentCodes.CouponSubsidy },
    ];

    private static async Task<PointsLotRow> FirstActiveLotAsync(PaymentsHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<PointsLotRow>().AsNoTracking().SingleAsync(l => l.Status == "active");
    }

    private static async Task<int> TapsAsync(PaymentsHost host, string status)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<TapRow>().CountAsync(t => t.Status == status);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Yield();
        }
    }

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "banyan-taps-" + Guid.NewGuid().ToString("N"));

    private static void Delete(string directory)
    {
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }
}
