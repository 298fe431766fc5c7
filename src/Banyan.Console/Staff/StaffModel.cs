using Microsoft.EntityFrameworkCore;

namespace Banyan.StaffConsole.Staff;

/// <summary>
/// Identity's tables in the shared model, prefixed <c>console_</c>. Own entity subclasses (not
/// <c>IdentityUser</c> itself) so another module using Identity cannot collide with these mappings.
/// </summary>
internal static class StaffModel
{
    public static void Configure(ModelBuilder model)
    {
        model.Entity<StaffUser>(b =>
        {
            b.ToTable("console_users");
            b.HasKey(u => u.Id);
            b.Property(u => u.Id).HasMaxLength(64);
            b.HasIndex(u => u.NormalizedUserName).IsUnique();
            b.HasIndex(u => u.NormalizedEmail);
            b.Property(u => u.ConcurrencyStamp).IsConcurrencyToken().HasMaxLength(64);
            b.Property(u => u.UserName).HasMaxLength(256);
            b.Property(u => u.NormalizedUserName).HasMaxLength(256);
            b.Property(u => u.Email).HasMaxLength(256);
            b.Property(u => u.NormalizedEmail).HasMaxLength(256);
            b.Property(u => u.PasswordHash).HasMaxLength(512);
            b.Property(u => u.SecurityStamp).HasMaxLength(64);
            b.Property(u => u.PhoneNumber).HasMaxLength(64);
            b.Property(u => u.TotpSecret).HasMaxLength(1024);
            b.Property(u => u.PendingTotpSecret).HasMaxLength(1024);
            b.Property(u => u.DisplayName).HasMaxLength(128);
        });
        model.Entity<StaffRole>(b =>
        {
            b.ToTable("console_roles");
            b.HasKey(r => r.Id);
            b.Property(r => r.Id).HasMaxLength(64);
            b.Property(r => r.Name).HasMaxLength(64);
            b.Property(r => r.NormalizedName).HasMaxLength(64);
            b.Property(r => r.ConcurrencyStamp).IsConcurrencyToken().HasMaxLength(64);
            b.HasIndex(r => r.NormalizedName).IsUnique();
        });
        model.Entity<StaffUserRole>(b =>
        {
            b.ToTable("console_user_roles");
            b.HasKey(r => new { r.UserId, r.RoleId });
        });
        model.Entity<StaffUserClaim>(b =>
        {
            b.ToTable("console_user_claims");
            b.HasKey(c => c.Id);
            b.HasIndex(c => c.UserId);
        });
        model.Entity<StaffUserLogin>(b =>
        {
            b.ToTable("console_user_logins");
            b.HasKey(l => new { l.LoginProvider, l.ProviderKey });
        });
        model.Entity<StaffUserToken>(b =>
        {
            b.ToTable("console_user_tokens");
            b.HasKey(t => new { t.UserId, t.LoginProvider, t.Name });
        });
        model.Entity<StaffRoleClaim>(b =>
        {
            b.ToTable("console_role_claims");
            b.HasKey(c => c.Id);
        });
    }
}
