using Banyan.Ledger.Tests.Engine;

namespace Banyan.Ledger.Tests.Postgres;

/// <summary>Two engines on one PostgreSQL journal: one leader, one warm standby, takeover and fencing.</summary>
public sealed class StandbyTests
{

    [SkippableFact]
    public async Task A_standby_refuses_writes_names_the_leader_and_keeps_its_state_warm()
    {
        await using var scope = await PostgresLedgerScope.CreateAsync();
        var clock = new ManualClock();
        await using var leader = LedgerEngine.Open(scope.Options(scope.NewDirectory(), "a"), clock);
        await using var standby = LedgerEngine.Open(scope.Options(scope.NewDirectory(), "b"), clock);
        Assert.Equal(LedgerRole.Leader, leader.Cluster.Role);
        Assert.Equal(LedgerRole.Standby, standby.Cluster.Role);

        var refused = await Assert.ThrowsAsync<LedgerNotLeaderException>(async () => await standby.CreateAccountsAsync(new[] { EngineTestKit.NewAccount(500) }));
        Assert.Equal("http://a.test", refused.Leader);

        await DeterministicWorkload.RunAsync(leader, clock, batches: 12);
        var head = leader.JournalHead;
        await EngineTestKit.WaitUntil(() => standby.JournalHead.Sequence == head.Sequence, "the standby to apply the leader's records");
        Assert.Equal(head, standby.JournalHead);
        Assert.Equal(await leader.ComputeStateDigestAsync(), await standby.ComputeStateDigestAsync());
        Assert.Empty(await standby.LookupAccountsAsync(new UInt128[] { 500 }));
        Assert.Equal(0UL, standby.Cluster.LagRecords);
    }

    [SkippableFact]
    public async Task A_standby_applies_the_leaders_expiry_pulses_and_journals_none_itself()
    {
        await using var scope = await PostgresLedgerScope.CreateAsync();
        var clock = new ManualClock();
        await using var leader = LedgerEngine.Open(scope.Options(scope.NewDirectory(), "a"), clock);
        await using var standby = LedgerEngine.Open(scope.Options(scope.NewDirectory(), "b"), clock);
        await leader.CreateAccountsAsync(new[] { EngineTestKit.NewAccount(1), EngineTestKit.NewAccount(2) });
        var pending = EngineTestKit.NewTransfer(10, 1, 2, 50, TransferFlags.Pending);
        pending.Timeout = 1;
        await leader.CreateTransfersAsync(new[] { pending });
        var beforeExpiry = leader.JournalHead.Sequence;

        clock.Advance(TimeSpan.FromSeconds(2)); // both engines' clocks pass the deadline; only the leader may pulse
        await EngineTestKit.WaitUntil(() => leader.JournalHead.Sequence > beforeExpiry, "the leader to journal the expiry pulse");
        var head = leader.JournalHead;
        await EngineTestKit.WaitUntil(() => standby.JournalHead.Sequence == head.Sequence, "the standby to apply the pulse");

        Assert.Equal(head, standby.JournalHead);
        Assert.Equal(await leader.ComputeStateDigestAsync(), await standby.ComputeStateDigestAsync());
        var account = (await standby.LookupAccountsAsync(new UInt128[] { 1 }))[0];
        Assert.Equal(UInt128.Zero, account.DebitsPending);
        Assert.Equal(0L, standby.Statistics.RecordsWritten);
    }

    [SkippableFact]
    public async Task When_the_leader_stops_the_standby_takes_over_with_every_acknowledged_transfer()
    {
        await using var scope = await PostgresLedgerScope.CreateAsync();
        var clock = new ManualClock();
        var leader = LedgerEngine.Open(scope.Options(scope.NewDirectory(), "a"), clock);
        await using var standby = LedgerEngine.Open(scope.Options(scope.NewDirectory(), "b"), clock);
        await DeterministicWorkload.RunAsync(leader, clock, batches: 10);
        var digest = await leader.ComputeStateDigestAsync();
        var token = leader.Cluster.FencingToken;
        await leader.DisposeAsync();

        await EngineTestKit.WaitUntil(() => standby.Cluster.Role == LedgerRole.Leader, "the standby to take the lease");
        Assert.True(standby.Cluster.FencingToken > token);
        Assert.Equal(digest, await standby.ComputeStateDigestAsync());
        var results = await standby.CreateTransfersAsync(new[] { EngineTestKit.NewTransfer(77_777, 1, 2, 3) });
        Assert.Equal(CreateTransferResult.Created, results[0]);
        Assert.Equal(digest.Sequence + 1, standby.JournalHead.Sequence);
    }

    [SkippableFact]
    public async Task A_paused_leader_whose_lease_expired_is_fenced_and_its_write_is_not_acknowledged()
    {
        await using var scope = await PostgresLedgerScope.CreateAsync();
        var clock = new ManualClock();
        var paused = false;
        await using var old = LedgerEngine.Open(scope.Options(scope.NewDirectory(), "a", () => Volatile.Read(ref paused)), clock);
        await using var standby = LedgerEngine.Open(scope.Options(scope.NewDirectory(), "b"), clock);
        await old.CreateAccountsAsync(new[] { EngineTestKit.NewAccount(1), EngineTestKit.NewAccount(2) });
        var oldToken = old.Cluster.FencingToken;

        Volatile.Write(ref paused, true); // a GC pause or a partition: no renewals
        await EngineTestKit.WaitUntil(() => standby.Cluster.Role == LedgerRole.Leader, "the standby to take the expired lease");

        var failure = await Assert.ThrowsAsync<LedgerFaultedException>(async () => await old.CreateTransfersAsync(new[] { EngineTestKit.NewTransfer(10, 1, 2, 5) }));
        var fenced = Assert.IsType<LedgerFencedException>(failure.InnerException);
        Assert.Equal(oldToken, fenced.FencingToken);
        Assert.Equal("http://b.test", fenced.Leader);
        Assert.Equal(LedgerRole.Fenced, old.Cluster.Role);
        Assert.Equal(0L, await scope.ScalarAsync("SELECT count(*) FROM ledger_journal WHERE fencing_token = " + oldToken + " AND sequence > 1"));
        Assert.Empty(await standby.LookupTransfersAsync(new UInt128[] { 10 }));

        // The new leader writes on, and the old one stays out.
        Assert.Equal(CreateTransferResult.Created, (await standby.CreateTransfersAsync(new[] { EngineTestKit.NewTransfer(10, 1, 2, 5) }))[0]);
        await Assert.ThrowsAsync<LedgerFaultedException>(async () => await old.CreateTransfersAsync(new[] { EngineTestKit.NewTransfer(11, 1, 2, 5) }));
    }
}
