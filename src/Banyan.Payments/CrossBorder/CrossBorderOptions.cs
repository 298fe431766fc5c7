namespace Banyan.Payments.CrossBorder;

/// <summary>Configuration <c>Banyan:Payments:CrossBorder</c> (docs/payments-cross-border.md).</summary>
internal sealed class CrossBorderOptions
{
    public const string Section = "Banyan:Payments:CrossBorder";
    public const int MaxQuoteValiditySeconds = 3_600;

    /// <summary>JSON or CSV rates file (units per 1 base currency); empty = the embedded illustrative rates. Re-read when it changes.</summary>
    public string? RatesFile { get; set; }

    /// <summary>How long a quote can be accepted (default 300 s).</summary>
    public int QuoteValiditySeconds { get; set; } = 300;

    /// <summary>Largest principal of one payment, in major units of the payer's currency (default 1,000,000).</summary>
    public long MaxPrincipalMajor { get; set; } = 1_000_000;

    /// <summary>FX spread in basis points per customer tier (added to the corridor's spread).</summary>
    public Dictionary<string, int> TierSpreadBps { get; set; } = new(StringComparer.Ordinal) { ["standard"] = 40, ["premium"] = 15, ["business"] = 25 };

    /// <summary>Customer id → tier; customers not listed are <c>standard</c>.</summary>
    public Dictionary<string, string> CustomerTiers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>This bank's BIC (illustrative default), the instructing agent of outgoing pacs.008.</summary>
    public string BankBic { get; set; } = "BNYNCNSHXXX";

    public const string DefaultTier = "standard";

    public void Validate()
    {
        if (QuoteValiditySeconds is < 1 or > MaxQuoteValiditySeconds)
        {
            throw new InvalidOperationException($"{Section}:QuoteValiditySeconds must be 1–{MaxQuoteValiditySeconds}.");
        }

        if (MaxPrincipalMajor is < 1 or > 1_000_000_000)
        {
            throw new InvalidOperationException($"{Section}:MaxPrincipalMajor must be 1–1,000,000,000.");
        }

        if (!TierSpreadBps.ContainsKey(DefaultTier) || TierSpreadBps.Values.Any(v => v is < 0 or > 1_000))
        {
            throw new InvalidOperationException($"{Section}:TierSpreadBps needs a '{DefaultTier}' tier and spreads of 0–1,000 bps.");
        }

        var unknown = CustomerTiers.Values.FirstOrDefault(t => !TierSpreadBps.ContainsKey(t));
        if (unknown is not null)
        {
            throw new InvalidOperationException($"{Section}:CustomerTiers names tier '{unknown}', which has no spread.");
        }

        if (!Iso.IsoText.IsBic(BankBic))
        {
            throw new InvalidOperationException($"{Section}:BankBic '{BankBic}' is not a BIC.");
        }
    }

    public string TierOf(string customerId) => CustomerTiers.TryGetValue(customerId, out var tier) ? tier : DefaultTier;
}
