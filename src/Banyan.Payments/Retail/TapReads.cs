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

/// <summary>
/// The per-tap queries that cannot be cached (their rows change with every tap), compiled once per EF Core
/// model: EF Core then skips translating the expression and looking up its query cache on every call. A
/// compiled query is bound to the model it first ran with, and the module runs under several context types
/// (the server's, the benchmark's, tests'), hence one set per model. All read-only (no tracking).
/// </summary>
internal sealed class TapQueries
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Microsoft.EntityFrameworkCore.Metadata.IModel, TapQueries> PerModel = [];

    /// <summary>The queries compiled for this context's model.</summary>
    public static TapQueries For(DbContext db) => PerModel.GetValue(db.Model, _ => new TapQueries());

    /// <summary>The tap already written under (initiator, payment_id), if any (idempotent retries).</summary>
    public Func<DbContext, string, string, CancellationToken, Task<TapRow?>> Existing { get; } =
        EF.CompileAsyncQuery((DbContext db, string initiator, string paymentId, CancellationToken ct) =>
            db.Set<TapRow>().AsNoTracking().FirstOrDefault(t => t.Initiator == initiator && t.PaymentId == paymentId));

    /// <summary>How often a holder has used a coupon (pending redemptions count: decision 0630).</summary>
    public Func<DbContext, long, string, CancellationToken, Task<int>> CouponUses { get; } =
        EF.CompileAsyncQuery((DbContext db, long couponId, string holderId, CancellationToken ct) =>
            db.Set<CouponRedemptionRow>().Count(r => r.CouponId == couponId && r.HolderId == holderId));

    /// <summary>A holder's points account in a programme, if opened.</summary>
    public Func<DbContext, string, long, CancellationToken, Task<PointsAccountRow?>> PointsAccount { get; } =
        EF.CompileAsyncQuery((DbContext db, string holderId, long programmeId, CancellationToken ct) =>
            db.Set<PointsAccountRow>().AsNoTracking().FirstOrDefault(a => a.HolderId == holderId && a.ProgrammeId == programmeId));

    /// <summary>Up to <c>take</c> usable lots of a points account (active, not empty, unexpired at <c>at</c>), soonest to expire first.</summary>
    public Func<DbContext, long, long, int, IAsyncEnumerable<PointsLotRow>> UsableLots { get; } =
        EF.CompileAsyncQuery((DbContext db, long accountId, long at, int take) =>
            db.Set<PointsLotRow>().AsNoTracking()
                .Where(l => l.PointsAccountId == accountId && l.Status == "active" && l.Remaining > 0 && l.ExpiresAtUnixMs > at)
                .OrderBy(l => l.ExpiresAtUnixMs).ThenBy(l => l.Id).Take(take));

    /// <summary>What a wallet paid on a business day from its own money, rejected taps not counted.</summary>
    public Func<DbContext, string, int, CancellationToken, Task<long>> WalletPaidOnDay { get; } =
        EF.CompileAsyncQuery((DbContext db, string payer, int day, CancellationToken ct) =>
            db.Set<TapRow>().Where(t => t.PayerAccountId == payer && t.BusinessDay == day && t.Status != "rejected").Sum(t => t.Paid));
}
