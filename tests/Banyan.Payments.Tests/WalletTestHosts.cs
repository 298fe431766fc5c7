namespace Banyan.Payments.Tests;

/// <summary>
/// Hosts for the wallet-tier, coupon-return and wallet API tests: small preallocated ledger tables (these
/// tests post a few hundred transfers) so several hosts alive at once in the test process stay small, and
/// one collection so these classes do not add to each other's peak.
/// </summary>
internal static class WalletTestHosts
{
    private static readonly string[] Small = ["--Banyan:Ledger:AccountCapacity=16384", "--Banyan:Ledger:TransferCapacity=65536"];

    public static Task<PaymentsHost> StartAsync(params string[] args) => PaymentsHost.StartAsync([.. Small, .. args]);

    /// <summary>A small host on <paramref name="directory"/> that leaves its data there, so another can start on it (restart tests).</summary>
    public static Task<PaymentsHost> StartOnAsync(string directory) => PaymentsHost.StartOnAsync(directory, Small);

    public static Task<PaymentsHost> StartWithClockAsync(params string[] args) => PaymentsHost.StartWithClockAsync([.. Small, .. args]);
}

[CollectionDefinition(Name)]
public sealed class WalletHostsCollection
{
    public const string Name = "wallet and coupon hosts";
}
