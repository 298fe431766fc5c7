using System.Collections.Concurrent;
using Banyan.Payments.Accounts;
using Microsoft.EntityFrameworkCore;

namespace Banyan.Payments.Retail;

/// <summary>
/// Read cache for the rows a tap reads every time and that never change once written: merchants, coupons'
/// rules, points programmes and customer-account registrations (the module has no update path for any of
/// them). Only found rows are cached — a merchant registered later is read on its first tap. Nothing that
/// changes is cached: the coupon's remaining budget is a ledger balance, redemptions, lots and wallets are
/// read from the database under the holder's lock.
/// </summary>
internal sealed class TapReads
{
    /// <summary>Entries per kind; beyond that the cache starts over (a bound, not an eviction policy).</summary>
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, MerchantRow> _merchants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CouponRow> _coupons = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, ProgrammeRow> _programmes = new();
    private readonly ConcurrentDictionary<string, CustomerAccountRow> _customers = new(StringComparer.Ordinal);

    public Task<MerchantRow?> MerchantAsync(DbContext db, string merchantId, CancellationToken ct) =>
        GetAsync(_merchants, merchantId, () => db.Set<MerchantRow>().AsNoTracking().FirstOrDefaultAsync(m => m.MerchantId == merchantId, ct));

    public Task<CouponRow?> CouponAsync(DbContext db, string code, CancellationToken ct) =>
        GetAsync(_coupons, code, () => db.Set<CouponRow>().AsNoTracking().FirstOrDefaultAsync(c => c.Code == code, ct));

    public Task<ProgrammeRow?> ProgrammeAsync(DbContext db, long id, CancellationToken ct) =>
        GetAsync(_programmes, id, () => db.Set<ProgrammeRow>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct));

    public Task<CustomerAccountRow?> CustomerAccountAsync(DbContext db, string accountId, CancellationToken ct) =>
        GetAsync(_customers, accountId, () => db.Set<CustomerAccountRow>().AsNoTracking().FirstOrDefaultAsync(a => a.AccountId == accountId, ct));

    private static async Task<TValue?> GetAsync<TKey, TValue>(ConcurrentDictionary<TKey, TValue> cache, TKey key, Func<Task<TValue?>> load)
        where TKey : notnull where TValue : class
    {
        if (cache.TryGetValue(key, out var hit)) return hit;
        var row = await load();
        if (row is null) return null;
        if (cache.Count >= MaxEntries) cache.Clear();
        // Rows are handed out shared: callers only read them (AsNoTracking, never attached to a context).
        return cache.GetOrAdd(key, row);
    }
}
