using Banyan.OpenBanking.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Banyan.OpenBanking.Identity;

/// <summary>
/// ASP.NET Core Identity's store for <see cref="Customer"/> over <c>openbanking_customers</c> in the shared
/// database: users, password hashes, security stamps and lockout. Identity does the hashing (PBKDF2) and
/// the lockout arithmetic; this class only persists.
/// </summary>
internal sealed class CustomerStore(DbContext db) :
    IUserPasswordStore<Customer>, IUserSecurityStampStore<Customer>, IUserLockoutStore<Customer>
{
    public Task<string> GetUserIdAsync(Customer user, CancellationToken cancellationToken) => Task.FromResult(user.Id);

    public Task<string?> GetUserNameAsync(Customer user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.UserName);

    public Task SetUserNameAsync(Customer user, string? userName, CancellationToken cancellationToken)
    {
        user.UserName = userName ?? "";
        return Task.CompletedTask;
    }

    public Task<string?> GetNormalizedUserNameAsync(Customer user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.NormalizedUserName);

    public Task SetNormalizedUserNameAsync(Customer user, string? normalizedName, CancellationToken cancellationToken)
    {
        user.NormalizedUserName = normalizedName ?? "";
        return Task.CompletedTask;
    }

    public async Task<IdentityResult> CreateAsync(Customer user, CancellationToken cancellationToken)
    {
        db.Add(user);
        return await SaveAsync(cancellationToken);
    }

    public async Task<IdentityResult> UpdateAsync(Customer user, CancellationToken cancellationToken)
    {
        if (db.Entry(user).State == EntityState.Detached)
        {
            db.Update(user);
        }

        return await SaveAsync(cancellationToken);
    }

    public async Task<IdentityResult> DeleteAsync(Customer user, CancellationToken cancellationToken)
    {
        db.Remove(user);
        return await SaveAsync(cancellationToken);
    }

    public Task<Customer?> FindByIdAsync(string userId, CancellationToken cancellationToken) =>
        db.Set<Customer>().FirstOrDefaultAsync(c => c.Id == userId, cancellationToken);

    public Task<Customer?> FindByNameAsync(string normalizedUserName, CancellationToken cancellationToken) =>
        db.Set<Customer>().FirstOrDefaultAsync(c => c.NormalizedUserName == normalizedUserName, cancellationToken);

    public Task SetPasswordHashAsync(Customer user, string? passwordHash, CancellationToken cancellationToken)
    {
        user.PasswordHash = passwordHash;
        return Task.CompletedTask;
    }

    public Task<string?> GetPasswordHashAsync(Customer user, CancellationToken cancellationToken) => Task.FromResult(user.PasswordHash);

    public Task<bool> HasPasswordAsync(Customer user, CancellationToken cancellationToken) => Task.FromResult(user.PasswordHash is not null);

    public Task SetSecurityStampAsync(Customer user, string stamp, CancellationToken cancellationToken)
    {
        user.SecurityStamp = stamp;
        return Task.CompletedTask;
    }

    public Task<string?> GetSecurityStampAsync(Customer user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.SecurityStamp);

    public Task<DateTimeOffset?> GetLockoutEndDateAsync(Customer user, CancellationToken cancellationToken) =>
        Task.FromResult(user.LockoutEndUnixMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null);

    public Task SetLockoutEndDateAsync(Customer user, DateTimeOffset? lockoutEnd, CancellationToken cancellationToken)
    {
        user.LockoutEndUnixMs = lockoutEnd?.ToUnixTimeMilliseconds();
        return Task.CompletedTask;
    }

    public Task<int> IncrementAccessFailedCountAsync(Customer user, CancellationToken cancellationToken) => Task.FromResult(++user.AccessFailedCount);

    public Task ResetAccessFailedCountAsync(Customer user, CancellationToken cancellationToken)
    {
        user.AccessFailedCount = 0;
        return Task.CompletedTask;
    }

    public Task<int> GetAccessFailedCountAsync(Customer user, CancellationToken cancellationToken) => Task.FromResult(user.AccessFailedCount);

    public Task<bool> GetLockoutEnabledAsync(Customer user, CancellationToken cancellationToken) => Task.FromResult(user.LockoutEnabled);

    public Task SetLockoutEnabledAsync(Customer user, bool enabled, CancellationToken cancellationToken)
    {
        user.LockoutEnabled = enabled;
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // The DbContext belongs to the request scope.
    }

    private async Task<IdentityResult> SaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return IdentityResult.Success;
        }
        catch (DbUpdateException)
        {
            return IdentityResult.Failed(new IdentityError { Code = "conflict", Description = "The customer changed concurrently or the user name is taken." });
        }
    }
}
