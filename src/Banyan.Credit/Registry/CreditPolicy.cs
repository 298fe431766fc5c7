namespace Banyan.Credit.Registry;

/// <summary>
/// The lending policy that turns a score into an offer (configuration section
/// <c>Banyan:Credit:Policy</c>). Price = funding + margin + expected loss, as an annual rate in basis
/// points, where expected loss = P(bad) × loss given default. Limit = the requested amount, capped so
/// that P(bad) × LGD × limit stays within the expected-loss budget per applicant. Money is integer
/// minor units.
/// </summary>
internal sealed record CreditPolicy
{
    public const long MaxAmountMinor = 1_000_000_000_000_000;

    public int FundingRateBps { get; init; } = 300;
    public int MarginBps { get; init; } = 200;
    public double LossGivenDefault { get; init; } = 0.45;
    public long MaxExpectedLossMinor { get; init; } = 100_000;

    public void Validate()
    {
        if (FundingRateBps is < 0 or > 10_000 || MarginBps is < 0 or > 10_000) throw new InvalidOperationException("credit policy rates must be 0..10000 bps");
        if (!(LossGivenDefault is > 0 and <= 1)) throw new InvalidOperationException("credit policy loss given default must be in (0, 1]");
        if (MaxExpectedLossMinor is < 1 or > MaxAmountMinor) throw new InvalidOperationException("credit policy expected-loss budget out of range");
    }

    /// <summary>The offer for a decision: none when declined.</summary>
    public (long? Limit, int? PriceBps) Offer(string decision, double probabilityBad, long? amountRequested)
    {
        if (decision == "decline") return (null, null);
        var expectedLoss = Math.Clamp(probabilityBad, 0, 1) * LossGivenDefault;
        var price = checked(FundingRateBps + MarginBps + (int)Math.Ceiling(expectedLoss * 10_000));
        // decimal for the money arithmetic: the probability is a double, the limit must be exact minor units.
        var cap = expectedLoss <= 0 ? MaxAmountMinor : (long)Math.Min(MaxAmountMinor, decimal.Floor(MaxExpectedLossMinor / (decimal)expectedLoss));
        return (Math.Min(cap, amountRequested ?? MaxAmountMinor), price);
    }
}
