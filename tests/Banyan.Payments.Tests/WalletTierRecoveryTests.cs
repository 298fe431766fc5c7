using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Payments.Wallets;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Tests;

/// <summary>
/// What start-up finds after a crash in the middle of a wallet tier change (decision 0635): the change row
/// written <c>pending</c>, with or without its headroom transfer in the ledger, and the wallet row not updated.
/// </summary>
[Collection(WalletHostsCollection.Name)]
public sealed class WalletTierRecoveryTests
{
    private const long Yuan = 100;

    [Fact]
    public async Task A_tier_change_left_pending_before_its_transfer_was_posted_is_rejected_interrupted_and_changes_nothing()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var s = new RetailScene(host);
        var wallet = await s.WalletAsync("phone", funds: 1_000 * Yuan);
        var ledgerBefore = await HeadroomAsync(host, wallet);
        var change = await WritePendingAsync(host, wallet, "verified", "kyc-crashed");

        await host.Get<WalletBook>().SettlePendingAsync(default);

        Assert.Equal(("rejected", "interrupted"), await StatusAsync(host, change.Id));
        Assert.Empty(await host.Get<LedgerEngine>().LookupTransfersAsync(new[] { WalletTierChanges.TransferIdOf(change) }));
        Assert.Equal(Limits(wallet), Limits(await host.Get<WalletBook>().FindAsync(wallet.AccountId, default)));
        Assert.Equal(ledgerBefore, await HeadroomAsync(host, wallet));
        Assert.Equal(["tier_upgraded failed"], await AuditedAsync(host, wallet));

        // The same reference answers the recorded outcome (the change was never acknowledged) and posts nothing.
        var retried = await host.Get<WalletTierChanges>().ChangeAsync("test", wallet.AccountId, "verified", "kyc-crashed", default);

        Assert.False(retried.Completed);
        Assert.Equal(("interrupted", UInt128.Zero), (retried.Reason, retried.TransferId));
        Assert.Equal(WalletTierChanges.Describe("interrupted"), retried.Detail);
        Assert.Equal(Limits(wallet), Limits(retried.Wallet));
        Assert.Equal(ledgerBefore, await HeadroomAsync(host, wallet));
        Assert.Equal("wallet_balance_limit", (await TopUpAsync(host, wallet, "over-old-cap", 9_000 * Yuan + 1)).Reason);

        // A new reference is a new change and goes through once.
        var fresh = await host.Get<WalletTierChanges>().ChangeAsync("test", wallet.AccountId, "verified", "kyc-new", default);

        Assert.True(fresh.Completed);
        Assert.Equal(("verified", 500_000 * Yuan, 499_000 * Yuan), (fresh.Wallet.Tier, fresh.Wallet.BalanceLimit, fresh.Wallet.Headroom));
        Assert.Equal(ledgerBefore.Credits + (490_000 * Yuan), (await HeadroomAsync(host, wallet)).Credits);
        Assert.Equal(["tier_upgraded failed", "tier_upgraded succeeded"], await AuditedAsync(host, wallet));
    }

    [Fact]
    public async Task A_tier_change_whose_transfer_was_posted_before_the_crash_is_completed_with_exactly_one_headroom_grant()
    {
        await using var host = await WalletTestHosts.StartAsync();
        var s = new RetailScene(host);
        var merchant = await s.MerchantAsync("5999");
        var wallet = await s.WalletAsync("phone", funds: 4_000 * Yuan);
        var change = await WritePendingAsync(host, wallet, "verified", "kyc-posted");
        Assert.Equal(CreateTransferResult.Created, await PostAsync(host, wallet, change));
        Assert.Equal("phone", (await host.Get<WalletBook>().FindAsync(wallet.AccountId, default))!.Tier); // the crash: ledger moved, row not saved

        await host.Get<WalletBook>().SettlePendingAsync(default);

        Assert.Equal(("completed", (string?)null), await StatusAsync(host, change.Id));
        var after = (await host.Get<WalletBook>().FindAsync(wallet.AccountId, default))!;
        Assert.Equal(("verified", 50_000 * Yuan, 100_000 * Yuan, 500_000 * Yuan), (after.Tier, after.PerPaymentLimit, after.DailyLimit, after.BalanceLimit));
        Assert.Equal((4_000 * Yuan, 496_000 * Yuan), (after.Balance, after.Headroom));
        // Opening grant (the phone cap) plus ONE upgrade grant: a second grant would show here.
        var headroom = await HeadroomAsync(host, wallet);
        Assert.Equal(500_000 * Yuan, headroom.Credits);
        Assert.Equal(["tier_upgraded succeeded"], await AuditedAsync(host, wallet));

        var retried = await host.Get<WalletTierChanges>().ChangeAsync("test", wallet.AccountId, "verified", "kyc-posted", default);

        Assert.True(retried.Completed);
        Assert.Equal(WalletTierChanges.TransferIdOf(change), retried.TransferId);
        Assert.Equal(Limits(after), Limits(retried.Wallet));
        Assert.Equal(headroom, await HeadroomAsync(host, wallet));
        Assert.True((await s.TapAsync(wallet.AccountId, merchant, 3_000 * Yuan)).Completed); // above the phone tier's ¥2,000 per payment
    }

    [Fact]
    public async Task A_restart_settles_pending_tier_changes_completing_the_posted_downgrade_and_rejecting_the_unposted_upgrade()
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-tiers-" + Guid.NewGuid().ToString("N"));
        WalletView down, up;
        WalletTierChangeRow downChange, upChange;
        (long Credits, long Debits) upLedger;
        await using (var host = await WalletTestHosts.StartOnAsync(directory))
        {
            var s = new RetailScene(host);
            down = await s.WalletAsync("verified", funds: 6_000 * Yuan);
            up = await s.WalletAsync("phone", funds: 500 * Yuan);
            upLedger = await HeadroomAsync(host, up);
            downChange = await WritePendingAsync(host, down, "phone", "down-crashed");
            upChange = await WritePendingAsync(host, up, "verified", "up-crashed");
            Assert.Equal(-490_000 * Yuan, downChange.HeadroomDelta);
            // Only the downgrade's withdrawal reached the ledger before the process stopped.
            Assert.Equal(CreateTransferResult.Created, await PostAsync(host, down, downChange));
        }

        try
        {
            await using var restarted = await WalletTestHosts.StartOnAsync(directory);
            var wallets = restarted.Get<WalletBook>();

            Assert.Equal(("completed", (string?)null), await StatusAsync(restarted, downChange.Id));
            var downAfter = (await wallets.FindAsync(down.AccountId, default))!;
            Assert.Equal(("phone", 2_000 * Yuan, 5_000 * Yuan, 10_000 * Yuan), (downAfter.Tier, downAfter.PerPaymentLimit, downAfter.DailyLimit, downAfter.BalanceLimit));
            Assert.Equal((6_000 * Yuan, 4_000 * Yuan), (downAfter.Balance, downAfter.Headroom));
            Assert.Equal("wallet_balance_limit", (await TopUpAsync(restarted, down, "over-new-cap", 4_000 * Yuan + 1)).Reason);
            var replay = await restarted.Get<WalletTierChanges>().ChangeAsync("test", down.AccountId, "phone", "down-crashed", default);
            Assert.True(replay.Completed);
            Assert.Equal(WalletTierChanges.TransferIdOf(downChange), replay.TransferId);
            Assert.Equal(4_000 * Yuan, replay.Wallet.Headroom);
            Assert.Equal(["tier_downgraded succeeded"], await AuditedAsync(restarted, down));

            Assert.Equal(("rejected", "interrupted"), await StatusAsync(restarted, upChange.Id));
            Assert.Equal(Limits(up), Limits(await wallets.FindAsync(up.AccountId, default)));
            Assert.Equal(upLedger, await HeadroomAsync(restarted, up));
            Assert.Empty(await restarted.Get<LedgerEngine>().LookupTransfersAsync(new[] { WalletTierChanges.TransferIdOf(upChange) }));
            Assert.Equal(["tier_upgraded failed"], await AuditedAsync(restarted, up));
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The change row exactly as <see cref="WalletTierChanges"/> writes it before posting: what a crash right after that save leaves.</summary>
    private static async Task<WalletTierChangeRow> WritePendingAsync(PaymentsHost host, WalletView wallet, string toTier, string reference)
    {
        var limits = host.Get<WalletTiers>().For(Currencies.Cny, toTier);
        var row = new WalletTierChangeRow
        {
            WalletId = PaymentsChart.SequenceOf(wallet.AccountId), Reference = reference, Initiator = "test", FromTier = wallet.Tier, ToTier = toTier,
            PerPaymentLimit = limits.PerPayment, DailyLimit = limits.Daily, BalanceLimit = limits.Balance,
            HeadroomDelta = checked(limits.Balance - wallet.BalanceLimit), Status = "pending", RequestedAtUnixMs = 1,
        };
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        db.Add(row);
        await db.SaveChangesAsync();
        return row;
    }

    /// <summary>The headroom transfer of a change, built here from the decision (kind wallet, leg 6, code 6534 grant / 6535 withdrawal).</summary>
    private static async Task<CreateTransferResult> PostAsync(PaymentsHost host, WalletView wallet, WalletTierChangeRow change)
    {
        var limits = PaymentsChart.Bank(PaymentAccountKind.WalletLimits, Currencies.Cny);
        var headroom = PaymentsChart.Party(PaymentAccountKind.WalletHeadroom, change.WalletId);
        var transfer = change.HeadroomDelta > 0
            ? WalletBook.Pair(limits, headroom, change.HeadroomDelta, PaymentCodes.HeadroomGrant, WalletTierChanges.TransferIdOf(change), false, change.WalletId, Currencies.Cny)
            : WalletBook.Pair(headroom, limits, -change.HeadroomDelta, WalletTierChanges.HeadroomWithdrawn, WalletTierChanges.TransferIdOf(change), false, change.WalletId, Currencies.Cny);
        Assert.Equal(wallet.AccountId, PaymentsChart.Party(PaymentAccountKind.Wallet, change.WalletId));
        return (await host.Get<LedgerEngine>().CreateTransfersAsync(new[] { transfer }))[0];
    }

    private static async Task<(string Status, string? Reason)> StatusAsync(PaymentsHost host, long changeId)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<WalletTierChangeRow>().AsNoTracking().SingleAsync(c => c.Id == changeId);
        return (row.Status, row.Reason);
    }

    /// <summary>The headroom account's posted credits (every grant) and debits (withdrawals and use) in the ledger.</summary>
    private static async Task<(long Credits, long Debits)> HeadroomAsync(PaymentsHost host, WalletView wallet)
    {
        var id = PaymentsChart.Party(PaymentAccountKind.WalletHeadroom, PaymentsChart.SequenceOf(wallet.AccountId));
        var a = (await host.Get<LedgerEngine>().LookupAccountsAsync(new[] { id }))[0];
        return (checked((long)a.CreditsPosted), checked((long)a.DebitsPosted));
    }

    /// <summary>The wallet's audit entries (action and outcome), oldest first, read from the host's audit table.</summary>
    private static async Task<List<string>> AuditedAsync(PaymentsHost host, WalletView wallet)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var subject = wallet.AccountId.ToString(CultureInfo.InvariantCulture);
        return await db.Database.SqlQueryRaw<string>(
            "SELECT Action || ' ' || Outcome AS Value FROM platform_audit_log WHERE Category = 'wallet' AND Subject = {0} ORDER BY Id", subject).ToListAsync();
    }

    /// <summary>What a tier change may move: tier, limits, balance and headroom (the record's list compares by reference).</summary>
    private static (string Tier, long PerPayment, long Daily, long BalanceLimit, long Balance, long Headroom) Limits(WalletView? w) =>
        w is null ? default : (w.Tier, w.PerPaymentLimit, w.DailyLimit, w.BalanceLimit, w.Balance, w.Headroom);

    private static Task<TopUpResult> TopUpAsync(PaymentsHost host, WalletView wallet, string id, long amount) =>
        host.Get<WalletBook>().TopUpAsync("test", wallet.AccountId, id, amount, default);
}
