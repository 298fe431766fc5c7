using System.Globalization;
using Banyan.Platform.Money;

namespace Banyan.Payments.CrossBorder.Iso;

/// <summary>Checks and formats of ISO 20022 simple types used by the supported subset (docs/payments-cross-border.md).</summary>
internal static class IsoText
{
    /// <summary>BIC (ISO 9362): 4 letters, 2-letter country, 2 letters/digits, optional 3 letters/digits.</summary>
    public static bool IsBic(string? s) =>
        s is { Length: 8 or 11 } && s[..4].All(char.IsAsciiLetterUpper) && s[4..6].All(char.IsAsciiLetterUpper) && s[6..].All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));

    /// <summary>Letters, digits, space and the ISO 20022 "Latin" punctuation (no control characters).</summary>
    public static bool IsPrintableLatin(string s) => s.All(c => c is >= ' ' and <= '~');

    public static string? MaxText(string s, int max) =>
        s.Length is 0 || s.Length > max ? $"must be 1–{max} characters" : !s.All(c => !char.IsControl(c)) ? "must not contain control characters" : null;

    /// <summary>A ledger id in ISO 20022 identifiers (<c>Othr/Id</c> is Max34Text, <c>AcctSvcrRef</c> Max35Text): 32 upper-case hex digits.</summary>
    public static string LedgerId(UInt128 id) => id.ToString("X32", CultureInfo.InvariantCulture);

    public static bool TryLedgerId(string? s, out UInt128 id)
    {
        id = UInt128.Zero;
        return s is { Length: 32 } && s.All(char.IsAsciiHexDigit) && UInt128.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id);
    }

    public static string? Max35(string s) => MaxText(s, 35);

    public static string? Max140(string s) => MaxText(s, 140);

    public static string? Account(string s) => s.Length is >= 1 and <= 34 && s.All(char.IsAsciiLetterOrDigit) ? null : "must be 1–34 letters and digits";

    public static string? Iban(string s) => s.Length is >= 15 and <= 34 && s[..2].All(char.IsAsciiLetterUpper) && s[2..4].All(char.IsAsciiDigit) && s.All(char.IsAsciiLetterOrDigit) ? null : "must be an IBAN (2 letters, 2 digits, up to 30 letters/digits)";

    public static string? Bic(string s) => IsBic(s) ? null : "must be a BIC (8 or 11 characters)";

    public static string? Country(string s) => s.Length == 2 && s.All(char.IsAsciiLetterUpper) ? null : "must be an ISO 3166 alpha-2 code";

    public static string? CurrencyCode(string s) => Currencies.TryGet(s, out var c) && c.Code == s ? null : "must be one of the twelve supported ISO 4217 currencies";

    public static string? Numeric15(string s) => s.Length is >= 1 and <= 15 && s.All(char.IsAsciiDigit) ? null : "must be 1–15 digits";

    public static string? DateTimeText(string s) => TryDateTime(s, out _) ? null : "must be an ISO 8601 date-time";

    public static string? DateText(string s) => DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? null : "must be an ISO 8601 date (yyyy-mm-dd)";

    public static string? DecimalText(string s) => TryDecimal(s, 18, 5, out _) ? null : "must be a decimal number (at most 18 digits, 5 after the point)";

    /// <summary>BaseOneRate: at most 11 digits, 10 after the point.</summary>
    public static string? Rate(string s) => TryDecimal(s, 11, 10, out var d) && d > 0 ? null : "must be a positive rate (at most 11 digits, 10 after the point)";

    public static string? Amount(string s) => TryDecimal(s, 18, 5, out var d) && d > 0 ? null : "must be a positive decimal amount (at most 18 digits, 5 after the point)";

    public static string? Uuid4(string s) => IsUuid4(s) ? null : "must be a lower-case RFC 4122 version 4 UUID";

    public static Func<string, string?> OneOf(params string[] codes) => s => codes.Contains(s, StringComparer.Ordinal) ? null : "must be one of " + string.Join(", ", codes);

    public static bool IsUuid4(string s) =>
        s.Length == 36 && Guid.TryParseExact(s, "D", out _) && !s.Any(char.IsAsciiLetterUpper) && s[14] == '4' && s[19] is '8' or '9' or 'a' or 'b';

    public static bool TryDateTime(string s, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value) && s.Length is >= 19 and <= 35 && s[10] == 'T';

    public static string FormatDateTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static bool TryDecimal(string s, int totalDigits, int fractionDigits, out decimal value)
    {
        value = 0;
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? s : s[..dot];
        var fraction = dot < 0 ? "" : s[(dot + 1)..];
        if (whole.Length == 0 || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit) || (dot >= 0 && fraction.Length == 0)
            || fraction.Length > fractionDigits || whole.Length + fraction.Length > totalDigits)
        {
            return false;
        }

        return decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>An ISO amount text in minor units of <paramref name="c"/>, or an error when it has more decimals than the currency.</summary>
    public static bool TryMinor(string text, Currency c, out long minor)
    {
        minor = 0;
        if (!TryDecimal(text, 18, 5, out var d))
        {
            return false;
        }

        var scaled = d * c.MinorPerMajor;
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue)
        {
            return false;
        }

        minor = (long)scaled;
        return true;
    }

    /// <summary>Minor units as an ISO amount text with exactly the currency's decimals (JPY none).</summary>
    public static string FormatMinor(long minor, Currency c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minor);
        var per = c.MinorPerMajor;
        var major = (minor / per).ToString(CultureInfo.InvariantCulture);
        return c.MinorUnits == 0 ? major : major + "." + (minor % per).ToString(CultureInfo.InvariantCulture).PadLeft(c.MinorUnits, '0');
    }
}
