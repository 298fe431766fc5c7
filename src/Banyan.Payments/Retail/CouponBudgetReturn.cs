using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.Payments.Retail;

/// <summary>A closed coupon campaign: why, when, and what of its budget went back to marketing.</summary>
internal sealed class CouponClosureRow
{
    public long Id { get; set; }

    public long CouponId { get; set; }

    /// <summary><c>cancelled</c> (closed before its end) or <c>expired</c>.</summary>
    public string Reason { get; set; } = "";

    /// <summary><c>closing</c> while the ledger transfer is posted, then <c>closed</c>.</summary>
    public string Status { get; set; } = "";

    /// <summary>Minor units moved back to marketing (what the ledger's balancing transfer took).</summary>
    public long Returned { get; set; }

    public long ClosedAtUnixMs { get; set; }

    internal static void Configure(ModelBuilder model)
    {
        var c = model.Entity<CouponClosureRow>();
        c.ToTable("payments_coupon_closures");
        c.HasKey(x => x.Id);
        c.Property(x => x.Reason).HasMaxLength(16);
        c.Property(x => x.Status).HasMaxLength(16);
        c.HasIndex(x => x.CouponId).IsUnique();
    }
}

/// <summary>The outcome of closing a coupon; <see cref="Returned"/> is the same on every repeat.</summary>
internal sealed record CouponClosure(string Code, Currency Currency, string Reason, long Returned, UInt128 TransferId, DateTimeOffset ClosedAt);

/// <summary>
/// Returns what is left of a coupon campaign's budget to marketing when it ends (expiry passed) or is
/// cancelled, in ONE linked ledger batch: a <c>balancing_debit</c> transfer coupon funding → marketing
/// (the ledger clamps it to exactly the remaining balance, so nothing is computed outside the ledger)
/// and a zero, never-expiring pending <c>closing_debit</c> transfer that closes the funding account.
/// A tap racing the close either lands before it (the remainder is smaller) or is refused by the ledger
/// (<c>debit_account_already_closed</c> → <c>coupon_closed</c>). Both transfers have fixed ids, so a
/// repeat moves nothing (decision 0637).
/// </summary>
internal sealed class CouponBudgetReturn(LedgerEngine ledger, IServiceScopeFactory scopes, TimeProvider time)
{
    private const byte ReturnLeg = 2;
    private const byte CloseLeg = 3;

    /// <summary>Coupons closed per sweep at most; the next sweep takes the rest.</summary>
    public const int SweepBatch = 500;

    public static UInt128 ReturnTransferId(long couponId) => PaymentsChart.TransferId(PaymentTransferKind.Setup, ReturnLeg, couponId);

    /// <summary>Closes a coupon by code (cancelled if still valid, expired otherwise); 404 when unknown.</summary>
    public async Task<CouponClosure> CloseAsync(string code, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(code) || code.Length > 32) throw new PaymentsInputException("code", "must be 1..32 characters");
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var coupon = await db.Set<CouponRow>().AsNoTracking().FirstOrDefaultAsync(c => c.Code == code, ct) ?? throw new PaymentsNotFoundException($"No coupon '{code}'.");
        return await CloseAsync(db, coupon, ct);
    }

    /// <summary>
    /// Closes every coupon whose validity has ended and is not closed yet, and finishes every close a crash left
    /// <c>closing</c> (a cancel too: its funding account may already be closed in the ledger while nobody repeats
    /// the request), at most <see cref="SweepBatch"/>; returns how many.
    /// </summary>
    public async Task<int> SweepExpiredAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var closed = db.Set<CouponClosureRow>().Where(x => x.Status == "closed").Select(x => x.CouponId);
        var unfinished = db.Set<CouponClosureRow>().Where(x => x.Status == "closing").Select(x => x.CouponId);
        var due = await db.Set<CouponRow>().AsNoTracking().Where(c => (c.ValidUntilUnixMs <= now && !closed.Contains(c.Id)) || unfinished.Contains(c.Id))
            .OrderBy(c => c.Id).Take(SweepBatch).ToListAsync(ct);
        foreach (var coupon in due) await CloseAsync(db, coupon, ct);
        return due.Count;
    }

    /// <summary>The closure of a coupon, if it was closed.</summary>
    public async Task<CouponClosure?> FindAsync(CouponRow coupon, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var row = await db.Set<CouponClosureRow>().AsNoTracking().FirstOrDefaultAsync(x => x.CouponId == coupon.Id && x.Status == "closed", ct);
        return row is null ? null : View(coupon, row);
    }

    private async Task<CouponClosure> CloseAsync(DbContext db, CouponRow coupon, CancellationToken ct)
    {
        var row = await db.Set<CouponClosureRow>().FirstOrDefaultAsync(x => x.CouponId == coupon.Id, ct);
        if (row is null)
        {
            var now = time.GetUtcNow();
            row = new CouponClosureRow
            {
                CouponId = coupon.Id, Reason = now.ToUnixTimeMilliseconds() >= coupon.ValidUntilUnixMs ? "expired" : "cancelled", Status = "closing",
                ClosedAtUnixMs = now.ToUnixTimeMilliseconds(),
            };
            db.Add(row);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Closed concurrently (sweep and request): continue with the winner's row; the ledger ids are fixed.
                db.ChangeTracker.Clear();
                row = await db.Set<CouponClosureRow>().FirstAsync(x => x.CouponId == coupon.Id, ct);
            }
        }

        if (row.Status == "closing")
        {
            row.Returned = await PostAsync(coupon, CancellationToken.None);
            row.Status = "closed";
            await db.SaveChangesAsync(CancellationToken.None);
        }

        return View(coupon, row);
    }

    /// <summary>Posts the linked return + close pair (or finds it posted) and answers what the return moved.</summary>
    private async Task<long> PostAsync(CouponRow coupon, CancellationToken ct)
    {
        var c = CurrencyOf(coupon);
        var funding = PaymentsChart.Party(PaymentAccountKind.CouponFunding, coupon.Id);
        var marketing = PaymentsChart.Bank(PaymentAccountKind.Marketing, c);
        Transfer[] pair =
        [
            new()
            {
                // At most the whole budget; the balancing flag clamps it to what is left.
                Id = ReturnTransferId(coupon.Id), DebitAccountId = funding, CreditAccountId = marketing, Amount = (UInt128)coupon.Budget,
                Ledger = c.Ledger, Code = PaymentCodes.CouponBudget, UserData64 = checked((ulong)coupon.Id), Flags = TransferFlags.Linked | TransferFlags.BalancingDebit,
            },
            new()
            {
                // The ledger closes accounts only with a pending transfer; with no timeout it never expires, so the account stays closed.
                Id = PaymentsChart.TransferId(PaymentTransferKind.Setup, CloseLeg, coupon.Id), DebitAccountId = funding, CreditAccountId = marketing, Amount = UInt128.Zero,
                Ledger = c.Ledger, Code = PaymentCodes.CouponBudget, UserData64 = checked((ulong)coupon.Id), Flags = TransferFlags.Pending | TransferFlags.ClosingDebit,
            },
        ];
        var results = await ledger.CreateTransfersAsync(pair, ct);
        // A repeat finds the first leg existing (the pair went in together), which ends the chain: still done.
        var done = results[0] == CreateTransferResult.Exists || results.All(r => r == CreateTransferResult.Created);
        if (!done) throw new InvalidOperationException($"The ledger refused closing coupon {coupon.Code}: {results[0].Name()} / {results[1].Name()}.");
        var moved = await ledger.LookupTransfersAsync(new[] { pair[0].Id }, ct);
        if (moved.Length != 1) throw new InvalidOperationException($"The budget return of coupon {coupon.Code} is missing from the ledger after it was accepted.");
        return checked((long)moved[0].Amount);
    }

    private static CouponClosure View(CouponRow coupon, CouponClosureRow row) =>
        new(coupon.Code, CurrencyOf(coupon), row.Reason, row.Returned, ReturnTransferId(coupon.Id), DateTimeOffset.FromUnixTimeMilliseconds(row.ClosedAtUnixMs));

    private static Currency CurrencyOf(CouponRow coupon) =>
        Currencies.TryGetByLedger((uint)coupon.Ledger, out var c) ? c : throw new InvalidOperationException($"Coupon {coupon.Code} is on unknown ledger {coupon.Ledger}.");
}

/// <summary>Closes coupon campaigns whose validity has ended (and finishes closes a crash interrupted), at start-up and then every few minutes (on the ledger's leader only).</summary>
internal sealed class CouponSweeper(CouponBudgetReturn coupons, LedgerEngine ledger, TimeProvider time, ILogger<CouponSweeper> log) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        do
        {
            if (ledger.Cluster.Role is LedgerRole.Standby or LedgerRole.Fenced) continue;
            try
            {
                var closed = await coupons.SweepExpiredAsync(stoppingToken);
                if (closed > 0 && log.IsEnabled(LogLevel.Information)) log.LogInformation("Closed {Count} expired coupon campaigns and returned their budgets to marketing.", closed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed sweep is retried on the next tick; closing is idempotent.
                log.LogWarning(e, "Coupon sweep failed; retrying in {Period}.", Period);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
