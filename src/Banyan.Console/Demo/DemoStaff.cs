using Banyan.StaffConsole.Staff;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.StaffConsole.Demo;

/// <summary>
/// The documented demo staff account (docs/console.md), created only by <c>--demo</c>: user
/// <c>demo.admin</c>, every role, a fixed password and a fixed, published TOTP secret so a reader can
/// compute codes. Demo data only: a real deployment never runs this.
/// </summary>
internal static class DemoStaff
{
    public const string UserName = "demo.admin";
    public const string Password = "banyan-demo-2026";

    /// <summary>Base32 TOTP secret of the demo account (RFC 4648, as authenticator apps take it).</summary>
    public const string TotpSecret = "JBSWY3DPEHPK3PXPBANYANDEMO234567";

    public static async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        var roles = provider.GetRequiredService<RoleManager<StaffRole>>();
        foreach (var role in StaffRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new StaffRole(role)));
            }
        }

        var users = provider.GetRequiredService<UserManager<StaffUser>>();
        if (await users.FindByNameAsync(UserName) is not null)
        {
            return;
        }

        var protector = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("Banyan.StaffConsole.Totp.v1");
        var user = new StaffUser { UserName = UserName, DisplayName = "Demo administrator", LockoutEnabled = true, TotpSecret = protector.Protect(TotpSecret) };
        Check(await users.CreateAsync(user, Password));
        Check(await users.AddToRolesAsync(user, StaffRoles.All));
        await provider.GetRequiredService<IAuditLog>().AppendAsync(
            new AuditEntry("console_staff", "staff_created", "system", StaffActor.Of(UserName), "succeeded", new Dictionary<string, string> { ["roles"] = string.Join(',', StaffRoles.All), ["origin"] = "demo" }),
            cancellationToken);
    }

    /// <summary>The current code of the demo account (for <c>banyan demo</c> and the end-to-end tests).</summary>
    public static string CurrentCode(DateTimeOffset now) => Totp.Compute(StaffSignIn.Base32Decode(TotpSecret), Totp.StepAt(now));

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Seeding the demo staff account failed: " + string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
