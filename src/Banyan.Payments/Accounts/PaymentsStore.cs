using Microsoft.EntityFrameworkCore;

namespace Banyan.Payments.Accounts;

/// <summary>A customer's account registration: who owns which ledger account in which currency. The balance is the ledger's.</summary>
internal sealed class CustomerAccountRow
{
    /// <summary>Also the sequence in the ledger account id.</summary>
    public long Id { get; set; }

    public string CustomerId { get; set; } = "";

    public int Ledger { get; set; }

    public string AccountId { get; set; } = "";

    public long OpenedAtUnixMs { get; set; }
}

/// <summary>One money movement requested of the module (deposit or domestic transfer) and what became of it.</summary>
internal sealed class TransferRow
{
    /// <summary>Also the sequence in the ledger transfer id.</summary>
    public long Id { get; set; }

    public string Initiator { get; set; } = "";

    public string RequestId { get; set; } = "";

    public string Kind { get; set; } = "";

    public string DebitAccountId { get; set; } = "";

    public string CreditAccountId { get; set; } = "";

    public long Amount { get; set; }

    public int Ledger { get; set; }

    public string? Reference { get; set; }

    /// <summary><c>pending</c> (written before posting), <c>completed</c> or <c>rejected</c>.</summary>
    public string Status { get; set; } = "";

    public string? Reason { get; set; }

    public string? Detail { get; set; }

    public long CreatedAtUnixMs { get; set; }

    /// <summary>Local business day (yyyymmdd) for daily limits.</summary>
    public int BusinessDay { get; set; }

    internal static void Configure(ModelBuilder model)
    {
        var a = model.Entity<CustomerAccountRow>();
        a.ToTable("payments_customer_accounts");
        a.HasKey(x => x.Id);
        a.Property(x => x.CustomerId).HasMaxLength(64);
        a.Property(x => x.AccountId).HasMaxLength(40);
        a.HasIndex(x => new { x.CustomerId, x.Ledger }).IsUnique();
        a.HasIndex(x => x.AccountId).IsUnique();

        var t = model.Entity<TransferRow>();
        t.ToTable("payments_transfers");
        t.HasKey(x => x.Id);
        t.Property(x => x.Initiator).HasMaxLength(128);
        t.Property(x => x.RequestId).HasMaxLength(64);
        t.Property(x => x.Kind).HasMaxLength(16);
        t.Property(x => x.DebitAccountId).HasMaxLength(40);
        t.Property(x => x.CreditAccountId).HasMaxLength(40);
        t.Property(x => x.Reference).HasMaxLength(140);
        t.Property(x => x.Status).HasMaxLength(16);
        t.Property(x => x.Reason).HasMaxLength(64);
        t.Property(x => x.Detail).HasMaxLength(400);
        t.HasIndex(x => new { x.Initiator, x.RequestId }).IsUnique();
        t.HasIndex(x => new { x.DebitAccountId, x.BusinessDay });
        t.HasIndex(x => x.Status);
    }
}
