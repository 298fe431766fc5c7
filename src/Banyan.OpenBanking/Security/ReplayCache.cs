using System.Security.Cryptography;
using System.Text;
using Banyan.OpenBanking.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Banyan.OpenBanking.Security;

/// <summary>
/// One-time values (DPoP proof <c>jti</c>, authorization codes, identity assertion <c>jti</c>): the first use
/// inserts a row keyed by a hash of the value, a second use hits the primary key and is refused. In the
/// shared database so it survives restarts and holds across several hosts.
/// </summary>
internal sealed class ReplayCache(IServiceScopeFactory scopes, TimeProvider time)
{
    private long _inserts;

    /// <summary>True the first time <paramref name="value"/> of <paramref name="kind"/> is seen before <paramref name="expiresAt"/>.</summary>
    public async Task<bool> TryUseAsync(string kind, string value, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var key = kind + ":" + Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (Interlocked.Increment(ref _inserts) % 512 == 0)
        {
            // Expired entries can never match an acceptable value again (the caller bounds lifetimes).
            await db.Set<ReplayRow>().Where(r => r.ExpiresAtUnixMs < now).ExecuteDeleteAsync(cancellationToken);
        }

        var existing = await db.Set<ReplayRow>().AsNoTracking().FirstOrDefaultAsync(r => r.Key == key, cancellationToken);
        if (existing is not null)
        {
            if (existing.ExpiresAtUnixMs >= now)
            {
                return false;
            }

            await db.Set<ReplayRow>().Where(r => r.Key == key).ExecuteDeleteAsync(cancellationToken);
        }

        db.Add(new ReplayRow { Key = key, ExpiresAtUnixMs = expiresAt.ToUnixTimeMilliseconds() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            return false; // a concurrent first use won
        }
    }
}
