using Banyan.Ledger;
using Banyan.Platform.Money;

namespace Banyan.Payments.Retail;

/// <summary>A tap-to-pay request: the payer's account (customer account or wallet) pays a merchant, optionally with a coupon and points.</summary>
internal sealed record TapRequest(string Initiator, string PaymentId, string MerchantId, long Amount, Currency Currency, UInt128 AccountId, string? CouponCode, long RedeemPoints);

/// <summary>One ledger leg of a tap as the receipt shows it.</summary>
internal sealed record TapLeg(string Role, UInt128 TransferId, UInt128 DebitAccountId, UInt128 CreditAccountId, long Amount, ushort Code);

/// <summary>What a tap did: the split of the gross amount and every ledger leg (one linked batch).</summary>
internal sealed record TapReceipt(
    string PaymentId, string MerchantId, Currency Currency, long Amount, long CouponSubsidy, long Discount, long PointsRedeemed,
    long EarmarkUsed, long Paid, long PointsEarned, long CarePointsEarned, long Fee, IReadOnlyList<TapLeg> Legs)
{
    public long MerchantNet => checked(Amount - Fee);
}

/// <summary>Outcome of a tap: a receipt, or a business decline (<c>reason</c>) that changed nothing.</summary>
internal sealed record TapResult(TapReceipt? Receipt, string? Reason, string? Detail)
{
    public bool Completed => Receipt is not null;

    public static TapResult Declined(string reason, string detail) => new(null, reason, detail);
}

/// <summary>A leg before it is posted: who pays whom, and which rule it serves (for the decline reason).</summary>
internal readonly record struct PlannedLeg(string Role, UInt128 Debit, UInt128 Credit, long Amount, ushort Code)
{
    public Transfer ToTransfer(UInt128 id, uint ledger, long tapId, bool linked) => new()
    {
        Id = id,
        DebitAccountId = Debit,
        CreditAccountId = Credit,
        Amount = (UInt128)Amount,
        Ledger = ledger,
        Code = Code,
        UserData64 = checked((ulong)tapId),
        Flags = linked ? TransferFlags.Linked : TransferFlags.None,
    };
}
