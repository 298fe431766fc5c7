using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Retail;

internal sealed record MerchantRequest(string MerchantId, string Name, string Mcc, Currency Currency, int FeeBps, long? ProgrammeId);

internal sealed record CouponRequest(string Code, Currency Currency, string Kind, long Value, long Cap, long MinSpend, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, int PerCustomerLimit, long Budget);

internal sealed record ProgrammeRequest(string Name, Currency Currency, int DefaultRateBps, IReadOnlyDictionary<string, int> Rates, int ExpiryDays, bool Care);

/// <summary>
/// Merchants, coupon campaigns and points programmes: registration rows plus their ledger accounts. Each
/// registration is idempotent by its natural key (merchant id, coupon code, programme name); the same key
/// with other details is a conflict.
/// </summary>
internal sealed class Catalog(LedgerEngine ledger, IServiceScopeFactory scopes, TimeProvider time)
{
    public const int MaxFeeBps = 1_000;
    public const int MaxRateBps = 10_000;
    public const int MaxRates = 32;

    public async Task<MerchantRow> RegisterMerchantAsync(MerchantRequest request, CancellationToken ct)
    {
        Check.Id("merchant_id", request.MerchantId);
        Check.Text("name", request.Name, 140);
        Check.Mcc("mcc", request.Mcc);
        if (request.FeeBps is < 0 or > MaxFeeBps) throw new PaymentsInputException("fee_bps", $"must be 0..{MaxFeeBps} basis points");
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        if (request.ProgrammeId is { } pid && await db.Set<ProgrammeRow>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == pid, ct) is not { } programme)
            throw new PaymentsNotFoundException($"No points programme {pid}.");
        var row = new MerchantRow
        {
            MerchantId = request.MerchantId, Name = request.Name, Mcc = request.Mcc, Ledger = (int)request.Currency.Ledger,
            FeeBps = request.FeeBps, ProgrammeId = request.ProgrammeId, CreatedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        row = await InsertOnceAsync(db, row, x => x.MerchantId == request.MerchantId, Same, ct);
        if (row.AccountId.Length == 0)
        {
            row.AccountId = PaymentsChart.Party(PaymentAccountKind.Merchant, row.Id).ToString(CultureInfo.InvariantCulture);
            await db.SaveChangesAsync(ct);
        }

        await LedgerSetup.EnsureAccountsAsync(ledger, [PaymentsChart.PartyAccount(PaymentAccountKind.Merchant, row.Id, request.Currency)], ct);
        return row;

        bool Same(MerchantRow x) => x.Name == row.Name && x.Mcc == row.Mcc && x.Ledger == row.Ledger && x.FeeBps == row.FeeBps && x.ProgrammeId == row.ProgrammeId;
    }

    public async Task<CouponRow> CreateCouponAsync(CouponRequest request, CancellationToken ct)
    {
        CheckCoupon(request);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var row = new CouponRow
        {
            Code = request.Code, Ledger = (int)request.Currency.Ledger, Kind = request.Kind, Value = request.Value, Cap = request.Cap,
            MinSpend = request.MinSpend, ValidFromUnixMs = request.ValidFrom.ToUnixTimeMilliseconds(), ValidUntilUnixMs = request.ValidUntil.ToUnixTimeMilliseconds(),
            PerCustomerLimit = request.PerCustomerLimit, Budget = request.Budget, CreatedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        row = await InsertOnceAsync(db, row, x => x.Code == request.Code, Same, ct);

        // The budget moves from marketing into the coupon's own account: the ledger then refuses any
        // subsidy beyond it (exceeds_credits), even when taps race. Deterministic id: repeating is harmless.
        await LedgerSetup.EnsureAccountsAsync(ledger, [PaymentsChart.PartyAccount(PaymentAccountKind.CouponFunding, row.Id, request.Currency)], ct);
        var budget = new Transfer
        {
            Id = PaymentsChart.TransferId(PaymentTransferKind.Setup, 0, row.Id),
            DebitAccountId = PaymentsChart.Bank(PaymentAccountKind.Marketing, request.Currency),
            CreditAccountId = PaymentsChart.Party(PaymentAccountKind.CouponFunding, row.Id),
            Amount = (UInt128)row.Budget, Ledger = request.Currency.Ledger, Code = PaymentCodes.CouponBudget, UserData64 = checked((ulong)row.Id),
        };
        var result = (await LedgerSetup.PostAsync(ledger, [budget], ct))[0];
        return LedgerSetup.Ok(result) ? row : throw new InvalidOperationException($"The ledger refused the budget of coupon {row.Code}: {result.Name()}.");

        bool Same(CouponRow x) => x.Ledger == row.Ledger && x.Kind == row.Kind && x.Value == row.Value && x.Cap == row.Cap && x.MinSpend == row.MinSpend
            && x.ValidFromUnixMs == row.ValidFromUnixMs && x.ValidUntilUnixMs == row.ValidUntilUnixMs && x.PerCustomerLimit == row.PerCustomerLimit && x.Budget == row.Budget;
    }

    public async Task<ProgrammeRow> CreateProgrammeAsync(ProgrammeRequest request, CancellationToken ct)
    {
        Check.Id("name", request.Name);
        if (request.DefaultRateBps is < 0 or > MaxRateBps) throw new PaymentsInputException("default_rate_bps", $"must be 0..{MaxRateBps}");
        if (request.Rates.Count > MaxRates) throw new PaymentsInputException("rates", $"at most {MaxRates} categories");
        foreach (var (mcc, bps) in request.Rates)
        {
            Check.Mcc("rates", mcc);
            if (bps is < 0 or > MaxRateBps) throw new PaymentsInputException("rates", $"rate of {mcc} must be 0..{MaxRateBps}");
        }

        if (request.ExpiryDays is < 1 or > 3_660) throw new PaymentsInputException("expiry_days", "must be 1..3660");
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var rates = string.Join(',', request.Rates.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}:{r.Value.ToString(CultureInfo.InvariantCulture)}"));
        var row = new ProgrammeRow
        {
            Name = request.Name, Ledger = (int)request.Currency.Ledger, DefaultRateBps = request.DefaultRateBps, Rates = rates,
            ExpiryDays = request.ExpiryDays, Care = request.Care, CreatedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        return await InsertOnceAsync(db, row, x => x.Name == request.Name, x => x.Ledger == row.Ledger && x.DefaultRateBps == row.DefaultRateBps && x.Rates == row.Rates && x.ExpiryDays == row.ExpiryDays && x.Care == row.Care, ct);
    }

    /// <summary>The programme's earn rate (basis points) at a merchant category.</summary>
    public static int RateFor(ProgrammeRow programme, string mcc)
    {
        foreach (var pair in programme.Rates.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair.StartsWith(mcc + ":", StringComparison.Ordinal)) return int.Parse(pair.AsSpan(5), CultureInfo.InvariantCulture);
        }

        return programme.DefaultRateBps;
    }

    private static void CheckCoupon(CouponRequest r)
    {
        if (string.IsNullOrWhiteSpace(r.Code) || r.Code.Length > 32 || !r.Code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new PaymentsInputException("code", "must be 1..32 letters, digits, '-' or '_'");
        if (r.Kind is not ("amount_off" or "percent_off")) throw new PaymentsInputException("kind", "must be amount_off or percent_off");
        var max = checked(1_000_000 * r.Currency.MinorPerMajor);
        if (r.Kind == "amount_off" && (r.Value <= 0 || r.Value > max)) throw new PaymentsInputException("value", $"amount off must be 1..{max} minor units");
        if (r.Kind == "percent_off" && r.Value is <= 0 or > 10_000) throw new PaymentsInputException("value", "percent off is 1..10000 basis points");
        if (r.Cap < 0 || r.Cap > max) throw new PaymentsInputException("cap", $"must be 0..{max} minor units (0 = none)");
        if (r.MinSpend < 0 || r.MinSpend > max) throw new PaymentsInputException("min_spend", $"must be 0..{max} minor units");
        if (r.ValidUntil <= r.ValidFrom) throw new PaymentsInputException("valid_until", "must be after valid_from");
        if (r.PerCustomerLimit is < 1 or > 1_000) throw new PaymentsInputException("per_customer_limit", "must be 1..1000");
        if (r.Budget <= 0 || r.Budget > checked(100 * max)) throw new PaymentsInputException("budget", $"must be 1..{checked(100 * max)} minor units");
    }

    /// <summary>Inserts the row unless one with the same key exists; an existing row must carry the same details.</summary>
    private static async Task<T> InsertOnceAsync<T>(DbContext db, T row, System.Linq.Expressions.Expression<Func<T, bool>> key, Func<T, bool> same, CancellationToken ct)
        where T : class
    {
        var existing = await db.Set<T>().FirstOrDefaultAsync(key, ct);
        if (existing is null)
        {
            db.Add(row);
            try
            {
                await db.SaveChangesAsync(ct);
                return row;
            }
            catch (DbUpdateException)
            {
                // Registered concurrently: compare with the winner.
                db.ChangeTracker.Clear();
                existing = await db.Set<T>().FirstAsync(key, ct);
            }
        }

        return same(existing) ? existing : throw new PaymentsConflictException("It is already registered with other details.");
    }
}
