using Microsoft.EntityFrameworkCore;

namespace Banyan.Payments.Retail;

/// <summary>A registered merchant: its category (ISO 18245 MCC), fee and its ledger account. The balance is the ledger's.</summary>
internal sealed class MerchantRow
{
    /// <summary>Also the sequence in the merchant's ledger account id.</summary>
    public long Id { get; set; }

    public string MerchantId { get; set; } = "";

    public string Name { get; set; } = "";

    public string Mcc { get; set; } = "";

    public int Ledger { get; set; }

    /// <summary>Merchant discount rate in basis points of the gross amount.</summary>
    public int FeeBps { get; set; }

    /// <summary>The points programme the merchant's sales earn in, if any.</summary>
    public long? ProgrammeId { get; set; }

    public string AccountId { get; set; } = "";

    public long CreatedAtUnixMs { get; set; }
}

/// <summary>A coupon campaign. Its budget sits in its own ledger account (funded from marketing) so the ledger refuses over-spending.</summary>
internal sealed class CouponRow
{
    /// <summary>Also the sequence of the coupon's funding account.</summary>
    public long Id { get; set; }

    public string Code { get; set; } = "";

    public int Ledger { get; set; }

    /// <summary><c>amount_off</c> or <c>percent_off</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Minor units off (amount_off) or basis points off (percent_off).</summary>
    public long Value { get; set; }

    /// <summary>Largest subsidy per payment for percent_off (minor units); 0 = no cap.</summary>
    public long Cap { get; set; }

    public long MinSpend { get; set; }

    public long ValidFromUnixMs { get; set; }

    public long ValidUntilUnixMs { get; set; }

    public int PerCustomerLimit { get; set; }

    public long Budget { get; set; }

    public long CreatedAtUnixMs { get; set; }
}

/// <summary>One use of a coupon by a holder in a tap; <c>pending</c> while the tap is being posted, then <c>completed</c> (declines delete it).</summary>
internal sealed class CouponRedemptionRow
{
    public long Id { get; set; }

    public long CouponId { get; set; }

    public string HolderId { get; set; } = "";

    public long TapId { get; set; }

    public long Amount { get; set; }

    public string Status { get; set; } = "";
}

/// <summary>A points programme: earn rates per merchant category, expiry. One point is worth one minor unit of its currency.</summary>
internal sealed class ProgrammeRow
{
    public long Id { get; set; }

    public string Name { get; set; } = "";

    public int Ledger { get; set; }

    /// <summary>Points earned per 10,000 minor units paid, when the merchant's category has no own rate.</summary>
    public int DefaultRateBps { get; set; }

    /// <summary>Rates per MCC, <c>mcc:bps</c> separated by commas (a handful per programme).</summary>
    public string Rates { get; set; } = "";

    public int ExpiryDays { get; set; }

    /// <summary>Care points for elderly wallet holders (earned on every wallet payment in the currency).</summary>
    public bool Care { get; set; }

    public long CreatedAtUnixMs { get; set; }
}

/// <summary>A holder's points account in a programme (a ledger account whose balance is the points liability to that holder).</summary>
internal sealed class PointsAccountRow
{
    /// <summary>Also the sequence in the ledger account id.</summary>
    public long Id { get; set; }

    public string HolderId { get; set; } = "";

    public long ProgrammeId { get; set; }

    public string AccountId { get; set; } = "";
}

/// <summary>Points earned by one payment, used first-in-first-out and expiring together.</summary>
internal sealed class PointsLotRow
{
    public long Id { get; set; }

    public long PointsAccountId { get; set; }

    /// <summary>The tap that earned it.</summary>
    public long TapId { get; set; }

    public long Earned { get; set; }

    public long Remaining { get; set; }

    public long ExpiresAtUnixMs { get; set; }

    /// <summary><c>pending</c> (its tap is being posted), <c>active</c> or <c>expired</c>.</summary>
    public string Status { get; set; } = "";
}

/// <summary>One tap-to-pay request and every leg it posted as one linked batch.</summary>
internal sealed class TapRow
{
    /// <summary>Also the sequence in every leg's transfer id.</summary>
    public long Id { get; set; }

    public string Initiator { get; set; } = "";

    public string PaymentId { get; set; } = "";

    public long MerchantRowId { get; set; }

    public string PayerAccountId { get; set; } = "";

    public string HolderId { get; set; } = "";

    public int Ledger { get; set; }

    public long Amount { get; set; }

    public long? CouponId { get; set; }

    public long CouponSubsidy { get; set; }

    public long Discount { get; set; }

    public long PointsRedeemed { get; set; }

    public long EarmarkUsed { get; set; }

    public long? EarmarkId { get; set; }

    public long Paid { get; set; }

    public long PointsEarned { get; set; }

    public long CarePointsEarned { get; set; }

    public long Fee { get; set; }

    /// <summary>Lots the redemption drew on, <c>lot:amount</c> comma-separated, restored if the tap is declined.</summary>
    public string LotUsage { get; set; } = "";

    public int Legs { get; set; }

    /// <summary><c>pending</c> (written before posting), <c>completed</c> or <c>rejected</c>.</summary>
    public string Status { get; set; } = "";

    public string? Reason { get; set; }

    public string? Detail { get; set; }

    public long CreatedAtUnixMs { get; set; }

    public int BusinessDay { get; set; }

    internal static void Configure(ModelBuilder model)
    {
        var m = model.Entity<MerchantRow>();
        m.ToTable("payments_merchants");
        m.HasKey(x => x.Id);
        m.Property(x => x.MerchantId).HasMaxLength(64);
        m.Property(x => x.Name).HasMaxLength(140);
        m.Property(x => x.Mcc).HasMaxLength(4);
        m.Property(x => x.AccountId).HasMaxLength(40);
        m.HasIndex(x => x.MerchantId).IsUnique();

        var c = model.Entity<CouponRow>();
        c.ToTable("payments_coupons");
        c.HasKey(x => x.Id);
        c.Property(x => x.Code).HasMaxLength(32);
        c.Property(x => x.Kind).HasMaxLength(16);
        c.HasIndex(x => x.Code).IsUnique();

        var r = model.Entity<CouponRedemptionRow>();
        r.ToTable("payments_coupon_redemptions");
        r.HasKey(x => x.Id);
        r.Property(x => x.HolderId).HasMaxLength(64);
        r.Property(x => x.Status).HasMaxLength(16);
        r.HasIndex(x => new { x.CouponId, x.HolderId });
        r.HasIndex(x => x.TapId).IsUnique();

        var p = model.Entity<ProgrammeRow>();
        p.ToTable("payments_points_programmes");
        p.HasKey(x => x.Id);
        p.Property(x => x.Name).HasMaxLength(64);
        p.Property(x => x.Rates).HasMaxLength(400);
        p.HasIndex(x => x.Name).IsUnique();

        var a = model.Entity<PointsAccountRow>();
        a.ToTable("payments_points_accounts");
        a.HasKey(x => x.Id);
        a.Property(x => x.HolderId).HasMaxLength(64);
        a.Property(x => x.AccountId).HasMaxLength(40);
        a.HasIndex(x => new { x.HolderId, x.ProgrammeId }).IsUnique();

        var l = model.Entity<PointsLotRow>();
        l.ToTable("payments_points_lots");
        l.HasKey(x => x.Id);
        l.Property(x => x.Status).HasMaxLength(16);
        l.HasIndex(x => new { x.PointsAccountId, x.Status });
        l.HasIndex(x => x.TapId);

        ConfigureTaps(model);
    }

    private static void ConfigureTaps(ModelBuilder model)
    {
        var t = model.Entity<TapRow>();
        t.ToTable("payments_taps");
        t.HasKey(x => x.Id);
        t.Property(x => x.Initiator).HasMaxLength(128);
        t.Property(x => x.PaymentId).HasMaxLength(64);
        t.Property(x => x.PayerAccountId).HasMaxLength(40);
        t.Property(x => x.HolderId).HasMaxLength(64);
        t.Property(x => x.LotUsage).HasMaxLength(2000);
        t.Property(x => x.Status).HasMaxLength(16);
        t.Property(x => x.Reason).HasMaxLength(64);
        t.Property(x => x.Detail).HasMaxLength(400);
        t.HasIndex(x => new { x.Initiator, x.PaymentId }).IsUnique();
        t.HasIndex(x => new { x.PayerAccountId, x.BusinessDay });
        t.HasIndex(x => x.Status);
    }
}
