using Microsoft.EntityFrameworkCore;

namespace Banyan.Payments.Wallets;

/// <summary>
/// A programmable (e-CNY-style) wallet: its tier, whether the holder gets elderly benefits, and its two
/// ledger accounts (the wallet and its headroom account, whose balance is the limit minus the wallet balance).
/// </summary>
internal sealed class WalletRow
{
    /// <summary>Also the sequence of both ledger accounts.</summary>
    public long Id { get; set; }

    public string HolderId { get; set; } = "";

    public int Ledger { get; set; }

    /// <summary><c>phone</c> or <c>verified</c>.</summary>
    public string Tier { get; set; } = "";

    public bool Elderly { get; set; }

    public string AccountId { get; set; } = "";

    public long OpenedAtUnixMs { get; set; }

    /// <summary>The tier's limits in minor units of the wallet's currency, copied when it was opened or changed tier (decision 0636).</summary>
    public long PerPaymentLimit { get; set; }

    public long DailyLimit { get; set; }

    /// <summary>What the headroom account was granted in total: the ledger enforces it.</summary>
    public long BalanceLimit { get; set; }
}

/// <summary>
/// A change of a wallet's tier (upgrade after identity verification, or downgrade), idempotent by
/// (wallet, reference). Written <c>pending</c> before the headroom transfer is posted; the wallet row's
/// tier and limits change only with the status turning <c>completed</c> (decision 0635).
/// </summary>
internal sealed class WalletTierChangeRow
{
    /// <summary>Also the sequence of the headroom transfer (kind wallet, leg 6).</summary>
    public long Id { get; set; }

    public long WalletId { get; set; }

    /// <summary>The identity verification reference (upgrade) or the request's reference (downgrade).</summary>
    public string Reference { get; set; } = "";

    public string Initiator { get; set; } = "";

    public string FromTier { get; set; } = "";

    public string ToTier { get; set; } = "";

    public long PerPaymentLimit { get; set; }

    public long DailyLimit { get; set; }

    public long BalanceLimit { get; set; }

    /// <summary>New balance limit − old balance limit: granted to (positive) or taken from (negative) the headroom.</summary>
    public long HeadroomDelta { get; set; }

    /// <summary><c>pending</c>, <c>completed</c> or <c>rejected</c>.</summary>
    public string Status { get; set; } = "";

    public string? Reason { get; set; }

    public long RequestedAtUnixMs { get; set; }
}

/// <summary>A top-up of a wallet (idempotent by initiator and request id) and what became of it.</summary>
internal sealed class WalletTopUpRow
{
    public long Id { get; set; }

    public string Initiator { get; set; } = "";

    public string RequestId { get; set; } = "";

    public long WalletId { get; set; }

    public long Amount { get; set; }

    /// <summary><c>pending</c>, <c>completed</c> or <c>rejected</c>.</summary>
    public string Status { get; set; } = "";

    public string? Reason { get; set; }
}

/// <summary>Conditional funds: an earmarked sub-account of a wallet, spendable only at some merchant categories and before a date.</summary>
internal sealed class EarmarkRow
{
    /// <summary>Also the sequence of the earmarked ledger account.</summary>
    public long Id { get; set; }

    public string GrantId { get; set; } = "";

    public long WalletId { get; set; }

    public int Ledger { get; set; }

    /// <summary>Merchant categories where the funds may be spent, comma-separated; empty = anywhere.</summary>
    public string Mccs { get; set; } = "";

    public long ExpiresAtUnixMs { get; set; }

    public long Amount { get; set; }

    /// <summary><c>granting</c>, <c>active</c>, <c>expired</c> (the remainder went back to the programme account).</summary>
    public string Status { get; set; } = "";
}

/// <summary>A bulk pension disbursement: one row per run, the payees' results are in the ledger (deterministic transfer ids).</summary>
internal sealed class PensionRunRow
{
    public long Id { get; set; }

    public string RunId { get; set; } = "";

    public int Ledger { get; set; }

    public int Payees { get; set; }

    public long Total { get; set; }

    public int Paid { get; set; }

    public int Refused { get; set; }

    /// <summary><c>running</c> or <c>completed</c>.</summary>
    public string Status { get; set; } = "";

    public long CreatedAtUnixMs { get; set; }

    internal static void Configure(ModelBuilder model)
    {
        var w = model.Entity<WalletRow>();
        w.ToTable("payments_wallets");
        w.HasKey(x => x.Id);
        w.Property(x => x.HolderId).HasMaxLength(64);
        w.Property(x => x.Tier).HasMaxLength(16);
        w.Property(x => x.AccountId).HasMaxLength(40);
        w.HasIndex(x => new { x.HolderId, x.Ledger }).IsUnique();
        w.HasIndex(x => x.AccountId).IsUnique();

        var c = model.Entity<WalletTierChangeRow>();
        c.ToTable("payments_wallet_tier_changes");
        c.HasKey(x => x.Id);
        c.Property(x => x.Reference).HasMaxLength(64);
        c.Property(x => x.Initiator).HasMaxLength(128);
        c.Property(x => x.FromTier).HasMaxLength(16);
        c.Property(x => x.ToTier).HasMaxLength(16);
        c.Property(x => x.Status).HasMaxLength(16);
        c.Property(x => x.Reason).HasMaxLength(64);
        c.HasIndex(x => new { x.WalletId, x.Reference }).IsUnique();
        c.HasIndex(x => x.Status);

        var t = model.Entity<WalletTopUpRow>();
        t.ToTable("payments_wallet_top_ups");
        t.HasKey(x => x.Id);
        t.Property(x => x.Initiator).HasMaxLength(128);
        t.Property(x => x.RequestId).HasMaxLength(64);
        t.Property(x => x.Status).HasMaxLength(16);
        t.Property(x => x.Reason).HasMaxLength(64);
        t.HasIndex(x => new { x.Initiator, x.RequestId }).IsUnique();

        var e = model.Entity<EarmarkRow>();
        e.ToTable("payments_wallet_earmarks");
        e.HasKey(x => x.Id);
        e.Property(x => x.GrantId).HasMaxLength(64);
        e.Property(x => x.Mccs).HasMaxLength(200);
        e.Property(x => x.Status).HasMaxLength(16);
        e.HasIndex(x => x.GrantId).IsUnique();
        e.HasIndex(x => x.WalletId);

        var p = model.Entity<PensionRunRow>();
        p.ToTable("payments_pension_runs");
        p.HasKey(x => x.Id);
        p.Property(x => x.RunId).HasMaxLength(64);
        p.Property(x => x.Status).HasMaxLength(16);
        p.HasIndex(x => x.RunId).IsUnique();
    }
}
