using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.StaffConsole.Staff;

/// <summary>
/// Staff administration for admins (decision 0665): list staff (paged), create a user with roles, disable
/// a user. A new user gets a generated password and a pending TOTP secret, both shown to the admin once
/// and never stored in clear (Identity hashes the password; the secret is data-protected and confirmed
/// by the user's first code, as in self-enrolment). Disabling locks the account for good and rotates its
/// security stamp, so open sessions end at the next re-validation. Every change is audited with the
/// admin as actor. Each call works in its own DI scope: a circuit outlives any one unit of work.
/// </summary>
internal sealed partial class StaffAdministration(IServiceScopeFactory scopes, IAuditLog audit)
{
    public const int PageSize = 50;
    public const int MaxDisplayName = 100;

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex UserNamePattern();

    public async Task<StaffPage> ListAsync(int page, CancellationToken ct)
    {
        page = Math.Clamp(page, 1, 10_000);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var total = await users.Users.CountAsync(ct);
        var rows = await users.Users.AsNoTracking().OrderBy(u => u.UserName).Skip((page - 1) * PageSize).Take(PageSize).ToListAsync(ct);
        var items = new List<StaffItem>(rows.Count);
        foreach (var u in rows)
        {
            var roles = await users.GetRolesAsync(u);
            items.Add(new StaffItem(u.UserName ?? u.Id, u.DisplayName, [.. roles.Order(StringComparer.Ordinal)], u.TotpSecret is not null,
                u.LockoutEnd is { } end && end == DateTimeOffset.MaxValue));
        }

        return new StaffPage(items, page, total, page * PageSize < total);
    }

    /// <summary>Creates a user; the result carries the one-time password and TOTP secret, or the validation errors.</summary>
    public async Task<StaffCreation> CreateAsync(string? userName, string? displayName, IReadOnlyCollection<string> roles, string admin, CancellationToken ct)
    {
        var errors = Validate(userName, displayName, roles);
        if (errors.Count > 0) return new StaffCreation(null, errors);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        if (await users.FindByNameAsync(userName!) is not null) return new StaffCreation(null, ["user_name_taken"]);
        var secret = Totp.Base32(Totp.NewSecret());
        var protector = scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>().CreateProtector("Banyan.StaffConsole.Totp.v1");
        var password = NewPassword();
        var user = new StaffUser { UserName = userName, DisplayName = displayName!.Trim(), LockoutEnabled = true, PendingTotpSecret = protector.Protect(secret) };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded) return new StaffCreation(null, [.. created.Errors.Select(e => e.Code)]);
        var added = await users.AddToRolesAsync(user, roles);
        if (!added.Succeeded)
        {
            await users.DeleteAsync(user); // all or nothing: a user without the roles asked for is not left behind
            return new StaffCreation(null, [.. added.Errors.Select(e => e.Code)]);
        }

        await audit.AppendAsync(new AuditEntry("console_staff", "staff_created", StaffActor.Of(admin), StaffActor.Of(userName!), "succeeded",
            new Dictionary<string, string> { ["roles"] = string.Join(',', roles.Order(StringComparer.Ordinal)) }), ct);
        return new StaffCreation(new StaffSecrets(userName!, password, secret, Totp.ProvisioningUri("Banyan", userName!, StaffSignIn.Base32Decode(secret))), []);
    }

    /// <summary>Locks the user out for good and ends their sessions; an admin cannot disable themself.</summary>
    public async Task<string?> DisableAsync(string userName, string admin, CancellationToken ct)
    {
        if (string.Equals(userName, admin, StringComparison.Ordinal)) return "cannot_disable_self";
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = await users.FindByNameAsync(userName);
        if (user is null) return "unknown_user";
        var locked = await users.SetLockoutEnabledAsync(user, true);
        if (locked.Succeeded) locked = await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
        if (locked.Succeeded) locked = await users.UpdateSecurityStampAsync(user);
        var outcome = locked.Succeeded ? "succeeded" : "failed";
        await audit.AppendAsync(new AuditEntry("console_staff", "staff_disabled", StaffActor.Of(admin), StaffActor.Of(userName), outcome), ct);
        return locked.Succeeded ? null : string.Join("; ", locked.Errors.Select(e => e.Code));
    }

    internal static List<string> Validate(string? userName, string? displayName, IReadOnlyCollection<string> roles)
    {
        var errors = new List<string>();
        if (userName is null || !UserNamePattern().IsMatch(userName)) errors.Add("user_name_invalid");
        if (string.IsNullOrWhiteSpace(displayName) || displayName.Length > MaxDisplayName) errors.Add("display_name_invalid");
        if (roles.Count == 0 || roles.Any(r => !StaffRoles.All.Contains(r, StringComparer.Ordinal))) errors.Add("roles_invalid");
        return errors;
    }

    /// <summary>20 random characters from an unambiguous alphabet (≈ 110 bits): above the 12-character minimum.</summary>
    private static string NewPassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return string.Create(20, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }
}

/// <summary>One staff member in the list.</summary>
internal sealed record StaffItem(string UserName, string DisplayName, IReadOnlyList<string> Roles, bool TotpEnrolled, bool Disabled);

/// <summary>A page of staff, by user name.</summary>
internal sealed record StaffPage(IReadOnlyList<StaffItem> Items, int Page, int Total, bool HasMore);

/// <summary>What the admin sees once after creating a user.</summary>
internal sealed record StaffSecrets(string UserName, string Password, string TotpSecret, string ProvisioningUri);

/// <summary>The created user's one-time secrets, or error codes.</summary>
internal sealed record StaffCreation(StaffSecrets? Created, IReadOnlyList<string> Errors);
