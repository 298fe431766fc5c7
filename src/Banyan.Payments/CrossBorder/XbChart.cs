using Banyan.Ledger;
using Banyan.Platform.Money;

namespace Banyan.Payments.CrossBorder;

/// <summary>Account and transfer codes of cross-border payments (6800–6999, docs/payments-cross-border.md).</summary>
internal static class XbCodes
{
    public const ushort FxPositionAccount = 6801;
    public const ushort NostroAccount = 6802;
    public const ushort FeeIncomeAccount = 6803;

    public const ushort Principal = 6851;
    public const ushort Fee = 6852;
    public const ushort Delivery = 6853;
    public const ushort ReturnDelivery = 6861;
    public const ushort ReturnPrincipal = 6862;
    public const ushort FeeRefund = 6863;
    public const ushort InboundCredit = 6871;

    public static bool IsCrossBorder(ushort code) => code is >= 6800 and <= 6999;
}

/// <summary>The legs of one payment; the leg number is the low three bits of its ledger transfer id.</summary>
internal enum XbLeg : byte
{
    Principal = 0,
    Fee = 1,
    Delivery = 2,
    ReturnDelivery = 3,
    ReturnPrincipal = 4,
    FeeRefund = 5,
    InboundCredit = 6,
}

/// <summary>
/// Ledger ids of cross-border payments under the <c>PAYM</c> tag: account kinds 0x20 (FX position),
/// 0x21 (nostro: what is owed to or by correspondents) and 0x22 (cross-border fee income), one of each per
/// currency (low 64 bits = ledger number); transfers kind 0x81 with low 64 bits = payment id × 8 + leg
/// (inbound credits set bit 63 so their sequence never meets an outbound one).
/// </summary>
internal static class XbChart
{
    public const byte FxPositionKind = 0x20;
    public const byte NostroKind = 0x21;
    public const byte FeeIncomeKind = 0x22;
    private const ulong Tag = 0x5041_594DUL; // "PAYM"
    private const byte TransferKind = 0x81;
    private const ulong InboundBit = 1UL << 63;
    private const long MaxSequence = (1L << 59) - 1;

    public static UInt128 FxPosition(Currency c) => Id(FxPositionKind, c.Ledger);

    public static UInt128 Nostro(Currency c) => Id(NostroKind, c.Ledger);

    public static UInt128 FeeIncome(Currency c) => Id(FeeIncomeKind, c.Ledger);

    public static UInt128 OutboundTransfer(long paymentId, XbLeg leg) => Id(TransferKind, Low(paymentId, leg));

    public static UInt128 InboundTransfer(long inboundId) => Id(TransferKind, InboundBit | Low(inboundId, XbLeg.InboundCredit));

    /// <summary>Every bank account cross-border payments post to, in every currency (created at start-up, idempotent).</summary>
    public static Account[] BankAccounts() =>
        Currencies.All.SelectMany(c => new[]
        {
            Bank(FxPosition(c), c, XbCodes.FxPositionAccount),
            Bank(Nostro(c), c, XbCodes.NostroAccount),
            Bank(FeeIncome(c), c, XbCodes.FeeIncomeAccount),
        }).ToArray();

    /// <summary>A UETR (RFC 4122 UUID) as the 128-bit user data the legs carry, so the ledger itself links legs to the payment.</summary>
    public static UInt128 UetrData(Guid uetr)
    {
        Span<byte> bytes = stackalloc byte[16];
        uetr.TryWriteBytes(bytes, bigEndian: true, out _);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static Guid UetrOf(UInt128 data)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, data);
        return new Guid(bytes, bigEndian: true);
    }

    private static ulong Low(long sequence, XbLeg leg)
    {
        if (sequence is < 1 or > MaxSequence)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "Payment sequence out of the id range.");
        }

        return ((ulong)sequence << 3) | (byte)leg;
    }

    private static Account Bank(UInt128 id, Currency c, ushort code) => new() { Id = id, Ledger = c.Ledger, Code = code };

    private static UInt128 Id(byte kind, ulong low) => new((Tag << 32) | ((ulong)kind << 24), low);
}
