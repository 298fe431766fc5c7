using Banyan.Platform.Security;

namespace Banyan.Gateway.Tests;

/// <summary>Each abnormal pattern on small synthetic traffic, against a partner with an established baseline.</summary>
public sealed class DetectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private const string Partner = "partner-a";
    private const string Server = "10.1.0.10";
    private const string Accounts = "GET /v1/open-banking/accounts";
    private const string Account = "GET /v1/open-banking/accounts/{account_id}";

    private static CallObservation Call(DateTimeOffset at, string? customer = null, string? customerSource = null, string? customerRegion = null,
        string source = Server, string region = "CN-BJ", string endpoint = Accounts, string? resource = null, bool secondFactor = false) =>
        new(Partner, customer, endpoint, resource, source, region, customerSource, customerRegion, at, 50, secondFactor);

    /// <summary>Ten minutes of ordinary traffic: 1 call/s from the partner's server for 20 customers at home in Beijing.</summary>
    private static (AbnormalCallDetector Detector, DateTimeOffset Now) Established()
    {
        var detector = new AbnormalCallDetector(new DetectorOptions());
        var at = T0;
        for (var i = 0; i < 600; i++)
        {
            at = T0.AddSeconds(i);
            var c = i % 20;
            var decision = detector.Observe(Call(at, $"cust-{c}", $"10.1.1.{c + 1}", "CN-BJ", endpoint: i % 2 == 0 ? Accounts : Account, resource: i % 2 == 0 ? null : $"account_id=acc-{c}"));
            Assert.Equal(AccessOutcome.Allow, decision.Outcome);
        }

        return (detector, at.AddSeconds(1));
    }

    [Fact]
    public void Ordinary_traffic_is_allowed_throughout()
    {
        var (detector, now) = Established();
        Assert.Equal(AccessOutcome.Allow, detector.Observe(Call(now, "cust-3", "10.1.1.4", "CN-BJ")).Outcome);
    }

    [Fact]
    public void A_burst_from_one_source_is_blocked_within_a_few_dozen_calls_and_the_partners_usual_flow_is_not()
    {
        var (detector, now) = Established();
        var outcomes = Enumerable.Range(0, 400).Select(i => detector.Observe(Call(now.AddMilliseconds(i * 2.5), source: "10.1.9.9")).Outcome).ToList();
        var firstBlock = outcomes.IndexOf(AccessOutcome.Block);
        Assert.InRange(firstBlock, 1, 30);
        Assert.All(outcomes.Skip(firstBlock), o => Assert.Equal(AccessOutcome.Block, o));
        var reasons = detector.Observe(Call(now.AddSeconds(1.001), source: "10.1.9.9")).Reasons;
        Assert.Contains(reasons, r => r.StartsWith("burst", StringComparison.Ordinal));
        Assert.Equal(AccessOutcome.Allow, detector.Observe(Call(now.AddSeconds(1.002), "cust-1", "10.1.1.2", "CN-BJ")).Outcome);
    }

    [Fact]
    public void Many_customers_from_one_address_is_credential_stuffing_and_the_address_stays_blocked()
    {
        var (detector, now) = Established();
        var decisions = Enumerable.Range(0, 30).Select(i => detector.Observe(Call(now.AddSeconds(i * 2), $"victim-{i}", "10.1.7.7", "CN-BJ"))).ToList();
        var firstBlock = decisions.FindIndex(d => d.Outcome == AccessOutcome.Block);
        Assert.Equal(new DetectorOptions().MaxCustomersPerSource, firstBlock);
        Assert.Contains(decisions[firstBlock].Reasons, r => r.StartsWith("credential_stuffing", StringComparison.Ordinal));
        Assert.Equal(AccessOutcome.Block, detector.Observe(Call(now.AddMinutes(30), "victim-0", "10.1.7.7", "CN-BJ")).Outcome);
    }

    [Fact]
    public void Many_addresses_for_one_customer_is_blocked_but_the_owners_known_address_still_works()
    {
        var (detector, now) = Established();
        var decisions = Enumerable.Range(0, 20).Select(i => detector.Observe(Call(now.AddSeconds(i * 3), "cust-5", $"10.1.50.{i + 1}", "CN-BJ"))).ToList();
        Assert.Contains(decisions, d => d.Outcome == AccessOutcome.Block && d.Reasons.Any(r => r.StartsWith("credential_stuffing", StringComparison.Ordinal)));
        Assert.All(decisions.Skip(new DetectorOptions().MaxSourcesPerCustomer), d => Assert.Equal(AccessOutcome.Block, d.Outcome));
        Assert.Equal(AccessOutcome.Allow, detector.Observe(Call(now.AddSeconds(61), "cust-5", "10.1.1.6", "CN-BJ")).Outcome);
    }

    [Fact]
    public void Partner_credentials_used_from_another_region_are_blocked_at_the_first_call()
    {
        var (detector, now) = Established();
        var decision = detector.Observe(Call(now, source: "10.5.0.1", region: "EU"));
        Assert.Equal(AccessOutcome.Block, decision.Outcome);
        Assert.Contains(decision.Reasons, r => r.StartsWith("cross_region", StringComparison.Ordinal));
        Assert.Equal(AccessOutcome.Block, detector.Observe(Call(now.AddMinutes(5), source: "10.5.0.2", region: "EU")).Outcome);
        Assert.Equal(AccessOutcome.Allow, detector.Observe(Call(now.AddMinutes(5), "cust-2", "10.1.1.3", "CN-BJ")).Outcome);
    }

    [Fact]
    public void A_customer_in_Beijing_and_minutes_later_in_San_Francisco_is_impossible_travel()
    {
        var (detector, now) = Established();
        var decision = detector.Observe(Call(now.AddMinutes(3), "cust-7", "10.6.0.1", "US-W"));
        Assert.Equal(AccessOutcome.Block, decision.Outcome);
        Assert.Contains(decision.Reasons, r => r.StartsWith("impossible_travel", StringComparison.Ordinal));
        Assert.Equal(AccessOutcome.Block, detector.Observe(Call(now.AddMinutes(4), "cust-7", "10.6.0.2", "US-W")).Outcome);
        Assert.Equal(AccessOutcome.Allow, detector.Observe(Call(now.AddMinutes(4), "cust-7", "10.1.1.8", "CN-BJ")).Outcome);
    }

    [Fact]
    public void A_plausible_trip_asks_for_step_up_until_the_token_shows_a_second_factor()
    {
        var (detector, now) = Established();
        var later = now.AddHours(6);
        var decision = detector.Observe(Call(later, "cust-8", "10.4.0.1", "SG"));
        Assert.Equal(AccessOutcome.StepUp, decision.Outcome);
        Assert.Contains(decision.Reasons, r => r.StartsWith("new_region", StringComparison.Ordinal));
        Assert.Equal(AccessOutcome.Allow, detector.Observe(Call(later.AddMinutes(1), "cust-8", "10.4.0.1", "SG", secondFactor: true)).Outcome);
        Assert.Equal(AccessOutcome.Allow, detector.Observe(Call(later.AddMinutes(2), "cust-8", "10.4.0.1", "SG")).Outcome);
    }

    [Fact]
    public void Enumerating_resource_ids_is_scraping_and_blocks_the_principal()
    {
        var (detector, now) = Established();
        var decisions = Enumerable.Range(0, 40).Select(i => detector.Observe(Call(now.AddSeconds(i), source: "10.1.3.3", endpoint: Account, resource: $"account_id=acc-{1000 + i}"))).ToList();
        var firstBlock = decisions.FindIndex(d => d.Outcome == AccessOutcome.Block);
        Assert.Equal(new DetectorOptions().MaxDistinctResources, firstBlock);
        Assert.Contains(decisions[firstBlock].Reasons, r => r.StartsWith("scraping", StringComparison.Ordinal));
        Assert.Equal(AccessOutcome.Block, detector.Observe(Call(now.AddMinutes(10), source: "10.1.3.3")).Outcome);
    }

    [Fact]
    public void Releasing_a_partner_lifts_its_quarantines()
    {
        var (detector, now) = Established();
        Assert.Equal(AccessOutcome.Block, detector.Observe(Call(now, source: "10.5.0.1", region: "EU")).Outcome);
        detector.Release(Partner);
        Assert.NotEqual(AccessOutcome.Block, detector.Observe(Call(now.AddSeconds(1), source: Server)).Outcome);
    }

    [Fact]
    public void Tracked_state_stays_bounded_under_a_flood_of_new_keys()
    {
        var detector = new AbnormalCallDetector(new DetectorOptions { MaxTrackedKeys = 1_000 });
        for (var i = 0; i < 20_000; i++)
        {
            detector.Observe(Call(T0.AddSeconds(i), $"c{i}", $"10.1.{i / 250 % 250}.{i % 250}", "CN-BJ", source: $"10.2.{i / 250 % 250}.{i % 250}"));
        }

        Assert.True(detector.TrackedKeys <= 6 * 1_100, $"{detector.TrackedKeys} keys tracked");
    }
}
