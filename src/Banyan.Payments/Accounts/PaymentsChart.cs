using Banyan.Ledger;
using Banyan.Platform.Money;

namespace Banyan.Payments.Accounts;

/// <summary>Account and transfer codes of the payments module (6000–6799; 6800–6999 cross-border), docs/payments.md.</summary>
internal static class PaymentCodes
{
    // Per-party accounts (6001–6099).
    public const ushort CustomerAccount = 6001;
    public const ushort MerchantAccount = 6002;
    public const ushort WalletAccount = 6003;
    public const ushort WalletHeadroom = 6004;
    public const ushort PointsAccount = 6005;
    public const ushort CouponFunding = 6006;
    public const ushort EarmarkAccount = 6007;

    // The bank's own accounts, one per currency (6101–6199).
    public const ushort SettlementAccount = 6101;
    public const ushort FeeIncome = 6102;
    public const ushort Marketing = 6103;
    public const ushort WalletLimits = 6104;
    public const ushort Programmes = 6105;

    // Transfers (6500–6799).
    public const ushort Deposit = 6501;
    public const ushort DomesticTransfer = 6502;
    public const ushort TapPayment = 6510;
    public const ushort CouponSubsidy = 6511;
    public const ushort PointsRedeemed = 6512;
    public const ushort PointsEarned = 6513;
    public const ushort MerchantFee = 6514;
    public const ushort ElderlyDiscount = 6515;
    public const ushort CarePointsEarned = 6516;
    public const ushort EarmarkSpent = 6517;
    public const ushort HeadroomUsed = 6518;
    public const ushort HeadroomReleased = 6519;
    public const ushort CouponBudget = 6520;
    public const ushort PointsExpired = 6521;
    public const ushort WalletTopUp = 6530;
    public const ushort Pension = 6531;
    public const ushort ConditionalGrant = 6532;
    public const ushort ConditionalExpiry = 6533;
    public const ushort HeadroomGrant = 6534;
}

/// <summary>Kinds of payment accounts (the byte under the tag in an id). 0x20–0x2F belong to cross-border.</summary>
internal enum PaymentAccountKind : byte
{
    Customer = 0x01,
    Merchant = 0x02,
    Wallet = 0x03,
    WalletHeadroom = 0x04,
    Points = 0x05,
    CouponFunding = 0x06,
    Earmark = 0x07,
    Settlement = 0x10,
    FeeIncome = 0x11,
    Marketing = 0x12,
    WalletLimits = 0x13,
    Programmes = 0x14,
}

/// <summary>Kinds of payment transfers (0x81 belongs to cross-border).</summary>
internal enum PaymentTransferKind : byte
{
    Domestic = 0x80,
    Tap = 0x82,
    Wallet = 0x83,
    Pension = 0x84,
    Setup = 0x85,
}

/// <summary>
/// Ledger ids of the payments module: the top 32 bits are <c>PAYM</c>, then a kind byte, then (for
/// transfers) a leg byte, then the currency's ledger number for bank accounts or a sequence for
/// everything else (docs/architecture.md "Conventions", docs/payments.md "Chart").
/// </summary>
internal static class PaymentsChart
{
    private const ulong Tag = 0x5041_594DUL; // "PAYM"

    /// <summary>The bank's accounts opened in every currency at start-up.</summary>
    public static readonly PaymentAccountKind[] BankKinds =
        [PaymentAccountKind.Settlement, PaymentAccountKind.FeeIncome, PaymentAccountKind.Marketing, PaymentAccountKind.WalletLimits, PaymentAccountKind.Programmes];

    public static UInt128 CustomerAccount(long sequence) => Id(PaymentAccountKind.Customer, checked((ulong)sequence));

    public static UInt128 Settlement(Currency currency) => Bank(PaymentAccountKind.Settlement, currency);

    public static UInt128 Bank(PaymentAccountKind kind, Currency currency) => Id(kind, currency.Ledger);

    public static UInt128 Party(PaymentAccountKind kind, long sequence) => Id(kind, checked((ulong)sequence));

    public static UInt128 Transfer(long sequence) => TransferId(PaymentTransferKind.Domestic, 0, sequence);

    /// <summary>Transfer id: kind byte, leg byte (several legs of one request), then the request's sequence.</summary>
    public static UInt128 TransferId(PaymentTransferKind kind, byte leg, long sequence) =>
        new((Tag << 32) | ((ulong)kind << 24) | ((ulong)leg << 16), checked((ulong)sequence));

    public static bool IsCustomerAccount(UInt128 id) => KindOf(id) == PaymentAccountKind.Customer;

    public static bool IsWallet(UInt128 id) => KindOf(id) == PaymentAccountKind.Wallet;

    public static PaymentAccountKind? KindOf(UInt128 id)
    {
        var high = (ulong)(id >> 64);
        return (high >> 32) == Tag && (high & 0x00FF_FFFF) == 0 ? (PaymentAccountKind)(byte)((high >> 24) & 0xFF) : null;
    }

    public static long SequenceOf(UInt128 id) => checked((long)(ulong)(id & ulong.MaxValue));

    public static Account SettlementAccount(Currency currency) => BankAccount(PaymentAccountKind.Settlement, currency);

    /// <summary>
    /// The bank's accounts carry no balance limit: settlement, marketing (expense), wallet limits (memo) and
    /// programmes (receivable from the paying agency) are debit-normal; fee income is credit-normal.
    /// </summary>
    public static Account BankAccount(PaymentAccountKind kind, Currency currency) => new()
    {
        Id = Bank(kind, currency),
        Ledger = currency.Ledger,
        Code = kind switch
        {
            PaymentAccountKind.Settlement => PaymentCodes.SettlementAccount,
            PaymentAccountKind.FeeIncome => PaymentCodes.FeeIncome,
            PaymentAccountKind.Marketing => PaymentCodes.Marketing,
            PaymentAccountKind.WalletLimits => PaymentCodes.WalletLimits,
            PaymentAccountKind.Programmes => PaymentCodes.Programmes,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a bank account kind."),
        },
    };

    public static Account NewCustomerAccount(long sequence, Currency currency) => PartyAccount(PaymentAccountKind.Customer, sequence, currency);

    /// <summary>
    /// Every per-party account is credit-normal and can never go below zero: the ledger enforces it
    /// (<c>debits_must_not_exceed_credits</c>), so an overdraft, an over-redemption of points, an
    /// exhausted coupon budget or a wallet above its limit (headroom below zero) is refused by the ledger.
    /// </summary>
    public static Account PartyAccount(PaymentAccountKind kind, long sequence, Currency currency) => new()
    {
        Id = Party(kind, sequence),
        Ledger = currency.Ledger,
        Code = kind switch
        {
            PaymentAccountKind.Customer => PaymentCodes.CustomerAccount,
            PaymentAccountKind.Merchant => PaymentCodes.MerchantAccount,
            PaymentAccountKind.Wallet => PaymentCodes.WalletAccount,
            PaymentAccountKind.WalletHeadroom => PaymentCodes.WalletHeadroom,
            PaymentAccountKind.Points => PaymentCodes.PointsAccount,
            PaymentAccountKind.CouponFunding => PaymentCodes.CouponFunding,
            PaymentAccountKind.Earmark => PaymentCodes.EarmarkAccount,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a party account kind."),
        },
        UserData64 = checked((ulong)sequence),
        Flags = AccountFlags.DebitsMustNotExceedCredits,
    };

    private static UInt128 Id(PaymentAccountKind kind, ulong low) => new((Tag << 32) | ((ulong)kind << 24), low);
}
