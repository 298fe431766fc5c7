using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Banyan.Platform.Money;

namespace Banyan.Payments.CrossBorder;

/// <summary>A corridor's fee schedule: fixed + basis points of the principal, capped; fixed and cap in US cents.</summary>
internal sealed record FeeSchedule(long FixedUsdMinor, int Bps, long CapUsdMinor);

/// <summary>One destination country: its currency, business hours (local, standard time), fees, extra spread and delivery time.</summary>
internal sealed record Corridor(
    string Country, string Name, Currency Currency, int UtcOffsetMinutes, TimeOnly CutOff, TimeOnly Opens,
    FeeSchedule Fee, int SpreadBps, int DeliveryMinutes, string Scheme, string CorrespondentBic)
{
    /// <summary>
    /// When a payment released at <paramref name="now"/> is expected to be credited: within business hours of a
    /// weekday (local) → now + delivery; otherwise the next opening + delivery. Holidays are not modelled.
    /// </summary>
    public DateTimeOffset ExpectedDelivery(DateTimeOffset now)
    {
        var offset = TimeSpan.FromMinutes(UtcOffsetMinutes);
        var local = now.ToOffset(offset);
        var time = TimeOnly.FromTimeSpan(local.TimeOfDay);
        if (IsWeekday(local.DayOfWeek) && time >= Opens && time < CutOff)
        {
            return now.AddMinutes(DeliveryMinutes);
        }

        var day = DateOnly.FromDateTime(local.DateTime);
        if (!IsWeekday(local.DayOfWeek) || time >= CutOff)
        {
            day = day.AddDays(1);
        }

        while (!IsWeekday(day.DayOfWeek))
        {
            day = day.AddDays(1);
        }

        return new DateTimeOffset(day.ToDateTime(Opens), offset).AddMinutes(DeliveryMinutes).ToUniversalTime();
    }

    private static bool IsWeekday(DayOfWeek d) => d is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
}

/// <summary>The corridor table (embedded <c>Data/corridors.json</c>, illustrative), by ISO 3166 alpha-2 country code.</summary>
internal sealed class CorridorTable
{
    private readonly Dictionary<string, Corridor> _byCountry;

    private CorridorTable(IReadOnlyList<Corridor> all)
    {
        All = all;
        _byCountry = all.ToDictionary(c => c.Country, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<Corridor> All { get; }

    public bool TryGet(string? country, out Corridor corridor)
    {
        corridor = null!;
        return country is not null && _byCountry.TryGetValue(country, out corridor!);
    }

    public static CorridorTable Embedded()
    {
        using var stream = typeof(CorridorTable).Assembly.GetManifestResourceStream("Banyan.Payments.CrossBorder.Data.corridors.json")
            ?? throw new InvalidOperationException("The embedded corridor table is missing from the assembly.");
        return Parse(stream);
    }

    public static CorridorTable Parse(Stream json)
    {
        var file = JsonSerializer.Deserialize<CorridorFile>(json, JsonOptions) ?? throw new FormatException("Empty corridor table.");
        var list = file.Corridors.Select(ToCorridor).ToList();
        if (list.Select(c => c.Country).Distinct(StringComparer.OrdinalIgnoreCase).Count() != list.Count)
        {
            throw new FormatException("The corridor table repeats a country.");
        }

        return new CorridorTable(list);
    }

    private static Corridor ToCorridor(CorridorEntry e)
    {
        if (e.Country.Length != 2 || !Currencies.TryGet(e.Currency, out var currency) || e.Fee.Bps is < 0 or > 1_000 || e.Fee.FixedUsdMinor < 0
            || e.Fee.CapUsdMinor < e.Fee.FixedUsdMinor || e.SpreadBps is < 0 or > 1_000 || e.DeliveryMinutes is < 1 or > 10_080
            || e.UtcOffsetMinutes is < -720 or > 840 || !Iso.IsoText.IsBic(e.CorrespondentBic))
        {
            throw new FormatException($"Corridor '{e.Country}' has an invalid field.");
        }

        var cutOff = TimeOnly.ParseExact(e.CutOff, "HH:mm", CultureInfo.InvariantCulture);
        var opens = TimeOnly.ParseExact(e.Opens, "HH:mm", CultureInfo.InvariantCulture);
        if (opens >= cutOff)
        {
            throw new FormatException($"Corridor '{e.Country}' opens after its cut-off.");
        }

        var fee = new FeeSchedule(e.Fee.FixedUsdMinor, e.Fee.Bps, e.Fee.CapUsdMinor);
        return new Corridor(e.Country.ToUpperInvariant(), e.Name, currency, e.UtcOffsetMinutes, cutOff, opens, fee, e.SpreadBps, e.DeliveryMinutes, e.Scheme, e.CorrespondentBic);
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    private sealed record CorridorFile(IReadOnlyList<CorridorEntry> Corridors);

    private sealed record FeeEntry(long FixedUsdMinor, int Bps, long CapUsdMinor);

    private sealed record CorridorEntry(
        string Country, string Name, string Currency, int UtcOffsetMinutes, string CutOff, string Opens, FeeEntry Fee,
        int SpreadBps, int DeliveryMinutes, string Scheme, string CorrespondentBic);
}
