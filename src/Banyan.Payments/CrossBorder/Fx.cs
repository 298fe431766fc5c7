using System.Globalization;
using System.Numerics;
using Banyan.Platform.Money;

namespace Banyan.Payments.CrossBorder;

/// <summary>An exact non-negative rational number (no floating point anywhere in FX).</summary>
internal readonly record struct Rational
{
    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.Sign <= 0 || numerator.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(denominator), "A rate is a non-negative numerator over a positive denominator.");
        }

        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        (Numerator, Denominator) = gcd.IsZero ? (numerator, denominator) : (numerator / gcd, denominator / gcd);
    }

    public BigInteger Numerator { get; }

    public BigInteger Denominator { get; }

    /// <summary>The exact value of a decimal (its digits over a power of ten, read from its invariant text).</summary>
    public static Rational Of(decimal value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        var text = value.ToString(CultureInfo.InvariantCulture);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var scale = dot < 0 ? 0 : text.Length - dot - 1;
        return new Rational(BigInteger.Parse(text.Replace(".", "", StringComparison.Ordinal), CultureInfo.InvariantCulture), BigInteger.Pow(10, scale));
    }

    public static Rational operator *(Rational a, Rational b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    public static Rational operator /(Rational a, Rational b) =>
        b.Numerator.IsZero ? throw new DivideByZeroException() : new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    public static Rational Whole(BigInteger n) => new(n, BigInteger.One);

    public BigInteger Floor() => BigInteger.Divide(Numerator, Denominator);

    public BigInteger Ceiling() => BigInteger.Divide(Numerator + Denominator - 1, Denominator);

    /// <summary>Nearest integer, halves away from zero (values here are never negative).</summary>
    public BigInteger RoundHalfUp() => BigInteger.Divide((2 * Numerator) + Denominator, 2 * Denominator);

    /// <summary>Rounded down to <paramref name="places"/> decimals, as an exact decimal.</summary>
    public decimal FloorToDecimal(int places)
    {
        var scaled = (this * Whole(BigInteger.Pow(10, places))).Floor();
        return decimal.Parse(Shift(scaled, places), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
    }

    private static string Shift(BigInteger scaled, int places)
    {
        var digits = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(places + 1, '0');
        if (places == 0)
        {
            return digits;
        }

        return digits[..^places] + "." + digits[^places..];
    }
}

/// <summary>
/// The arithmetic of one conversion, exact and in integer minor units (docs/payments-cross-border.md, "Rounding"):
/// the customer rate is the mid rate less the spread, rounded <b>down</b> to <see cref="RateDecimals"/> decimals and
/// locked in the quote; the delivered amount is principal × rate rounded <b>down</b> to the destination's minor unit
/// (a receive-amount quote rounds the principal <b>up</b>); fees and the FX margin round half up to the payer's minor unit.
/// </summary>
internal static class FxMath
{
    public const int RateDecimals = 10;
    public const int RateDigits = 11;
    private static readonly Rational BpsBase = Rational.Whole(10_000);

    /// <summary>Mid rate: destination major units per source major unit, from rates per base unit.</summary>
    public static Rational Mid(FxRates rates, Currency source, Currency destination) => rates.PerBase(destination) / rates.PerBase(source);

    /// <summary>Mid less the spread, rounded down to fit ISO 20022 <c>BaseOneRate</c> (11 digits, at most 10 after the point).</summary>
    public static decimal CustomerRate(Rational mid, int spreadBps)
    {
        var exact = mid * new Rational(10_000 - spreadBps, 10_000);
        var wholeDigits = exact.Floor().IsZero ? 0 : exact.Floor().ToString(CultureInfo.InvariantCulture).Length;
        return exact.FloorToDecimal(Math.Clamp(RateDigits - wholeDigits, 0, RateDecimals));
    }

    /// <summary>Destination minor units delivered for <paramref name="principal"/> source minor units (rounded down).</summary>
    public static long Deliver(long principal, decimal rate, Currency source, Currency destination) =>
        checked((long)(Rational.Whole(principal) * Rational.Of(rate) * Scale(source, destination)).Floor());

    /// <summary>Smallest principal (source minor units) that delivers at least <paramref name="delivered"/> (rounded up).</summary>
    public static long PrincipalFor(long delivered, decimal rate, Currency source, Currency destination) =>
        checked((long)(Rational.Whole(delivered) / (Rational.Of(rate) * Scale(source, destination))).Ceiling());

    /// <summary>The FX margin in source minor units: principal less what the delivered amount costs at the mid rate.</summary>
    public static long Margin(long principal, long delivered, Rational mid, Currency source, Currency destination)
    {
        var atMid = (Rational.Whole(delivered) / (mid * Scale(source, destination))).RoundHalfUp();
        return checked((long)BigInteger.Max(BigInteger.Zero, principal - atMid));
    }

    /// <summary>A US-cent amount in the source currency's minor units at the mid rate (fee schedules are in USD).</summary>
    public static long FromUsdMinor(long usdMinor, FxRates rates, Currency source)
    {
        var usd = Currencies.Get("USD");
        return checked((long)(Rational.Whole(usdMinor) * Mid(rates, usd, source) * Scale(usd, source)).RoundHalfUp());
    }

    public static long Bps(long amount, int bps) => checked((long)(Rational.Whole(amount) * Rational.Whole(bps) / BpsBase).RoundHalfUp());

    /// <summary>Destination minor units per source minor unit for a rate of 1 (10^dst decimals / 10^src decimals).</summary>
    private static Rational Scale(Currency source, Currency destination) => new(destination.MinorPerMajor, source.MinorPerMajor);
}
