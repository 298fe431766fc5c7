using System.Text.Json;
using System.Text.Json.Serialization;

namespace Banyan.Aml;

/// <summary>
/// Per-bank thresholds. Amounts are integer minor units of <see cref="Currency"/>; defaults are the
/// issue's (CNY). Loaded from a snake_case JSON file (<c>--config</c>); unknown keys are refused.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record AmlConfig
{
    public string Currency { get; init; } = "CNY";
    /// <summary>Offset of the bank's business day from UTC (Beijing: +480), for daily reports and day buckets.</summary>
    public int DayUtcOffsetMinutes { get; init; } = 480;

    public long CashReportingThresholdMinor { get; init; } = 5_000_000;
    public int StructuringLowerPercent { get; init; } = 80;
    public int StructuringMinDeposits { get; init; } = 3;
    public int StructuringWindowHours { get; init; } = 24;

    public int FanInMinDistinct { get; init; } = 5;
    public int FanInWindowHours { get; init; } = 24;
    public int FanOutMinDistinct { get; init; } = 5;
    public int FanOutWindowHours { get; init; } = 8;

    public long PassThroughMinCreditMinor { get; init; } = 5_000_000;
    public int PassThroughMinOutPercent { get; init; } = 90;
    public int PassThroughMaxOutPercent { get; init; } = 110;
    public int PassThroughOutWindowHours { get; init; } = 24;
    public int PassThroughCycles { get; init; } = 2;
    public int PassThroughCycleWindowDays { get; init; } = 7;

    public long RoundTripMinAmountMinor { get; init; } = 1_000_000;
    public int RoundTripTolerancePercent { get; init; } = 10;
    public int RoundTripMaxHopHours { get; init; } = 72;
    public int RoundTripMaxDays { get; init; } = 7;
    public int RoundTripMaxHops { get; init; } = 4;

    public int DormantInactiveDays { get; init; } = 90;
    public long DormantMinAmountMinor { get; init; } = 1_000_000;
    public int DormantReactivationWindowDays { get; init; } = 30;

    public int ProfileIncomeMultiple { get; init; } = 5;
    public int ProfileWindowDays { get; init; } = 30;

    public int VelocityMinDebits { get; init; } = 10;
    public int VelocityWindowHours { get; init; } = 24;
    public int VelocityHistoryDays { get; init; } = 30;
    public int VelocitySigmas { get; init; } = 3;

    public int MuleAccountAgeDays { get; init; } = 7;
    public int MuleMinCredits { get; init; } = 3;
    public long MuleMinTotalMinor { get; init; } = 5_000_000;
    public int MuleOutPercent { get; init; } = 80;
    public int MuleOutWindowHours { get; init; } = 48;

    public IReadOnlyList<string> HighRiskCountries { get; init; } = ["KP", "IR", "MM"];

    public double SanctionsThreshold { get; init; } = 0.88;

    public long LargeCashDailyMinor { get; init; } = 5_000_000;
    public long LargeCorporateTransferMinor { get; init; } = 200_000_000;
    public long LargeIndividualDomesticMinor { get; init; } = 50_000_000;
    public long LargeIndividualCrossBorderMinor { get; init; } = 20_000_000;

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        WriteIndented = true,
    };

    /// <summary>Reads and validates a config file; every problem is a usage-level message.</summary>
    public static AmlConfig Load(string path)
    {
        AmlConfig? config;
        try
        {
            using var stream = File.OpenRead(path);
            config = JsonSerializer.Deserialize<AmlConfig>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
        if (config is null) throw new FormatException($"{path}: the config must be a JSON object");
        config.Validate();
        return config;
    }

    public void Validate()
    {
        Require(Currency is { Length: 3 }, "currency must be a 3-letter code");
        Require(DayUtcOffsetMinutes is >= -14 * 60 and <= 14 * 60, "day_utc_offset_minutes must be within ±840");
        Require(CashReportingThresholdMinor > 0 && PassThroughMinCreditMinor > 0 && RoundTripMinAmountMinor > 0
            && DormantMinAmountMinor > 0 && MuleMinTotalMinor > 0 && LargeCashDailyMinor > 0 && LargeCorporateTransferMinor > 0
            && LargeIndividualDomesticMinor > 0 && LargeIndividualCrossBorderMinor > 0, "amounts must be positive");
        long[] amounts = [CashReportingThresholdMinor, PassThroughMinCreditMinor, RoundTripMinAmountMinor, DormantMinAmountMinor, MuleMinTotalMinor,
            LargeCashDailyMinor, LargeCorporateTransferMinor, LargeIndividualDomesticMinor, LargeIndividualCrossBorderMinor];
        Require(amounts.All(a => a <= Limits.MaxAmount), $"amounts must be at most {Limits.MaxAmount}");
        Require(ProfileIncomeMultiple <= 1_000 && VelocitySigmas <= 100, "profile_income_multiple at most 1000, velocity_sigmas at most 100");
        Require(StructuringLowerPercent is > 0 and < 100, "structuring_lower_percent must be 1..99");
        Require(PassThroughMinOutPercent > 0 && PassThroughMaxOutPercent >= PassThroughMinOutPercent && PassThroughMaxOutPercent <= 1000, "pass-through percents out of range");
        Require(RoundTripTolerancePercent is >= 0 and <= 100 && RoundTripMaxHops is >= 2 and <= 8, "round-trip tolerance 0..100, max hops 2..8");
        Require(MuleOutPercent is > 0 and <= 100, "mule_out_percent must be 1..100");
        Require(SanctionsThreshold is > 0.5 and <= 1.0, "sanctions_threshold must be in (0.5, 1]");
        Require(VelocityHistoryDays is >= 1 and <= 365 && VelocitySigmas >= 0, "velocity history 1..365 days");
        int[] positives = [StructuringMinDeposits, StructuringWindowHours, FanInMinDistinct, FanInWindowHours, FanOutMinDistinct,
            FanOutWindowHours, PassThroughOutWindowHours, PassThroughCycles, PassThroughCycleWindowDays, RoundTripMaxHopHours,
            RoundTripMaxDays, DormantInactiveDays, DormantReactivationWindowDays, ProfileIncomeMultiple, ProfileWindowDays, VelocityMinDebits, VelocityWindowHours,
            MuleAccountAgeDays, MuleMinCredits, MuleOutWindowHours];
        Require(positives.All(p => p is > 0 and <= 100_000), "counts, hours and days must be positive");
        Require(HighRiskCountries.All(c => Country.Pack(c) != Country.None), "high_risk_countries must be 2-letter codes");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new FormatException("config: " + message);
    }
}
