using Banyan.Platform.Money;

namespace Banyan.Payments.Wallets;

/// <summary>One tier's limits in MINOR units of one currency (JPY has none: ¥1 = 1).</summary>
internal readonly record struct WalletLimits(long PerPayment, long Daily, long Balance)
{
    /// <summary>Largest balance limit any configured tier may have (keeps the headroom arithmetic far from overflow).</summary>
    public const long MaxMinor = 1_000_000_000_000;

    public bool Valid => PerPayment > 0 && Daily >= PerPayment && Balance > 0 && Balance <= MaxMinor && Daily <= MaxMinor;
}

/// <summary>
/// Wallet tier names (e-CNY style): a wallet opened with a phone number only gets small limits; a
/// verified identity gets larger ones. The limits themselves are per currency (<see cref="WalletTiers"/>).
/// The balance limit is enforced by the ledger (headroom account); per-payment and daily limits by the
/// module under the holder's lock.
/// </summary>
internal static class WalletTier
{
    public const string Phone = "phone";
    public const string Verified = "verified";

    /// <summary>Tiers from lowest to highest; a change to a later one is an upgrade.</summary>
    public static readonly string[] Ordered = [Phone, Verified];

    public static bool IsKnown(string? name) => name is Phone or Verified;

    public static int Rank(string name) => Array.IndexOf(Ordered, name);
}

/// <summary>One currency's tiers in configuration (<c>Banyan:Payments:WalletTiers:{CODE}</c>), minor units.</summary>
internal sealed class WalletTierSet
{
    public WalletLimitsOptions Phone { get; set; } = new();

    public WalletLimitsOptions Verified { get; set; } = new();
}

/// <summary>Bindable limits (minor units).</summary>
internal sealed class WalletLimitsOptions
{
    public long PerPayment { get; set; }

    public long Daily { get; set; }

    public long Balance { get; set; }

    public WalletLimits ToLimits() => new(PerPayment, Daily, Balance);
}

/// <summary>
/// Configuration <c>Banyan:Payments:WalletTiers</c>: per currency code, the limits of each tier in minor
/// units. Defaults cover CNY (the figures), HKD, USD, EUR and JPY; a wallet in another currency
/// can be opened once that currency is configured (docs/payments.md "Wallets", decision 0636).
/// </summary>
internal sealed class WalletTierOptions
{
    public const string Section = "Banyan:Payments:WalletTiers";

    public Dictionary<string, WalletTierSet> Currencies { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CNY"] = Set(2_000_00, 5_000_00, 10_000_00, 50_000_00, 100_000_00, 500_000_00),
        ["HKD"] = Set(2_200_00, 5_500_00, 11_000_00, 55_000_00, 110_000_00, 550_000_00),
        ["USD"] = Set(280_00, 700_00, 1_400_00, 7_000_00, 14_000_00, 70_000_00),
        ["EUR"] = Set(250_00, 650_00, 1_300_00, 6_500_00, 13_000_00, 65_000_00),
        // JPY has no minor unit: these are yen.
        ["JPY"] = Set(40_000, 100_000, 200_000, 1_000_000, 2_000_000, 10_000_000),
    };

    public void Validate()
    {
        foreach (var (code, set) in Currencies)
        {
            if (!Platform.Money.Currencies.TryGet(code, out _)) throw new InvalidOperationException($"{Section}: unknown currency '{code}'.");
            var (phone, verified) = (set.Phone.ToLimits(), set.Verified.ToLimits());
            if (!phone.Valid || !verified.Valid)
                throw new InvalidOperationException($"{Section}:{code}: limits must be positive minor units, daily ≥ per payment, at most {WalletLimits.MaxMinor}.");
            if (verified.Balance < phone.Balance || verified.PerPayment < phone.PerPayment || verified.Daily < phone.Daily)
                throw new InvalidOperationException($"{Section}:{code}: the verified tier's limits must not be below the phone tier's.");
        }
    }

    private static WalletTierSet Set(long phonePer, long phoneDaily, long phoneBalance, long verifiedPer, long verifiedDaily, long verifiedBalance) => new()
    {
        Phone = new() { PerPayment = phonePer, Daily = phoneDaily, Balance = phoneBalance },
        Verified = new() { PerPayment = verifiedPer, Daily = verifiedDaily, Balance = verifiedBalance },
    };
}

/// <summary>
/// The configured tier limits, looked up per currency. A wallet copies its limits when it is opened or
/// changes tier (the headroom the ledger holds was granted from those figures), so a later configuration
/// change never silently disagrees with the ledger for an existing wallet.
/// </summary>
internal sealed class WalletTiers(Microsoft.Extensions.Options.IOptions<WalletTierOptions> options)
{
    public bool Supports(Currency currency) => options.Value.Currencies.ContainsKey(currency.Code);

    /// <summary>The limits of a tier in a currency; unknown tier or unconfigured currency is a 400.</summary>
    public WalletLimits For(Currency currency, string tier)
    {
        if (!WalletTier.IsKnown(tier)) throw new Accounts.PaymentsInputException("tier", "must be phone or verified");
        if (!options.Value.Currencies.TryGetValue(currency.Code, out var set))
            throw new Accounts.PaymentsInputException("currency", $"no wallet tiers are configured for {currency.Code} ({WalletTierOptions.Section})");
        return (tier == WalletTier.Phone ? set.Phone : set.Verified).ToLimits();
    }
}

/// <summary>Benefits for elderly wallet holders: a consumption discount at everyday categories, funded by marketing.</summary>
internal static class ElderlyBenefits
{
    /// <summary>Groceries, pharmacies, restaurants, nursing and personal care (ISO 18245).</summary>
    public static readonly string[] DiscountMccs = ["5411", "5912", "5812", "8050"];

    public const int DiscountBps = 500;

    public static long Discount(string mcc, long amount) =>
        DiscountMccs.Contains(mcc) ? checked(amount * DiscountBps) / 10_000 : 0;
}
