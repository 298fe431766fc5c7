using Banyan.OpenBanking.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Banyan.OpenBanking.Identity;

/// <summary>
/// ASP.NET Core Identity's store for <see cref="Customer"/> over <c>openbanking_customers</c> in the shared
/// database: users, password hashes, security stamps and lockout. Identity does the hashing (PBKDF2) and
/// the lockout arithmetic; this class only persists. Recovery codes (Identity's
/// <see cref="IUserTwoFactorRecoveryCodeStore{TUser}"/>) are kept as salted hashes in
/// <c>openbanking_recovery_codes</c>, never in clear (decision 0610).
/// </summary>
internal sealed class CustomerStore(DbContext db, RecoveryCodeHasher hasher, TimeProvider time) :
    IUserPasswordStore<Customer>, IUserSecurityStampStore<Customer>, IUserLockoutStore<Customer>, IUserTwoFactorRecoveryCodeStore<Customer>
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

    /// <summary>Replaces every code of the customer (used or not) with hashes of <paramref name="recoveryCodes"/>, atomically.</summary>
    public async Task ReplaceCodesAsync(Customer user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken)
    {
        var codes = recoveryCodes.ToList();
        if (codes.Count is 0 or > RecoveryCodeHasher.MaxCodes)
        {
            throw new ArgumentOutOfRangeException(nameof(recoveryCodes), $"Between 1 and {RecoveryCodeHasher.MaxCodes} recovery codes.");
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var rows = codes.Select(code => new RecoveryCodeRow
        {
            Id = "rc_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)),
            CustomerId = user.Id,
            Hash = hasher.Hash(user, code),
            CreatedAtUnixMs = now,
        }).ToList();
        // The old set must vanish in the same transaction the new one appears in: never two live sets, never none.
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        await using (own)
        {
            await db.Set<RecoveryCodeRow>().Where(r => r.CustomerId == user.Id).ExecuteDeleteAsync(cancellationToken);
            db.AddRange(rows);
            await db.SaveChangesAsync(cancellationToken);
            if (own is not null)
            {
                await own.CommitAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// Spends the code if it matches an unused one: true only for the one caller whose conditional update marked
    /// it used (two concurrent logins with the same code cannot both succeed).
    /// </summary>
    public async Task<bool> RedeemCodeAsync(Customer user, string code, CancellationToken cancellationToken)
    {
        var unused = await db.Set<RecoveryCodeRow>().AsNoTracking()
            .Where(r => r.CustomerId == user.Id && r.UsedAtUnixMs == null).Take(RecoveryCodeHasher.MaxCodes).ToListAsync(cancellationToken);
        var match = unused.FirstOrDefault(r => hasher.Matches(user, r.Hash, code));
        if (match is null)
        {
            return false;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var spent = await db.Set<RecoveryCodeRow>().Where(r => r.Id == match.Id && r.UsedAtUnixMs == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.UsedAtUnixMs, now), cancellationToken);
        return spent == 1;
    }

    public Task<int> CountCodesAsync(Customer user, CancellationToken cancellationToken) =>
        db.Set<RecoveryCodeRow>().CountAsync(r => r.CustomerId == user.Id && r.UsedAtUnixMs == null, cancellationToken);

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
