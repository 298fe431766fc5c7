using System.Net;
using Banyan.Platform.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Gateway;

/// <summary>
/// The zero-trust access risk engine (<see cref="IAccessRiskEngine"/>): scores each attempt from the
/// device fingerprint (new or known for this principal), the principal's behaviour baseline (rate,
/// hour of day, actions) and geo-velocity (region of the source address, impossible travel). Medium
/// scores ask for step-up, high scores block and are audited. Weights and thresholds: <see cref="RiskOptions"/>.
/// The caller obeys step-up, so a device that passed step-up is remembered as known. Decision 0754.
/// </summary>
internal sealed class AccessRiskEngine(RiskOptions options, DetectorOptions detector, RegionTable regions, IServiceProvider services) : IAccessRiskEngine
{
    private const int MaxActionLength = 200;
    private readonly BoundedMap<PrincipalState> _principals = new(Math.Max(1_000, detector.MaxTrackedKeys), () => new PrincipalState(options.MaxDevicesPerPrincipal));

    public async ValueTask<AccessDecision> AssessAsync(AccessAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(attempt.Principal);
        var decision = Assess(attempt);
        if (decision.Outcome == AccessOutcome.Block && services.GetService<IAuditLog>() is { } audit)
        {
            await audit.AppendAsync(new AuditEntry("gateway", "access_blocked", attempt.Principal, Truncate(attempt.Action), "blocked", new Dictionary<string, string>
            {
                ["kind"] = attempt.Kind.ToString().ToLowerInvariant(),
                ["score"] = decision.Score.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
                ["source"] = attempt.SourceAddress ?? "unknown",
                ["reasons"] = Truncate(string.Join("; ", decision.Reasons), 512),
            }), cancellationToken);
        }

        return decision;
    }

    /// <summary>The scoring itself, without the audit side effect (tests and the bench call it directly).</summary>
    internal AccessDecision Assess(in AccessAttempt attempt)
    {
        var reasons = new List<string>();
        var score = 0.0;
        var region = IPAddress.TryParse(attempt.SourceAddress, out var address) ? regions.RegionOf(address) : RegionTable.Unknown;
        var action = Truncate(attempt.Action);
        var state = _principals.Get(((int)attempt.Kind).ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + attempt.Principal, attempt.At);
        lock (state)
        {
            score += DeviceScore(state, attempt, reasons);
            score += GeoScore(state, region, attempt.At, reasons);
            score += BehaviourScore(state, action, attempt.At, reasons);
            if (attempt.Kind == PrincipalKind.Staff) score *= options.StaffMultiplier;
            score = Math.Clamp(score, 0, 1);
            var outcome = score >= options.BlockAt ? AccessOutcome.Block : score >= options.StepUpAt ? AccessOutcome.StepUp : AccessOutcome.Allow;
            if (outcome != AccessOutcome.Block) Learn(state, attempt, region, action);
            return new AccessDecision(outcome, Math.Round(score, 3), reasons);
        }
    }

    private double DeviceScore(PrincipalState state, in AccessAttempt attempt, List<string> reasons)
    {
        var score = 0.0;
        if (string.IsNullOrEmpty(attempt.DeviceFingerprint))
        {
            reasons.Add("no device fingerprint");
            score += options.MissingDevice;
        }
        else if (state.Devices.Count > 0 && !state.Devices.Contains(attempt.DeviceFingerprint))
        {
            reasons.Add("unknown device");
            score += options.UnknownDevice;
        }

        var agent = AgentFamily(attempt.UserAgent);
        if (state.Agents.Count > 0 && !state.Agents.Contains(agent))
        {
            reasons.Add($"new user agent ({agent})");
            score += options.NewUserAgent;
        }

        return score;
    }

    private double GeoScore(PrincipalState state, string region, DateTimeOffset at, List<string> reasons)
    {
        if (state.LastRegion is not { } last || last == region || region == RegionTable.Unknown) return 0;
        var hours = Math.Max(1.0 / 3600, (at.UtcTicks - state.LastAtTicks) / (double)TimeSpan.TicksPerHour);
        if (RegionTable.DistanceKm(last, region) is { } km && km / hours > detector.MaxTravelKmPerHour)
        {
            reasons.Add($"impossible travel: {last} to {region} ({km:0} km) in {hours * 60:0.#} min");
            return options.ImpossibleTravel;
        }

        if (state.Regions.Contains(region)) return 0;
        reasons.Add($"new region {region}");
        return options.NewRegion;
    }

    private double BehaviourScore(PrincipalState state, string action, DateTimeOffset at, List<string> reasons)
    {
        var score = 0.0;
        state.Rate.Add(at, detector.ShortWindowSeconds);
        var rate = state.Rate.RatePerSecond(at, detector.ShortWindowSeconds);
        if (rate > options.BurstPerSecond)
        {
            reasons.Add($"burst of {rate:0.#} attempts/s");
            score += options.Burst;
        }

        var tau = detector.BaselineWindowSeconds * 24;
        if (state.Hours.Observations >= 20 && state.Hours.Share(HourKey(at), at, tau) < detector.NoveltyShare)
        {
            reasons.Add($"unusual hour ({at.UtcDateTime.Hour:00}h UTC)");
            score += options.UnusualHour;
        }

        if (state.Actions.Observations >= 20 && state.Actions.Share(action, at, tau) <= 0)
        {
            reasons.Add($"first time '{action}'");
            score += options.NewAction;
        }

        return score;
    }

    private void Learn(PrincipalState state, in AccessAttempt attempt, string region, string action)
    {
        var tau = detector.BaselineWindowSeconds * 24;
        if (!string.IsNullOrEmpty(attempt.DeviceFingerprint)) state.Devices.Remember(attempt.DeviceFingerprint);
        state.Agents.Remember(AgentFamily(attempt.UserAgent));
        if (region != RegionTable.Unknown)
        {
            state.Regions.Remember(region);
            state.LastRegion = region;
            state.LastAtTicks = attempt.At.UtcTicks;
        }

        state.Hours.Add(HourKey(attempt.At), attempt.At, tau);
        state.Actions.Add(action, attempt.At, tau);
    }

    /// <summary>The product token before the first '/' or space (e.g. <c>Mozilla</c>, <c>okhttp</c>): versions change, families rarely do.</summary>
    private static string AgentFamily(string? agent)
    {
        if (string.IsNullOrWhiteSpace(agent)) return "none";
        var end = agent.AsSpan().IndexOfAny('/', ' ');
        var family = end < 0 ? agent : agent[..end];
        return family.Length <= 64 ? family : family[..64];
    }

    private static string HourKey(DateTimeOffset at) => at.UtcDateTime.Hour.ToString("00", System.Globalization.CultureInfo.InvariantCulture);

    private static string Truncate(string value, int max = MaxActionLength) => value.Length <= max ? value : value[..max];

    /// <summary>A small most-recently-used set.</summary>
    private sealed class RecentSet(int capacity)
    {
        private readonly List<string> _items = [];

        public int Count => _items.Count;

        public bool Contains(string item) => _items.Contains(item, StringComparer.Ordinal);

        public void Remember(string item)
        {
            _items.Remove(item);
            _items.Insert(0, item);
            if (_items.Count > capacity) _items.RemoveAt(_items.Count - 1);
        }
    }

    private sealed class PrincipalState(int devices) : ITouched
    {
        public DecayingCounter Rate;

        public RecentSet Devices { get; } = new(devices);

        public RecentSet Agents { get; } = new(8);

        public RecentSet Regions { get; } = new(16);

        public DecayingHistogram Hours { get; } = new(24);

        public DecayingHistogram Actions { get; } = new(64);

        public string? LastRegion { get; set; }

        public long LastAtTicks { get; set; }

        public long LastTouchedTicks { get; set; }
    }
}
