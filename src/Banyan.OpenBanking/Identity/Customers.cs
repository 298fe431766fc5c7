using System.Security.Cryptography;
using Banyan.OpenBanking.Storage;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Identity;

/// <summary>
/// Customer credentials: password through ASP.NET Core Identity (<see cref="UserManager{TUser}"/>, PBKDF2,
/// lockout after repeated failures), TOTP secrets protected with Data Protection, and the no-replay rule
/// (a code's step must be after the last accepted one, advanced by one conditional update), and single-use
/// recovery codes through Identity's recovery-code API over <see cref="CustomerStore"/> (decision 0610).
/// </summary>
internal sealed class Customers(IServiceScopeFactory scopes, IDataProtectionProvider protection, TimeProvider time, IAuditLog audit)
{
    /// <summary>How a login's second factor was passed (the session's <c>amr</c> values, RFC 8176 where one exists).</summary>
    public const string ByTotp = "otp";
    public const string ByRecoveryCode = "rc";

    private readonly IDataProtector _totp = protection.CreateProtector("Banyan.OpenBanking.TotpSecret.v1");

    /// <summary>Creates a customer; returns it with its TOTP secret (to show once), or the Identity errors. Private: every customer is created through <see cref="EnrolAsync"/>, so none exists without recovery codes.</summary>
    private async Task<(Customer? Customer, byte[] TotpSecret, string? Error)> CreateAsync(string userName, string password, string? sandboxPartnerId, CancellationToken cancellationToken)
    {
        var secret = Totp.NewSecret();
        var customer = new Customer
        {
            Id = "cus_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)),
            UserName = userName,
            ProtectedTotpSecret = _totp.Protect(Convert.ToBase64String(secret)),
            SandboxPartnerId = sandboxPartnerId,
            CreatedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Customer>>();
        var result = await users.CreateAsync(customer, password);
        return result.Succeeded
            ? (customer, secret, null)
            : (null, [], string.Join("; ", result.Errors.Select(e => e.Description)));
    }

    /// <summary>
    /// Creates a customer and enrols the second factor: the TOTP secret and <see cref="RecoveryCodeHasher.MaxCodes"/>
    /// recovery codes, both to be shown once. Recovery codes are stored only hashed.
    /// </summary>
    public async Task<(Customer? Customer, byte[] TotpSecret, IReadOnlyList<string> RecoveryCodes, string? Error)> EnrolAsync(string userName, string password, string? sandboxPartnerId, CancellationToken cancellationToken)
    {
        var (customer, secret, error) = await CreateAsync(userName, password, sandboxPartnerId, cancellationToken);
        if (customer is null)
        {
            return (null, [], [], error);
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Customer>>();
        var tracked = await users.FindByIdAsync(customer.Id) ?? throw new InvalidOperationException("The customer just created is missing.");
        return (customer, secret, await GenerateRecoveryCodesAsync(users, tracked, cancellationToken), null);
    }

    /// <summary>Replaces the customer's recovery codes with new ones (returned once, stored hashed); audited.</summary>
    public async Task<IReadOnlyList<string>> GenerateRecoveryCodesAsync(UserManager<Customer> users, Customer customer, CancellationToken cancellationToken)
    {
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(customer, RecoveryCodeHasher.MaxCodes))?.ToList()
            ?? throw new InvalidOperationException("Storing the recovery codes failed.");
        await audit.AppendAsync(new AuditEntry("authentication", "recovery_codes_generated", customer.Id, null, "succeeded",
            new Dictionary<string, string> { ["count"] = codes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }), cancellationToken);
        return codes;
    }

    /// <summary>
    /// Checks the second factor: a six-digit TOTP code (never twice) or an unused recovery code (spent now, audited
    /// with the number left). Returns how it passed (<see cref="ByTotp"/>, <see cref="ByRecoveryCode"/>) or null.
    /// </summary>
    public async Task<string?> VerifySecondFactorAsync(UserManager<Customer> users, Customer customer, string? code, CancellationToken cancellationToken)
    {
        var trimmed = code?.Trim();
        if (!RecoveryCodeHasher.LooksLikeCode(trimmed))
        {
            return await VerifyTotpAsync(customer, trimmed, cancellationToken) ? ByTotp : null;
        }

        if (!(await users.RedeemTwoFactorRecoveryCodeAsync(customer, trimmed!)).Succeeded)
        {
            return null;
        }

        var remaining = await users.CountRecoveryCodesAsync(customer);
        await audit.AppendAsync(new AuditEntry("authentication", "recovery_code_used", customer.Id, null, "succeeded",
            new Dictionary<string, string> { ["remaining"] = remaining.ToString(System.Globalization.CultureInfo.InvariantCulture) }), cancellationToken);
        return ByRecoveryCode;
    }

    /// <summary>
    /// Checks the password (with lockout); the customer when it matches, otherwise why not. The failure count is
    /// reset only once the second factor passed too (the caller's job), so guessing codes also locks the customer out.
    /// </summary>
    public static async Task<(Customer? Customer, string? Error)> CheckPasswordAsync(UserManager<Customer> users, string userName, string password)
    {
        var customer = await users.FindByNameAsync(userName);
        if (customer is null)
        {
            return (null, "unknown_user");
        }

        if (await users.IsLockedOutAsync(customer))
        {
            return (null, "locked_out");
        }

        if (!await users.CheckPasswordAsync(customer, password))
        {
            await users.AccessFailedAsync(customer);
            return (null, "wrong_password");
        }

        return (customer, null);
    }

    /// <summary>Accepts a TOTP code at most once: true when it matches a step after the last accepted one and that step is now stored.</summary>
    public async Task<bool> VerifyTotpAsync(Customer customer, string? code, CancellationToken cancellationToken)
    {
        var secret = Convert.FromBase64String(_totp.Unprotect(customer.ProtectedTotpSecret));
        var step = Totp.Verify(secret, code, time.GetUtcNow(), customer.TotpLastStep);
        if (step is null)
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        // Two concurrent logins with the same code: only one conditional update can advance the step.
        var advanced = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<Customer>()
            .Where(c => c.Id == customer.Id && c.TotpLastStep < step.Value)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.TotpLastStep, step.Value), cancellationToken);
        customer.TotpLastStep = Math.Max(customer.TotpLastStep, step.Value);
        return advanced == 1;
    }

    public async Task<Customer?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<Customer>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
    }
}
