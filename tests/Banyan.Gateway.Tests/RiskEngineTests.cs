using Banyan.Platform.Security;

namespace Banyan.Gateway.Tests;

public sealed class RiskEngineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private static AccessRiskEngine Engine() => new(new RiskOptions(), new DetectorOptions(), TrafficSimulator.RegionTable, new EmptyServices());

    private static AccessAttempt Attempt(DateTimeOffset at, string device = "dev-1", string source = "10.1.0.5", PrincipalKind kind = PrincipalKind.Customer, string action = "login", string agent = "BanyanApp/3.1 (iOS)") =>
        new(kind, "cust-1", action, source, device, agent, at);

    private static AccessRiskEngine Known()
    {
        var engine = Engine();
        for (var i = 0; i < 30; i++) Assert.Equal(AccessOutcome.Allow, engine.Assess(Attempt(T0.AddMinutes(i * 10))).Outcome);
        return engine;
    }

    [Fact]
    public void A_known_device_from_the_usual_region_is_allowed()
    {
        var decision = Known().Assess(Attempt(T0.AddHours(6)));
        Assert.Equal(AccessOutcome.Allow, decision.Outcome);
        Assert.True(decision.Score < 0.3);
    }

    [Fact]
    public void An_unknown_device_asks_for_step_up_and_is_remembered_after_it()
    {
        var engine = Known();
        var first = engine.Assess(Attempt(T0.AddHours(6), device: "dev-2"));
        Assert.Equal(AccessOutcome.StepUp, first.Outcome);
        Assert.Contains("unknown device", first.Reasons);
        Assert.Equal(AccessOutcome.Allow, engine.Assess(Attempt(T0.AddHours(6.1), device: "dev-2")).Outcome);
    }

    [Fact]
    public void An_unknown_device_with_impossible_travel_is_blocked()
    {
        var decision = Known().Assess(Attempt(T0.AddHours(5).AddMinutes(5), device: "dev-x", source: "10.5.0.9"));
        Assert.Equal(AccessOutcome.Block, decision.Outcome);
        Assert.Contains(decision.Reasons, r => r.StartsWith("impossible travel", StringComparison.Ordinal));
        Assert.True(decision.Score >= 0.7);
    }

    [Fact]
    public void A_scripted_burst_of_attempts_without_a_device_is_blocked()
    {
        var engine = Known();
        var decisions = Enumerable.Range(0, 20).Select(i => engine.Assess(Attempt(T0.AddHours(6).AddMilliseconds(i * 50), device: "", agent: "python-requests/2.31"))).ToList();
        Assert.Equal(AccessOutcome.StepUp, decisions[0].Outcome);
        Assert.Equal(AccessOutcome.Block, decisions[^1].Outcome);
        Assert.Contains(decisions[^1].Reasons, r => r.StartsWith("burst", StringComparison.Ordinal));
    }

    [Fact]
    public void Staff_actions_weigh_more_than_the_same_customer_signal()
    {
        var customer = Known().Assess(Attempt(T0.AddHours(6), device: "dev-2"));
        var staffEngine = Engine();
        for (var i = 0; i < 30; i++) staffEngine.Assess(Attempt(T0.AddMinutes(i * 10), kind: PrincipalKind.Staff));
        var staff = staffEngine.Assess(Attempt(T0.AddHours(6), device: "dev-2", kind: PrincipalKind.Staff));
        Assert.True(staff.Score > customer.Score);
    }

    [Fact]
    public async Task A_block_is_written_to_the_audit_log()
    {
        var audit = new RecordingAudit();
        var engine = new AccessRiskEngine(new RiskOptions(), new DetectorOptions(), TrafficSimulator.RegionTable, new SingleService(audit));
        for (var i = 0; i < 30; i++) await engine.AssessAsync(Attempt(T0.AddMinutes(i * 10)), CancellationToken.None);
        var decision = await engine.AssessAsync(Attempt(T0.AddHours(5).AddMinutes(5), device: "dev-x", source: "10.5.0.9"), CancellationToken.None);
        Assert.Equal(AccessOutcome.Block, decision.Outcome);
        var entry = Assert.Single(audit.Entries);
        Assert.Equal(("gateway", "access_blocked", "cust-1", "blocked"), (entry.Category, entry.Action, entry.Actor, entry.Outcome));
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }

    private sealed class SingleService(IAuditLog audit) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(IAuditLog) ? audit : null;
    }

    private sealed class RecordingAudit : IAuditLog
    {
        public List<AuditEntry> Entries { get; } = [];

        public ValueTask<long> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            Entries.Add(entry);
            return ValueTask.FromResult((long)Entries.Count);
        }
    }
}
