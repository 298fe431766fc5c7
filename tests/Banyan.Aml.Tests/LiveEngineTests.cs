using Banyan.Aml.Live;
using Banyan.Aml.RuleSets;
using Banyan.Ledger;

namespace Banyan.Aml.Tests;

public class LiveEngineTests
{
    private static readonly ulong T0 = (ulong)(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000);

    private static LiveEngine Engine(RuleSet? rules = null)
    {
        var engine = new LiveEngine(rules ?? RuleSet.Baseline, () => null);
        engine.Register(new MonitoredAccountRow { AccountId = "1", Kind = "external", Channel = "cash", Country = "CN" });
        engine.Register(new MonitoredAccountRow { AccountId = "2", CustomerId = "C2", Kind = "individual", Country = "CN" });
        return engine;
    }

    private static Transfer Deposit(ulong id, long amount, int hour, TransferFlags flags = TransferFlags.None, uint ledger = 156) => new()
    {
        Id = id, DebitAccountId = 1, CreditAccountId = 2, Amount = (UInt128)amount, Ledger = ledger, Code = 1, Flags = flags,
        Timestamp = T0 + (ulong)hour * 3_600_000_000_000UL + id,
    };

    [Fact]
    public void Cash_deposits_from_a_till_registered_as_cash_are_structuring_with_ledger_ids_and_party()
    {
        var engine = Engine();
        foreach (var (id, hour) in new[] { (10UL, 0), (11UL, 1), (12UL, 2) }) engine.Observe(Deposit(id, 4_600_000, hour));

        var alert = Assert.Single(engine.Drain());
        Assert.Equal(("STRUCTURING", "2", "C2", "customer:C2"), (alert.Typology, alert.SubjectAccount, alert.CustomerId, alert.Party));
        Assert.Equal(["10", "11", "12"], alert.TransactionIds);
        Assert.Empty(engine.Drain()); // drained once
    }

    [Fact]
    public void Pending_void_other_currency_oversized_and_customerless_transfers_are_skipped_and_counted()
    {
        var engine = Engine();
        Assert.Null(engine.Observe(Deposit(10, 4_600_000, 0, TransferFlags.Pending)));
        Assert.Null(engine.Observe(Deposit(11, 4_600_000, 1, TransferFlags.VoidPendingTransfer)));
        Assert.Null(engine.Observe(Deposit(12, 4_600_000, 2, ledger: 840)));
        Assert.Null(engine.Observe(Deposit(13, Limits.MaxAmount + 1, 3)));
        var flow = engine.Observe(Deposit(14, 4_600_000, 4, TransferFlags.PostPendingTransfer));
        Assert.Null(engine.Observe(Deposit(15, 4_600_000, 5) with { CreditAccountId = 3 })); // till → unregistered: no customer involved

        Assert.Equal(4, engine.Skipped);
        Assert.Equal(1, engine.Unmonitored);
        Assert.Equal(new Flow("account:1", "customer:C2", "CNY", (int)(T0 / 86_400_000_000_000UL), 4_600_000, flow!.Value.AtUnixMs), flow);
        Assert.Empty(engine.Drain());
    }

    [Fact]
    public void A_rule_set_that_switches_structuring_off_raises_nothing_and_its_label_is_in_the_fingerprint()
    {
        var off = Engine(RuleSet.Parse("""{"id":"off","version":1,"enabled":["FAN_IN"]}"""));
        var on = Engine(RuleSet.Parse("""{"id":"on","version":1}"""));
        var baseline = Engine();
        foreach (var (id, hour) in new[] { (10UL, 0), (11UL, 1), (12UL, 2) })
            foreach (var engine in new[] { off, on, baseline }) engine.Observe(Deposit(id, 4_600_000, hour));

        Assert.Empty(off.Drain());
        var alert = Assert.Single(on.Drain());
        Assert.Equal("on@1", alert.RuleSet.Label);
        Assert.NotEqual(Assert.Single(baseline.Drain()).Fingerprint, alert.Fingerprint); // same episode, other version: another alert
    }
}
