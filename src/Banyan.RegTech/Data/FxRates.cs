using System.Globalization;
using System.Text.Json;
using Banyan.Platform.Http;
using Banyan.Platform.Money;

namespace Banyan.RegTech.Data;

/// <summary>
/// One published rate: on <see cref="Date"/>, 1 <see cref="Base"/> (major unit) = <see cref="Rate"/>
/// <see cref="Quote"/> (major units). E.g. <c>{"date": "2026-06-30", "base": "EUR", "quote": "CNY", "rate": 7.8123}</c>.
/// </summary>
internal sealed class FxRateEntry
{
    public string Date { get; init; } = "";
    public string Base { get; init; } = "";
    public string Quote { get; init; } = "";
    public decimal Rate { get; init; }
}

/// <summary>
/// FX settings (<c>Banyan:RegTech:Fx</c>): inline <c>Rates</c> and/or a <c>RatesFile</c>
/// (JSON <c>{"rates": [FxRateEntry…]}</c>), and how old a rate may be on the reporting date.
/// </summary>
internal sealed class FxOptions
{
    public string? RatesFile { get; init; }
    public IReadOnlyList<FxRateEntry> Rates { get; init; } = [];
    /// <summary>A rate dated up to this many days before the reporting date still applies (weekends, holidays).</summary>
    public int MaxAgeDays { get; init; } = 5;
}

/// <summary>The rate a conversion used: 1 <see cref="From"/> = <see cref="Rate"/> <see cref="To"/>, as published on <see cref="Date"/>.</summary>
/// Inverted: only the opposite quotation was published and <see cref="Rate"/> is 1 / that rate.
internal readonly record struct AppliedRate(string From, string To, decimal Rate, DateOnly Date, bool Inverted);

/// <summary>
/// Exchange rates by date for converting balances into the reporting currency (docs/regtech.md
/// "FX conversion"). A lookup takes the rate dated on the reporting date, else the latest one before it
/// within <see cref="FxOptions.MaxAgeDays"/>; the direct quotation wins over the inverse of the opposite one.
/// No rate: the caller reports the figure as undefined (never zero).
/// </summary>
internal sealed class FxRates
{
    public const int MaxEntries = 200_000;
    /// <summary>Rates are decimals with at most this many decimal places (published fixings have 4–6).</summary>
    public const int MaxRateDecimals = 10;

    private readonly Dictionary<(string Base, string Quote), SortedList<DateOnly, decimal>> _rates = [];

    public FxRates(IEnumerable<FxRateEntry> entries, int maxAgeDays)
    {
        if (maxAgeDays is < 0 or > 366) throw new InvalidDataException("Fx:MaxAgeDays must be from 0 to 366");
        MaxAgeDays = maxAgeDays;
        var n = 0;
        foreach (var e in entries)
        {
            if (++n > MaxEntries) throw new InvalidDataException($"more than {MaxEntries} FX rates");
            Add(e);
        }
    }

    public static FxRates Empty { get; } = new([], 5);

    public int MaxAgeDays { get; }

    public int Count => _rates.Values.Sum(s => s.Count);

    public static FxRates Load(FxOptions options)
    {
        var entries = new List<FxRateEntry>(options.Rates);
        if (options.RatesFile is { } path)
        {
            using var stream = File.OpenRead(path);
            var file = JsonSerializer.Deserialize<FxRatesFile>(stream, BanyanJson.Options) ?? throw new InvalidDataException($"{path}: empty FX rates file");
            entries.AddRange(file.Rates);
        }
        return new FxRates(entries, options.MaxAgeDays);
    }

    /// <summary>The rate converting <paramref name="from"/> into <paramref name="to"/> on <paramref name="date"/>, or the reason there is none.</summary>
    public (AppliedRate? Rate, string? Missing) Find(string from, string to, DateOnly date)
    {
        if (from == to) return (new AppliedRate(from, to, 1m, date, false), null);
        if (Latest(from, to, date) is { } direct) return (new AppliedRate(from, to, direct.Rate, direct.Date, false), null);
        if (Latest(to, from, date) is { } inverse) return (new AppliedRate(from, to, 1m / inverse.Rate, inverse.Date, true), null);
        return (null, $"no {from}/{to} exchange rate dated from {Iso(date.AddDays(-MaxAgeDays))} to {Iso(date)} (Banyan:RegTech:Fx)");
    }

    /// <summary>
    /// Converts an amount in minor units of <paramref name="from"/> into minor units of the rate's target:
    /// amount × rate × 10^(target minor units − source minor units), rounded half away from zero to the minor unit.
    /// </summary>
    public static long Convert(long amount, Currency from, Currency to, decimal rate)
    {
        var scaled = amount * rate * to.MinorPerMajor / from.MinorPerMajor;
        return checked((long)Math.Round(scaled, 0, MidpointRounding.AwayFromZero));
    }

    private (decimal Rate, DateOnly Date)? Latest(string from, string to, DateOnly date)
    {
        if (!_rates.TryGetValue((from, to), out var series)) return null;
        var keys = series.Keys;
        int lo = 0, hi = keys.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (keys[mid] <= date)
            {
                found = mid;
                lo = mid + 1;
            }
            else hi = mid - 1;
        }
        if (found < 0 || keys[found] < date.AddDays(-MaxAgeDays)) return null;
        return (series.Values[found], keys[found]);
    }

    private void Add(FxRateEntry e)
    {
        if (!DateOnly.TryParseExact(e.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            throw new InvalidDataException($"FX rate date '{e.Date}' is not YYYY-MM-DD");
        if (!Currencies.TryGet(e.Base, out var baseCurrency) || !Currencies.TryGet(e.Quote, out var quoteCurrency) || baseCurrency == quoteCurrency)
            throw new InvalidDataException($"FX rate {e.Base}/{e.Quote} on {e.Date}: both must be different ISO 4217 currencies known to the platform");
        if (e.Rate <= 0 || e.Rate.Scale > MaxRateDecimals || e.Rate > 1_000_000m)
            throw new InvalidDataException($"FX rate {e.Base}/{e.Quote} on {e.Date}: {e.Rate} must be positive, at most 1,000,000, with at most {MaxRateDecimals} decimals");
        var key = (baseCurrency.Code, quoteCurrency.Code);
        if (!_rates.TryGetValue(key, out var series)) _rates[key] = series = [];
        if (series.TryGetValue(date, out var existing) && existing != e.Rate)
            throw new InvalidDataException($"FX rate {e.Base}/{e.Quote} on {e.Date} is given twice with different values");
        series[date] = e.Rate;
    }

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed class FxRatesFile
    {
        public IReadOnlyList<FxRateEntry> Rates { get; init; } = [];
    }
}
