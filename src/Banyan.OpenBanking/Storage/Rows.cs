using Microsoft.EntityFrameworkCore;

namespace Banyan.OpenBanking.Storage;

/// <summary>A third-party provider: registration, onboarding checklist, approval and its OAuth client.</summary>
internal sealed class PartnerRow
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary><c>pending</c> until every checklist item is done and an operator approves; then <c>approved</c>.</summary>
    public string Status { get; set; } = "pending";

    public bool Sandbox { get; set; }

    /// <summary>The OAuth client id (created at registration, usable only once approved).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Public keys as a JWKS document (private_key_jwt, signed identity assertions, detached JWS).</summary>
    public string Jwks { get; set; } = "";

    /// <summary>Space-separated redirect URIs.</summary>
    public string RedirectUris { get; set; } = "";

    /// <summary>Space-separated partner scopes.</summary>
    public string Scopes { get; set; } = "";

    /// <summary>Whether POSTs must carry a detached JWS (<c>x-jws-signature</c>).</summary>
    public bool RequireJws { get; set; }

    /// <summary>Space-separated checklist items already done.</summary>
    public string ChecklistDone { get; set; } = "";

    public long CreatedAtUnixMs { get; set; }

    public long? ApprovedAtUnixMs { get; set; }
}

/// <summary>A bank customer who logs in to grant consents (ASP.NET Core Identity user).</summary>
internal sealed class Customer
{
    public string Id { get; set; } = "";

    public string UserName { get; set; } = "";

    public string NormalizedUserName { get; set; } = "";

    public string? PasswordHash { get; set; }

    public string SecurityStamp { get; set; } = "";

    /// <summary>TOTP secret protected with ASP.NET Core Data Protection (never stored in clear).</summary>
    public string ProtectedTotpSecret { get; set; } = "";

    /// <summary>The last TOTP step accepted: a code of this step or earlier is never accepted again.</summary>
    public long TotpLastStep { get; set; }

    public int AccessFailedCount { get; set; }

    public bool LockoutEnabled { get; set; } = true;

    public long? LockoutEndUnixMs { get; set; }

    /// <summary>The partner whose sandbox generated this test customer, if any.</summary>
    public string? SandboxPartnerId { get; set; }

    public long CreatedAtUnixMs { get; set; }
}

/// <summary>An account-access or domestic-payment consent.</summary>
internal sealed class ConsentRow
{
    public string Id { get; set; } = "";

    /// <summary><c>account_access</c> or <c>domestic_payment</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The partner's OAuth client id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Set when the customer authorises.</summary>
    public string? CustomerId { get; set; }

    /// <summary><c>awaiting_authorisation</c>, <c>authorised</c>, <c>rejected</c>, <c>revoked</c>, <c>consumed</c>.</summary>
    public string Status { get; set; } = ConsentStatus.Awaiting;

    /// <summary>Space-separated permissions (account access).</summary>
    public string Permissions { get; set; } = "";

    /// <summary>Space-separated ledger account ids the customer shared (account access) or the debtor account (payment).</summary>
    public string Accounts { get; set; } = "";

    public long ExpiresAtUnixMs { get; set; }

    public int MaxUnattendedCallsPerDay { get; set; }

    /// <summary>Day (days since the epoch, UTC) of <see cref="UnattendedCalls"/>.</summary>
    public long UnattendedDay { get; set; }

    public int UnattendedCalls { get; set; }

    // Payment consents only.
    public string? CreditorAccountId { get; set; }

    public long AmountMinor { get; set; }

    public string? Currency { get; set; }

    public string? Reference { get; set; }

    public long CreatedAtUnixMs { get; set; }

    public long UpdatedAtUnixMs { get; set; }
}

/// <summary>A domestic payment executed under a payment consent.</summary>
internal sealed class PaymentRow
{
    public string Id { get; set; } = "";

    public string ConsentId { get; set; } = "";

    public string ClientId { get; set; } = "";

    public string CustomerId { get; set; } = "";

    /// <summary><c>completed</c> or <c>rejected</c>.</summary>
    public string Status { get; set; } = "";

    public string LedgerTransferId { get; set; } = "";

    public string? Reason { get; set; }

    public long CreatedAtUnixMs { get; set; }
}

/// <summary>A one-time value already seen (DPoP proof jti, authorization code, assertion jti), kept until it could no longer be accepted anyway.</summary>
internal sealed class ReplayRow
{
    /// <summary>Kind prefix + SHA-256 of the value (base64url): no token or code is stored.</summary>
    public string Key { get; set; } = "";

    public long ExpiresAtUnixMs { get; set; }
}

internal static class ConsentStatus
{
    public const string Awaiting = "awaiting_authorisation";
    public const string Authorised = "authorised";
    public const string Rejected = "rejected";
    public const string Revoked = "revoked";
    public const string Consumed = "consumed";
}

internal static class OpenBankingModel
{
    public static void Configure(ModelBuilder model)
    {
        var p = model.Entity<PartnerRow>();
        p.ToTable("openbanking_partners");
        p.HasKey(x => x.Id);
        p.Property(x => x.Id).HasMaxLength(40);
        p.Property(x => x.Name).HasMaxLength(200);
        p.Property(x => x.Status).HasMaxLength(16);
        p.Property(x => x.ClientId).HasMaxLength(64);
        p.Property(x => x.Jwks).HasMaxLength(16_384);
        p.Property(x => x.RedirectUris).HasMaxLength(4096);
        p.Property(x => x.Scopes).HasMaxLength(256);
        p.Property(x => x.ChecklistDone).HasMaxLength(512);
        p.HasIndex(x => x.ClientId).IsUnique();

        var c = model.Entity<Customer>();
        c.ToTable("openbanking_customers");
        c.HasKey(x => x.Id);
        c.Property(x => x.Id).HasMaxLength(40);
        c.Property(x => x.UserName).HasMaxLength(128);
        c.Property(x => x.NormalizedUserName).HasMaxLength(128);
        c.Property(x => x.PasswordHash).HasMaxLength(512);
        c.Property(x => x.SecurityStamp).HasMaxLength(64);
        c.Property(x => x.ProtectedTotpSecret).HasMaxLength(1024);
        c.Property(x => x.SandboxPartnerId).HasMaxLength(40);
        c.HasIndex(x => x.NormalizedUserName).IsUnique();

        var k = model.Entity<ConsentRow>();
        k.ToTable("openbanking_consents");
        k.HasKey(x => x.Id);
        k.Property(x => x.Id).HasMaxLength(40);
        k.Property(x => x.Kind).HasMaxLength(24);
        k.Property(x => x.ClientId).HasMaxLength(64);
        k.Property(x => x.CustomerId).HasMaxLength(40);
        k.Property(x => x.Status).HasMaxLength(32);
        k.Property(x => x.Permissions).HasMaxLength(256);
        k.Property(x => x.Accounts).HasMaxLength(2048);
        k.Property(x => x.CreditorAccountId).HasMaxLength(40);
        k.Property(x => x.Currency).HasMaxLength(3);
        k.Property(x => x.Reference).HasMaxLength(140);
        k.HasIndex(x => x.ClientId);
        k.HasIndex(x => x.CustomerId);

        var d = model.Entity<PaymentRow>();
        d.ToTable("openbanking_payments");
        d.HasKey(x => x.Id);
        d.Property(x => x.Id).HasMaxLength(40);
        d.Property(x => x.ConsentId).HasMaxLength(40);
        d.Property(x => x.ClientId).HasMaxLength(64);
        d.Property(x => x.CustomerId).HasMaxLength(40);
        d.Property(x => x.Status).HasMaxLength(16);
        d.Property(x => x.LedgerTransferId).HasMaxLength(40);
        d.Property(x => x.Reason).HasMaxLength(64);
        d.HasIndex(x => x.ConsentId).IsUnique();

        var r = model.Entity<ReplayRow>();
        r.ToTable("openbanking_replay");
        r.HasKey(x => x.Key);
        r.Property(x => x.Key).HasMaxLength(64);
        r.HasIndex(x => x.ExpiresAtUnixMs);
    }
}
