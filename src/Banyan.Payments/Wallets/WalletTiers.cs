namespace Banyan.Payments.Wallets;

/// <summary>
/// Wallet tiers (e-CNY style, CNY major units): a wallet opened with a phone number only gets small
/// limits; a verified identity gets larger ones. The balance limit is enforced by the ledger (headroom
/// account); per-payment and daily limits by the module under the holder's lock.
/// </summary>
internal readonly record struct WalletTier(string Name, long PerPayment, long Daily, long Balance)
{
    public static readonly WalletTier Phone = new("phone", 2_000, 5_000, 10_000);
    public static readonly WalletTier Verified = new("verified", 50_000, 100_000, 500_000);

    public static bool TryGet(string? name, out WalletTier tier)
    {
        tier = name switch { "phone" => Phone, "verified" => Verified, _ => default };
        return tier.Name is not null;
    }

    public static WalletTier Get(string name) => TryGet(name, out var t) ? t : throw new InvalidOperationException($"Unknown wallet tier '{name}'.");
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
