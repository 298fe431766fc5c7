using Banyan.Ledger;
using Banyan.Platform.Money;

namespace Banyan.Payments.Accounts;

/// <summary>Account and transfer codes of the payments module (6000–6999, docs/payments.md).</summary>
internal static class PaymentCodes
{
    public const ushort CustomerAccount = 6001;
    public const ushort SettlementAccount = 6101;

    public const ushort Deposit = 6501;
    public const ushort DomesticTransfer = 6502;
}

/// <summary>Kinds of payment accounts (the byte under the tag in an id).</summary>
internal enum PaymentAccountKind : byte
{
    Customer = 0x01,
    Settlement = 0x10,
}

/// <summary>
/// Ledger ids of the payments module: the top 32 bits are <c>PAYM</c>, then a kind byte, then the
/// currency's ledger number (16 bits) for bank accounts or a sequence for customer accounts and
/// transfers (docs/architecture.md "Conventions").
/// </summary>
internal static class PaymentsChart
{
    private const ulong Tag = 0x5041_594DUL; // "PAYM"
    private const byte TransferKind = 0x80;

    public static UInt128 CustomerAccount(long sequence) => Id(PaymentAccountKind.Customer, checked((ulong)sequence));

    public static UInt128 Settlement(Currency currency) => Id(PaymentAccountKind.Settlement, currency.Ledger);

    public static UInt128 Transfer(long sequence) => new((Tag << 32) | ((ulong)TransferKind << 24), checked((ulong)sequence));

    public static bool IsCustomerAccount(UInt128 id) => (ulong)(id >> 64) == ((Tag << 32) | ((ulong)PaymentAccountKind.Customer << 24));

    public static Account SettlementAccount(Currency currency) => new()
    {
        Id = Settlement(currency),
        Ledger = currency.Ledger,
        Code = PaymentCodes.SettlementAccount,
    };

    public static Account NewCustomerAccount(long sequence, Currency currency) => new()
    {
        Id = CustomerAccount(sequence),
        Ledger = currency.Ledger,
        Code = PaymentCodes.CustomerAccount,
        UserData64 = checked((ulong)sequence),
        // A customer's current account can never go below zero: the ledger enforces it, not this module.
        Flags = AccountFlags.DebitsMustNotExceedCredits,
    };

    private static UInt128 Id(PaymentAccountKind kind, ulong low) => new((Tag << 32) | ((ulong)kind << 24), low);
}
