using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Payments.Contracts;
using Banyan.Payments.Retail;
using Banyan.Payments.Wallets;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Tests;

/// <summary>Merchants, coupons, programmes and funded customers on a real host, through the module's services.</summary>
internal sealed class RetailScene(PaymentsHost host)
{
    public static readonly Currency Cny = Currencies.Cny;
    private int _next;

    public PaymentsHost Host => host;

    public async Task<ProgrammeRow> ProgrammeAsync(int rateBps = 100, int expiryDays = 365, bool care = false, string? name = null) =>
        await host.Get<Catalog>().CreateProgrammeAsync(new ProgrammeRequest(name ?? "prog-" + Next(), Cny, rateBps, new Dictionary<string, int> { ["5411"] = rateBps * 2 }, expiryDays, care), default);

    public async Task<MerchantRow> MerchantAsync(string mcc = "5411", int feeBps = 60, long? programme = null) =>
        await host.Get<Catalog>().RegisterMerchantAsync(new MerchantRequest("m-" + Next(), "Shop " + _next, mcc, Cny, feeBps, programme), default);

    public async Task<CouponRow> CouponAsync(string kind = "amount_off", long value = 1_000, long budget = 100_000, long minSpend = 0, int perCustomer = 5, long cap = 0,
        DateTimeOffset? from = null, DateTimeOffset? until = null)
    {
        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        return await host.Get<Catalog>().CreateCouponAsync(new CouponRequest("C" + Next(), Cny, kind, value, cap, minSpend, from ?? now.AddDays(-1), until ?? now.AddDays(30), perCustomer, budget), default);
    }

    public async Task<CustomerAccount> CustomerAsync(long funds)
    {
        var accounts = host.Get<ICustomerAccounts>();
        var account = await accounts.OpenAsync("cust-" + Next(), Cny, default);
        if (funds > 0) Assert.True((await accounts.DepositAsync(account.AccountId, funds, "fund-" + account.AccountId, default)).Succeeded);
        return account;
    }

    public Task<TapResult> TapAsync(UInt128 payer, MerchantRow merchant, long amount, string? coupon = null, long points = 0, string? paymentId = null) =>
        host.Get<TapToPay>().PayAsync(new TapRequest("test", paymentId ?? "p-" + Next(), merchant.MerchantId, amount, Cny, payer, coupon, points), default);

    public async Task<long> BalanceAsync(UInt128 account)
    {
        var found = await host.Get<LedgerEngine>().LookupAccountsAsync(new[] { account });
        return found.Length == 0 ? 0 : checked((long)found[0].CreditsPosted - (long)found[0].DebitsPosted);
    }

    public Task<long> MerchantBalanceAsync(MerchantRow m) => BalanceAsync(PaymentsChart.Party(PaymentAccountKind.Merchant, m.Id));

    public Task<long> CouponBudgetAsync(CouponRow c) => BalanceAsync(PaymentsChart.Party(PaymentAccountKind.CouponFunding, c.Id));

    public async Task<long> UsablePointsAsync(string holder) => (await host.Get<PointsBook>().BalancesAsync(holder, default)).Sum(b => b.Usable);

    public async Task<int> RedemptionsAsync(CouponRow c)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<CouponRedemptionRow>().CountAsync(r => r.CouponId == c.Id);
    }

    /// <summary>Everything a decline must leave untouched, in one comparable value.</summary>
    public async Task<string> StateAsync(CustomerAccount customer, MerchantRow merchant, CouponRow? coupon)
    {
        return string.Join('|', await BalanceAsync(customer.AccountId), await MerchantBalanceAsync(merchant), coupon is null ? 0 : await CouponBudgetAsync(coupon),
            coupon is null ? 0 : await RedemptionsAsync(coupon), await UsablePointsAsync(customer.CustomerId), await BalanceAsync(PaymentsChart.Bank(PaymentAccountKind.FeeIncome, Cny)));
    }

    public async Task<WalletView> WalletAsync(string tier = "phone", bool elderly = false, long funds = 0)
    {
        var wallets = host.Get<WalletBook>();
        var w = await wallets.OpenAsync("holder-" + Next(), tier, elderly, default);
        if (funds > 0) Assert.True((await wallets.TopUpAsync("test", w.AccountId, "seed-" + w.AccountId, funds, default)).Completed);
        return (await wallets.FindAsync(w.AccountId, default))!;
    }

    private string Next() => Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
