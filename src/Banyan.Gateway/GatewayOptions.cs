using Microsoft.Extensions.Configuration;

namespace Banyan.Gateway;

/// <summary>Per-partner call limits. Zero or negative means "no limit" only for <see cref="PerMonth"/>; the others must be positive.</summary>
internal sealed record PartnerLimits(long PerSecond, long PerMinute, long PerHour, long PerMonth)
{
    public const long MaxValue = 1_000_000_000_000;

    public static PartnerLimits Default { get; } = new(50, 1_500, 30_000, 10_000_000);

    /// <summary>Null when every window is in 1..<see cref="MaxValue"/>; otherwise the field errors.</summary>
    public Dictionary<string, string[]>? Validate()
    {
        var errors = new Dictionary<string, string[]>();
        Check(errors, "per_second", PerSecond);
        Check(errors, "per_minute", PerMinute);
        Check(errors, "per_hour", PerHour);
        Check(errors, "per_month", PerMonth);
        return errors.Count == 0 ? null : errors;
    }

    private static void Check(Dictionary<string, string[]> errors, string name, long value)
    {
        if (value is < 1 or > MaxValue) errors[name] = [$"must be an integer from 1 to {MaxValue}"];
    }
}

/// <summary>Thresholds of the abnormal-call detector (docs/gateway.md lists what each one means).</summary>
internal sealed class DetectorOptions
{
    /// <summary>Time constant of the short-term rate counters (seconds).</summary>
    public double ShortWindowSeconds { get; set; } = 1;

    /// <summary>Time constant of the learned baselines (seconds).</summary>
    public double BaselineWindowSeconds { get; set; } = 3_600;

    /// <summary>A flow is bursting when its short-term rate exceeds this many times its baseline…</summary>
    public double BurstFactor { get; set; } = 5;

    /// <summary>…and also this share of the partner's per-second limit…</summary>
    public double BurstFloorShareOfLimit { get; set; } = 0.3;

    /// <summary>…and at least this many calls per second.</summary>
    public double BurstFloorPerSecond { get; set; } = 10;

    /// <summary>Per-customer short-term rate that counts as a burst (calls/s).</summary>
    public double CustomerBurstPerSecond { get; set; } = 5;

    /// <summary>Window for the distinct-count signals (stuffing, many sources, scraping), seconds.</summary>
    public double DistinctWindowSeconds { get; set; } = 600;

    /// <summary>Distinct customers from one customer source address within the window that counts as credential stuffing.</summary>
    public int MaxCustomersPerSource { get; set; } = 8;

    /// <summary>Distinct source addresses for one customer within the window that counts as stuffing against one account.</summary>
    public int MaxSourcesPerCustomer { get; set; } = 6;

    /// <summary>Distinct resource ids on one route by one principal within the window that counts as enumeration (scraping).</summary>
    public int MaxDistinctResources { get; set; } = 20;

    /// <summary>Calls a baseline needs before region, hour and endpoint-mix novelty count.</summary>
    public int EstablishedAfterCalls { get; set; } = 100;

    /// <summary>A region, hour or endpoint whose share of the baseline is below this is "new".</summary>
    public double NoveltyShare { get; set; } = 0.01;

    /// <summary>Ground speed above which two consecutive locations are impossible travel (km/h).</summary>
    public double MaxTravelKmPerHour { get; set; } = 900;

    /// <summary>How long a blocked key (flow, source, customer region, principal) stays blocked (seconds).</summary>
    public double QuarantineSeconds { get; set; } = 3_600;

    /// <summary>Bound on tracked principals, flows and sources (each kind); the least recently seen are evicted.</summary>
    public int MaxTrackedKeys { get; set; } = 200_000;
}

/// <summary>Thresholds of the zero-trust access risk engine (docs/gateway.md).</summary>
internal sealed class RiskOptions
{
    /// <summary>Score at or above which the engine asks for a second factor.</summary>
    public double StepUpAt { get; set; } = 0.3;

    /// <summary>Score at or above which the engine blocks.</summary>
    public double BlockAt { get; set; } = 0.7;

    public double UnknownDevice { get; set; } = 0.35;

    public double MissingDevice { get; set; } = 0.2;

    public double NewUserAgent { get; set; } = 0.1;

    public double NewRegion { get; set; } = 0.2;

    public double ImpossibleTravel { get; set; } = 0.8;

    public double Burst { get; set; } = 0.5;

    public double UnusualHour { get; set; } = 0.1;

    public double NewAction { get; set; } = 0.05;

    /// <summary>Staff actions weigh more: their score is multiplied by this (capped at 1).</summary>
    public double StaffMultiplier { get; set; } = 1.25;

    /// <summary>Per-principal action rate (calls/s) that counts as a burst.</summary>
    public double BurstPerSecond { get; set; } = 3;

    /// <summary>Devices remembered per principal.</summary>
    public int MaxDevicesPerPrincipal { get; set; } = 16;
}

/// <summary>Everything under <c>Banyan:Gateway</c>.</summary>
internal sealed class GatewayOptions
{
    public const string Section = "Banyan:Gateway";

    /// <summary>Path prefixes the gateway protects (case-insensitive, segment boundary).</summary>
    public string[] ProtectedPrefixes { get; set; } = ["/v1/open-banking", GatewayEndpoints.EchoPath];

    /// <summary>Proxies (CIDRs) whose <c>X-Forwarded-For</c> is believed.</summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Optional JSON file with <c>[{"cidr": "...", "region": "..."}]</c>; replaces the built-in table.</summary>
    public string? RegionsFile { get; set; }

    /// <summary>Limits for partners without their own.</summary>
    public PartnerLimits DefaultLimits { get; set; } = PartnerLimits.Default;

    /// <summary>Per-partner limits from configuration (the admin API's stored values win).</summary>
    public Dictionary<string, PartnerLimits> Partners { get; set; } = new(StringComparer.Ordinal);

    public DetectorOptions Detector { get; set; } = new();

    public RiskOptions Risk { get; set; } = new();

    /// <summary>Identical non-allow decisions for one key within this many seconds fold into one audit entry.</summary>
    public double AuditFoldSeconds { get; set; } = 60;

    public static GatewayOptions From(IConfiguration configuration)
    {
        var options = new GatewayOptions();
        var section = configuration.GetSection(Section);
        // Bound piecewise: the limits are positional records, read below with defaults per field.
        section.GetSection(nameof(Detector)).Bind(options.Detector);
        section.GetSection(nameof(Risk)).Bind(options.Risk);
        options.TrustedProxies = section.GetSection(nameof(TrustedProxies)).Get<string[]>() ?? [];
        options.RegionsFile = section[nameof(RegionsFile)];
        options.AuditFoldSeconds = section.GetValue(nameof(AuditFoldSeconds), options.AuditFoldSeconds);
        var prefixes = section.GetSection(nameof(ProtectedPrefixes)).Get<string[]>();
        if (prefixes is { Length: > 0 }) options.ProtectedPrefixes = prefixes;
        options.DefaultLimits = ReadLimits(section.GetSection(nameof(DefaultLimits)), PartnerLimits.Default);
        options.Partners = new Dictionary<string, PartnerLimits>(StringComparer.Ordinal);
        foreach (var partner in section.GetSection(nameof(Partners)).GetChildren())
        {
            options.Partners[partner.Key] = ReadLimits(partner, options.DefaultLimits);
        }

        if (options.DefaultLimits.Validate() is { } errors)
        {
            throw new InvalidOperationException($"{Section}:DefaultLimits is invalid: {string.Join(", ", errors.Keys)}");
        }

        return options;
    }

    private static PartnerLimits ReadLimits(IConfigurationSection section, PartnerLimits fallback) => new(
        section.GetValue(nameof(PartnerLimits.PerSecond), fallback.PerSecond),
        section.GetValue(nameof(PartnerLimits.PerMinute), fallback.PerMinute),
        section.GetValue(nameof(PartnerLimits.PerHour), fallback.PerHour),
        section.GetValue(nameof(PartnerLimits.PerMonth), fallback.PerMonth));
}
