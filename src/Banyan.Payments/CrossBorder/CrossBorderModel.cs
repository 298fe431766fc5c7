using Microsoft.EntityFrameworkCore;

namespace Banyan.Payments.CrossBorder;

/// <summary>A priced offer: everything the customer sees before accepting (G20 transparency), locked for its validity.</summary>
internal sealed class XbQuoteRow
{
    public string Id { get; set; } = "";
    public string Initiator { get; set; } = "";
    /// <summary>Optional client key (pain.001: message/payment/end-to-end ids) making quote creation idempotent.</summary>
    public string? RequestKey { get; set; }
    public string CustomerId { get; set; } = "";
    public string Tier { get; set; } = "";
    public string DebitAccountId { get; set; } = "";
    public string Country { get; set; } = "";
    public int SourceLedger { get; set; }
    public int DestinationLedger { get; set; }
    public long Principal { get; set; }
    public long Fee { get; set; }
    public long Delivered { get; set; }
    public long Margin { get; set; }
    public string MidRate { get; set; } = "";
    public string Rate { get; set; } = "";
    public int SpreadBps { get; set; }
    public string RatesSource { get; set; } = "";
    public string CreditorName { get; set; } = "";
    public string CreditorAccount { get; set; } = "";
    public string CreditorAgentBic { get; set; } = "";
    public string? Remittance { get; set; }
    public string EndToEndId { get; set; } = "";
    public string DebtorName { get; set; } = "";
    public long CreatedAtUnixMs { get; set; }
    public long ExpiresAtUnixMs { get; set; }
    public long ExpectedDeliveryUnixMs { get; set; }
}

/// <summary>An accepted quote on its way: its UETR, status and the outcome. Amounts are the quote's.</summary>
internal sealed class XbPaymentRow
{
    /// <summary>Also the sequence in the ledger transfer ids of its legs.</summary>
    public long Id { get; set; }
    public string QuoteId { get; set; } = "";
    public string Uetr { get; set; } = "";
    /// <summary><c>initiated</c>, <c>fx_locked</c>, <c>sent</c>, <c>credited</c> or <c>rejected</c>.</summary>
    public string Status { get; set; } = "";
    public string? Reason { get; set; }
    public string? Detail { get; set; }
    public long CreatedAtUnixMs { get; set; }
    public long? SentAtUnixMs { get; set; }
    public long? FinishedAtUnixMs { get; set; }
}

/// <summary>One step of a payment's timeline.</summary>
internal sealed class XbEventRow
{
    public long Id { get; set; }
    public long PaymentId { get; set; }
    public string Status { get; set; } = "";
    public long AtUnixMs { get; set; }
    public string Detail { get; set; } = "";
}

/// <summary>A credit received from a correspondent (inbound pacs.008), idempotent by UETR.</summary>
internal sealed class XbInboundRow
{
    public long Id { get; set; }
    public string Uetr { get; set; } = "";
    public string MessageId { get; set; } = "";
    public string CreditAccountId { get; set; } = "";
    public int Ledger { get; set; }
    public long Amount { get; set; }
    public string DebtorName { get; set; } = "";
    /// <summary><c>pending</c> (before posting), <c>credited</c> or <c>rejected</c>.</summary>
    public string Status { get; set; } = "";
    public string? Reason { get; set; }
    public long ReceivedAtUnixMs { get; set; }
}

/// <summary>The <c>payments_xb_*</c> tables.</summary>
internal static class CrossBorderModel
{
    public static void Configure(ModelBuilder model)
    {
        var q = model.Entity<XbQuoteRow>();
        q.ToTable("payments_xb_quotes");
        q.HasKey(x => x.Id);
        q.Property(x => x.Id).HasMaxLength(40);
        q.Property(x => x.Initiator).HasMaxLength(128);
        q.Property(x => x.RequestKey).HasMaxLength(200);
        q.Property(x => x.CustomerId).HasMaxLength(64);
        q.Property(x => x.Tier).HasMaxLength(32);
        q.Property(x => x.DebitAccountId).HasMaxLength(40);
        q.Property(x => x.Country).HasMaxLength(2);
        q.Property(x => x.MidRate).HasMaxLength(40);
        q.Property(x => x.Rate).HasMaxLength(40);
        q.Property(x => x.RatesSource).HasMaxLength(300);
        q.Property(x => x.CreditorName).HasMaxLength(140);
        q.Property(x => x.CreditorAccount).HasMaxLength(34);
        q.Property(x => x.CreditorAgentBic).HasMaxLength(11);
        q.Property(x => x.Remittance).HasMaxLength(140);
        q.Property(x => x.EndToEndId).HasMaxLength(35);
        q.Property(x => x.DebtorName).HasMaxLength(140);
        q.HasIndex(x => new { x.Initiator, x.RequestKey }).IsUnique();

        var p = model.Entity<XbPaymentRow>();
        p.ToTable("payments_xb_payments");
        p.HasKey(x => x.Id);
        p.Property(x => x.QuoteId).HasMaxLength(40);
        p.Property(x => x.Uetr).HasMaxLength(36);
        p.Property(x => x.Status).HasMaxLength(16);
        p.Property(x => x.Reason).HasMaxLength(64);
        p.Property(x => x.Detail).HasMaxLength(400);
        p.HasIndex(x => x.QuoteId).IsUnique();
        p.HasIndex(x => x.Uetr).IsUnique();
        p.HasIndex(x => x.Status);

        var e = model.Entity<XbEventRow>();
        e.ToTable("payments_xb_events");
        e.HasKey(x => x.Id);
        e.Property(x => x.Status).HasMaxLength(16);
        e.Property(x => x.Detail).HasMaxLength(400);
        e.HasIndex(x => x.PaymentId);

        var i = model.Entity<XbInboundRow>();
        i.ToTable("payments_xb_inbound");
        i.HasKey(x => x.Id);
        i.Property(x => x.Uetr).HasMaxLength(36);
        i.Property(x => x.MessageId).HasMaxLength(35);
        i.Property(x => x.CreditAccountId).HasMaxLength(40);
        i.Property(x => x.DebtorName).HasMaxLength(140);
        i.Property(x => x.Status).HasMaxLength(16);
        i.Property(x => x.Reason).HasMaxLength(64);
        i.HasIndex(x => x.Uetr).IsUnique();
    }
}
