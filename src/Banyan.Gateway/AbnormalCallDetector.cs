using Banyan.Platform.Security;

namespace Banyan.Gateway;

/// <summary>One protected call as the detector sees it.</summary>
/// <param name="Partner">The partner's client id.</param>
/// <param name="Customer">The customer the call acts for (token claim), if any.</param>
/// <param name="Endpoint">Method and route template, e.g. <c>GET /v1/open-banking/accounts/{id}</c>.</param>
/// <param name="Resource">The route values identifying the resource (for enumeration), if any.</param>
/// <param name="PartnerSource">The partner's source address (the TCP peer or the first untrusted X-Forwarded-For hop).</param>
/// <param name="PartnerRegion">Region of <paramref name="PartnerSource"/>.</param>
/// <param name="CustomerSource">The customer's own address (<c>x-fapi-customer-ip-address</c>), if the partner sent it.</param>
/// <param name="CustomerRegion">Region of <paramref name="CustomerSource"/>.</param>
/// <param name="At">When.</param>
/// <param name="PartnerPerSecondLimit">The partner's per-second limit (bursts are judged against it).</param>
/// <param name="SecondFactor">The customer's token shows a recent second factor (<c>amr</c> has <c>otp</c>/<c>mfa</c>): a step-up is already satisfied.</param>
internal readonly record struct CallObservation(
    string Partner,
    string? Customer,
    string Endpoint,
    string? Resource,
    string PartnerSource,
    string PartnerRegion,
    string? CustomerSource,
    string? CustomerRegion,
    DateTimeOffset At,
    long PartnerPerSecondLimit,
    bool SecondFactor = false);

/// <summary>The detector's answer; <see cref="Key"/> names what was judged (flow, source, customer…).</summary>
internal sealed record DetectorDecision(AccessOutcome Outcome, IReadOnlyList<string> Reasons, string? Key)
{
    public static DetectorDecision Allow { get; } = new(AccessOutcome.Allow, [], null);
}

/// <summary>
/// Learns each partner's and customer's baseline and judges every protected call: bursts, credential
/// stuffing (many accounts from one source, many sources for one account), cross-region use,
/// impossible travel and enumeration (scraping) block; a customer's plausible move to a new region, or
/// a partner's call at an unusual hour to an unusual endpoint, asks for step-up. Baselines learn only
/// from allowed calls, so an attack does not teach the detector that it is normal; a step-up is
/// satisfied (and the new region learned) once the customer's token shows a second factor. Decision 0752.
/// </summary>
internal sealed class AbnormalCallDetector
{
    private const int DistinctCapacity = 256;
    private readonly DetectorOptions _options;
    private readonly BoundedMap<FlowState> _flows;
    private readonly BoundedMap<PartnerState> _partners;
    private readonly BoundedMap<CustomerState> _customers;
    private readonly BoundedMap<DistinctState> _sources;
    private readonly BoundedMap<DistinctState> _principals;
    private readonly BoundedMap<Quarantine> _quarantines;

    public AbnormalCallDetector(DetectorOptions options)
    {
        _options = options;
        var max = Math.Max(1_000, options.MaxTrackedKeys);
        _flows = new(max, () => new FlowState());
        _partners = new(max, () => new PartnerState());
        _customers = new(max, () => new CustomerState());
        _sources = new(max, () => new DistinctState());
        _principals = new(max, () => new DistinctState());
        _quarantines = new(max, () => new Quarantine());
    }

    public int TrackedKeys => _flows.Count + _partners.Count + _customers.Count + _sources.Count + _principals.Count + _quarantines.Count;

    public DetectorDecision Observe(in CallObservation call)
    {
        var flowKey = "flow:" + call.Partner + "|" + call.PartnerSource;
        var flow = _flows.Get(flowKey, call.At);
        double flowRate, flowBaseline;
        lock (flow)
        {
            flow.Short.Add(call.At, _options.ShortWindowSeconds);
            flowRate = flow.Short.RatePerSecond(call.At, _options.ShortWindowSeconds);
            flowBaseline = flow.Baseline.RatePerSecond(call.At, _options.BaselineWindowSeconds);
        }

        if (Quarantined(call) is { } held) return held;
        var reasons = new List<string>(2);
        string? key = null;
        var floor = Math.Max(_options.BurstFloorPerSecond, _options.BurstFloorShareOfLimit * call.PartnerPerSecondLimit);
        if (flowRate > Math.Max(_options.BurstFactor * flowBaseline, floor))
        {
            reasons.Add($"burst: {flowRate:0.#} calls/s from {call.PartnerSource} against a baseline of {flowBaseline:0.##}/s");
            key = flowKey;
        }

        key = CheckPrincipal(call, reasons) ?? key;
        key = CheckPartner(call, reasons, out var partnerSoft) ?? key;
        var customerVerdict = call.Customer is null ? CustomerVerdict.None : CheckCustomer(call, reasons, partnerSoft, ref key);
        if (reasons.Count > 0) return new DetectorDecision(AccessOutcome.Block, reasons, key);
        var satisfied = call.SecondFactor && call.Customer is not null;
        if (!satisfied && (customerVerdict == CustomerVerdict.StepUp || partnerSoft.Count >= 2))
        {
            return new DetectorDecision(AccessOutcome.StepUp, partnerSoft, call.Customer is null ? "partner:" + call.Partner : "customer:" + call.Customer);
        }

        Learn(call, flow);
        return DetectorDecision.Allow;
    }

    /// <summary>Forgets every quarantine and flow of <paramref name="partner"/> (an operator lifted the block).</summary>
    public void Release(string partner)
    {
        _quarantines.RemoveWhere(k => k.Contains(partner, StringComparison.Ordinal));
        _flows.RemoveWhere(k => k.StartsWith("flow:" + partner + "|", StringComparison.Ordinal));
        _principals.RemoveWhere(k => k.StartsWith("principal:" + partner + "|", StringComparison.Ordinal));
    }

    private DetectorDecision? Quarantined(in CallObservation call)
    {
        Span<string?> keys =
        [
            "region:" + call.Partner + "|" + call.PartnerRegion,
            "principal:" + Principal(call),
            call.CustomerSource is null ? null : "source:" + call.CustomerSource,
            call.Customer is null ? null : "customer:" + call.Customer + "|" + call.CustomerRegion,
        ];
        foreach (var key in keys)
        {
            if (key is null || _quarantines.Find(key) is not { } held) continue;
            lock (held)
            {
                if (held.UntilTicks > call.At.UtcTicks) return new DetectorDecision(AccessOutcome.Block, ["quarantined after " + held.Reason], key);
            }
        }

        return null;
    }

    private void Hold(string key, string reason, DateTimeOffset now)
    {
        var held = _quarantines.Get(key, now);
        lock (held)
        {
            held.UntilTicks = now.UtcTicks + (long)(_options.QuarantineSeconds * TimeSpan.TicksPerSecond);
            held.Reason = reason;
        }
    }

    private static string Principal(in CallObservation call) => call.Partner + "|" + (call.Customer ?? "@" + call.PartnerSource);

    /// <summary>Enumeration: one principal touching many distinct resources of one route.</summary>
    private string? CheckPrincipal(in CallObservation call, List<string> reasons)
    {
        if (call.Resource is null) return null;
        var key = "principal:" + Principal(call);
        var state = _principals.Get(key + "|" + call.Endpoint, call.At);
        int distinct;
        lock (state)
        {
            distinct = state.Seen.CountAfterAdding(call.Resource, call.At, _options.DistinctWindowSeconds);
        }

        if (distinct <= _options.MaxDistinctResources) return null;
        var reason = $"scraping: {distinct} distinct resources of {call.Endpoint} within {_options.DistinctWindowSeconds:0} s";
        reasons.Add(reason);
        Hold(key, reason, call.At);
        return key;
    }

    /// <summary>Cross-region use of a partner's credentials, and the soft signals (unusual hour, unusual endpoint).</summary>
    private string? CheckPartner(in CallObservation call, List<string> reasons, out List<string> soft)
    {
        soft = [];
        var partner = _partners.Get(call.Partner, call.At);
        var tau = _options.BaselineWindowSeconds * 24;
        lock (partner)
        {
            if (partner.FirstSeenTicks == 0) partner.FirstSeenTicks = call.At.UtcTicks;
            if (partner.Regions.Observations < _options.EstablishedAfterCalls) return null;

            // An hour of day is only "unusual" once the partner has been seen around the clock.
            var dayKnown = call.At.UtcTicks - partner.FirstSeenTicks >= TimeSpan.TicksPerDay;
            if (dayKnown && partner.Hours.Share(HourKey(call.At), call.At, tau) < _options.NoveltyShare) soft.Add($"unusual_hour: {call.At.UtcDateTime.Hour:00}h UTC is rare for this partner");
            if (partner.Endpoints.Share(call.Endpoint, call.At, tau) < _options.NoveltyShare) soft.Add($"unusual_endpoint: {call.Endpoint} is rare for this partner");
            if (partner.Regions.Share(call.PartnerRegion, call.At, tau) >= _options.NoveltyShare) return null;
        }

        var key = "region:" + call.Partner + "|" + call.PartnerRegion;
        var reason = $"cross_region: partner calls from {call.PartnerRegion} ({call.PartnerSource}) outside its usual regions";
        reasons.Add(reason);
        Hold(key, reason, call.At);
        return key;
    }

    private enum CustomerVerdict
    {
        None,
        StepUp,
        Block,
    }

    private CustomerVerdict CheckCustomer(in CallObservation call, List<string> reasons, List<string> soft, ref string? key)
    {
        var customer = _customers.Get(call.Customer!, call.At);
        var region = call.CustomerRegion ?? RegionTable.Unknown;
        var before = reasons.Count;
        var stepUp = false;
        lock (customer)
        {
            customer.Short.Add(call.At, _options.ShortWindowSeconds);
            var rate = customer.Short.RatePerSecond(call.At, _options.ShortWindowSeconds);
            if (rate > _options.CustomerBurstPerSecond)
            {
                reasons.Add($"burst: {rate:0.#} calls/s for customer {call.Customer}");
                key ??= "customer:" + call.Customer;
            }

            if (call.CustomerSource is { } source)
            {
                var sources = customer.Sources.CountAfterAdding(source, call.At, _options.DistinctWindowSeconds);
                if (sources > _options.MaxSourcesPerCustomer && !customer.KnownSources.Contains(source))
                {
                    reasons.Add($"credential_stuffing: {sources} source addresses for customer {call.Customer} within {_options.DistinctWindowSeconds:0} s");
                    key ??= "customer:" + call.Customer;
                }
            }

            stepUp = CheckTravel(call, customer, region, reasons, soft, ref key);
        }

        CheckSource(call, reasons, ref key);
        if (reasons.Count > before) return CustomerVerdict.Block;
        return stepUp ? CustomerVerdict.StepUp : CustomerVerdict.None;
    }

    /// <summary>Impossible travel blocks (and holds that customer-region pair); a plausible new region asks for step-up.</summary>
    private bool CheckTravel(in CallObservation call, CustomerState customer, string region, List<string> reasons, List<string> soft, ref string? key)
    {
        if (customer.LastRegion is { } last && last != region && customer.LastAtTicks > 0)
        {
            var hours = Math.Max(1.0 / 3600, (call.At.UtcTicks - customer.LastAtTicks) / (double)TimeSpan.TicksPerHour);
            if (RegionTable.DistanceKm(last, region) is { } km && km / hours > _options.MaxTravelKmPerHour)
            {
                var reason = $"impossible_travel: {last} to {region} ({km:0} km) in {hours * 60:0.#} min";
                reasons.Add(reason);
                key = "customer:" + call.Customer + "|" + region;
                Hold(key, reason, call.At);
                return false;
            }
        }

        if (customer.Regions.Observations < Math.Min(5, _options.EstablishedAfterCalls)) return false;
        if (customer.Regions.Share(region, call.At, _options.BaselineWindowSeconds * 24) >= _options.NoveltyShare) return false;
        soft.Add($"new_region: customer {call.Customer} appears in {region}");
        return true;
    }

    /// <summary>Credential stuffing: one customer address acting for many customers.</summary>
    private void CheckSource(in CallObservation call, List<string> reasons, ref string? key)
    {
        if (call.CustomerSource is null) return;
        var sourceKey = "source:" + call.CustomerSource;
        var source = _sources.Get(sourceKey, call.At);
        int customers;
        lock (source)
        {
            customers = source.Seen.CountAfterAdding(call.Customer!, call.At, _options.DistinctWindowSeconds);
        }

        if (customers <= _options.MaxCustomersPerSource) return;
        var reason = $"credential_stuffing: {customers} customers from {call.CustomerSource} within {_options.DistinctWindowSeconds:0} s";
        reasons.Add(reason);
        key = sourceKey;
        Hold(sourceKey, reason, call.At);
    }

    private void Learn(in CallObservation call, FlowState flow)
    {
        var tau = _options.BaselineWindowSeconds * 24;
        lock (flow)
        {
            flow.Baseline.Add(call.At, _options.BaselineWindowSeconds);
        }

        var partner = _partners.Get(call.Partner, call.At);
        lock (partner)
        {
            partner.Regions.Add(call.PartnerRegion, call.At, tau);
            partner.Hours.Add(HourKey(call.At), call.At, tau);
            partner.Endpoints.Add(call.Endpoint, call.At, tau);
        }

        if (call.Customer is null) return;
        var customer = _customers.Get(call.Customer, call.At);
        lock (customer)
        {
            var region = call.CustomerRegion ?? RegionTable.Unknown;
            customer.Regions.Add(region, call.At, tau);
            customer.LastRegion = region;
            customer.LastAtTicks = call.At.UtcTicks;
            if (call.CustomerSource is { } source) customer.KnownSources.CountAfterAdding(source, call.At, tau);
        }
    }

    private static string HourKey(DateTimeOffset at) => HourKeys[at.UtcDateTime.Hour];

    private static readonly string[] HourKeys = [.. Enumerable.Range(0, 24).Select(h => h.ToString("00", System.Globalization.CultureInfo.InvariantCulture))];

    private sealed class FlowState : ITouched
    {
        public DecayingCounter Short;
        public DecayingCounter Baseline;

        public long LastTouchedTicks { get; set; }
    }

    private sealed class PartnerState : ITouched
    {
        public DecayingHistogram Regions { get; } = new(16);

        public DecayingHistogram Hours { get; } = new(24);

        public DecayingHistogram Endpoints { get; } = new(64);

        public long FirstSeenTicks { get; set; }

        public long LastTouchedTicks { get; set; }
    }

    private sealed class CustomerState : ITouched
    {
        public DecayingCounter Short;

        public DecayingHistogram Regions { get; } = new(8);

        public RecentDistinct Sources { get; } = new(DistinctCapacity);

        public RecentDistinct KnownSources { get; } = new(16);

        public string? LastRegion { get; set; }

        public long LastAtTicks { get; set; }

        public long LastTouchedTicks { get; set; }
    }

    private sealed class DistinctState : ITouched
    {
        public RecentDistinct Seen { get; } = new(DistinctCapacity);

        public long LastTouchedTicks { get; set; }
    }

    private sealed class Quarantine : ITouched
    {
        public long UntilTicks { get; set; }

        public string Reason { get; set; } = "";

        public long LastTouchedTicks { get; set; }
    }
}
