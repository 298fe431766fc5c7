using Microsoft.EntityFrameworkCore;

namespace Banyan.OpenBanking.Storage;

/// <summary>
/// One single-use recovery code of a customer (decision 0610). Only a salted PBKDF2 hash is stored; the code
/// itself is shown once when generated. A code is spent by one conditional update of <see cref="UsedAtUnixMs"/>.
/// </summary>
internal sealed class RecoveryCodeRow
{
    public string Id { get; set; } = "";

    public string CustomerId { get; set; } = "";

    /// <summary>ASP.NET Core Identity's password-hash format (version byte, PRF, iterations, salt, subkey), base64.</summary>
    public string Hash { get; set; } = "";

    public long CreatedAtUnixMs { get; set; }

    /// <summary>When the code was redeemed; a used code never works again.</summary>
    public long? UsedAtUnixMs { get; set; }
}

/// <summary>
/// A browser a customer has logged in from with a second factor (decision 0611). The device id lives in the
/// browser's <c>banyan_ob_device</c> cookie; only its SHA-256 is stored, with a fingerprint of the user agent.
/// </summary>
internal sealed class CustomerDeviceRow
{
    /// <summary>Public id (<c>dev_…</c>) used on the devices page; not the cookie value.</summary>
    public string Id { get; set; } = "";

    public string CustomerId { get; set; } = "";

    /// <summary>SHA-256 of the device cookie value, base64url (the cookie itself is never stored).</summary>
    public string DeviceHash { get; set; } = "";

    /// <summary>SHA-256 of the user agent with its version digits removed, hex (first 32 characters).</summary>
    public string AgentFingerprint { get; set; } = "";

    /// <summary>The user agent as sent (truncated), to let the customer recognise the device.</summary>
    public string UserAgent { get; set; } = "";

    public long BoundAtUnixMs { get; set; }

    public long LastSeenAtUnixMs { get; set; }
}

internal static class LoginModel
{
    public static void Configure(ModelBuilder model)
    {
        var r = model.Entity<RecoveryCodeRow>();
        r.ToTable("openbanking_recovery_codes");
        r.HasKey(x => x.Id);
        r.Property(x => x.Id).HasMaxLength(40);
        r.Property(x => x.CustomerId).HasMaxLength(40);
        r.Property(x => x.Hash).HasMaxLength(256);
        r.HasIndex(x => x.CustomerId);

        var d = model.Entity<CustomerDeviceRow>();
        d.ToTable("openbanking_customer_devices");
        d.HasKey(x => x.Id);
        d.Property(x => x.Id).HasMaxLength(40);
        d.Property(x => x.CustomerId).HasMaxLength(40);
        d.Property(x => x.DeviceHash).HasMaxLength(64);
        d.Property(x => x.AgentFingerprint).HasMaxLength(64);
        d.Property(x => x.UserAgent).HasMaxLength(256);
        d.HasIndex(x => new { x.CustomerId, x.DeviceHash }).IsUnique();
    }
}
