namespace Banyan.Platform.Money;

/// <summary>
/// An ISO 4217 currency as the whole platform uses it: the alphabetic code, the numeric code (which is
/// also the <b>ledger number</b> every module posts that currency to) and the number of minor-unit
/// decimals (JPY has none). Amounts are always integer minor units. docs/architecture.md, "Conventions".
/// </summary>
/// <param name="Code">ISO 4217 alphabetic code, e.g. <c>CNY</c>.</param>
/// <param name="Numeric">ISO 4217 numeric code, e.g. 156; the ledger number of the currency.</param>
/// <param name="MinorUnits">Decimals of the minor unit (0 for JPY, 2 for most).</param>
public readonly record struct Currency(string Code, ushort Numeric, byte MinorUnits)
{
    /// <summary>The ledger number for this currency (the ISO numeric code).</summary>
    public uint Ledger => Numeric;

    /// <summary>10^MinorUnits: minor units in one major unit.</summary>
    public long MinorPerMajor => MinorUnits switch { 0 => 1, 1 => 10, 2 => 100, 3 => 1000, _ => throw new InvalidOperationException("Unsupported minor units.") };

    /// <summary>Formats an integer minor-unit amount for people, e.g. <c>CNY 1,234.50</c>; exact (no floating point).</summary>
    public string Format(long minorUnits)
    {
        var sign = minorUnits < 0 ? "-" : "";
        var abs = minorUnits == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(minorUnits);
        var per = (ulong)MinorPerMajor;
        var major = (abs / per).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        return MinorUnits == 0
            ? $"{Code} {sign}{major}"
            : $"{Code} {sign}{major}.{(abs % per).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(MinorUnits, '0')}";
    }

    /// <inheritdoc />
    public override string ToString() => Code;
}

/// <summary>The currencies the platform knows (the report's twelve cross-border currencies).</summary>
public static class Currencies
{
    /// <summary>Chinese yuan renminbi.</summary>
    public static readonly Currency Cny = new("CNY", 156, 2);

    /// <summary>The platform's default (home) currency.</summary>
    public static Currency Home => Cny;

    /// <summary>All known currencies, ordered by code.</summary>
    public static IReadOnlyList<Currency> All { get; } =
    [
        new("AUD", 36, 2), new("CAD", 124, 2), new("CHF", 756, 2), Cny, new("EUR", 978, 2), new("GBP", 826, 2),
        new("HKD", 344, 2), new("JPY", 392, 0), new("MYR", 458, 2), new("SGD", 702, 2), new("THB", 764, 2), new("USD", 840, 2),
    ];

    private static readonly Dictionary<string, Currency> ByCode = All.ToDictionary(c => c.Code, StringComparer.OrdinalIgnoreCase);
    private static readonly Dictionary<uint, Currency> ByLedger = All.ToDictionary(c => c.Ledger);

    /// <summary>The currency with this alphabetic code (case-insensitive), or <see langword="false"/>.</summary>
    public static bool TryGet(string? code, out Currency currency)
    {
        currency = default;
        return code is not null && ByCode.TryGetValue(code, out currency);
    }

    /// <summary>The currency posted to this ledger number, or <see langword="false"/>.</summary>
    public static bool TryGetByLedger(uint ledger, out Currency currency) => ByLedger.TryGetValue(ledger, out currency);

    /// <summary>The currency with this code.</summary>
    /// <exception cref="ArgumentException">Unknown code.</exception>
    public static Currency Get(string code) =>
        TryGet(code, out var c) ? c : throw new ArgumentException($"Unknown currency '{code}'.", nameof(code));
}
