using Microsoft.AspNetCore.Identity;

namespace Banyan.StaffConsole.Staff;

/// <summary>
/// A member of bank staff who may use the console. Identity's own columns plus the TOTP state:
/// the secret is stored encrypted with ASP.NET Core data protection, and the last accepted step is
/// kept so that a code is never accepted twice (RFC 6238 §5.2).
/// </summary>
internal sealed class StaffUser : IdentityUser
{
    /// <summary>Data-protected TOTP secret once enrolment is confirmed; <see langword="null"/> before.</summary>
    public string? TotpSecret { get; set; }

    /// <summary>Data-protected secret shown during enrolment, until the first code confirms it.</summary>
    public string? PendingTotpSecret { get; set; }

    /// <summary>The last TOTP step accepted for this user (replay protection).</summary>
    public long LastTotpStep { get; set; }

    /// <summary>Display name shown in the app bar and used in audit entries' details.</summary>
    public string DisplayName { get; set; } = "";
}

internal sealed class StaffRole : IdentityRole
{
    public StaffRole() { }

    public StaffRole(string name) : base(name) => NormalizedName = name.ToUpperInvariant();
}

internal sealed class StaffUserRole : IdentityUserRole<string>;

internal sealed class StaffUserClaim : IdentityUserClaim<string>;

internal sealed class StaffUserLogin : IdentityUserLogin<string>;

internal sealed class StaffUserToken : IdentityUserToken<string>;

internal sealed class StaffRoleClaim : IdentityRoleClaim<string>;
