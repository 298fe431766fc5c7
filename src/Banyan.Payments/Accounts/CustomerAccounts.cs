using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Contracts;
using Banyan.Payments.Domestic;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Accounts;

/// <summary>
/// <see cref="ICustomerAccounts"/>: the registration row first (its id is the account's sequence), then the
/// ledger account (idempotent: an interrupted open is completed by the next open of the same customer).
/// </summary>
internal sealed class CustomerAccounts(LedgerEngine ledger, IServiceScopeFactory scopes, TimeProvider time, MoneyMover mover) : ICustomerAccounts
{
    internal const int MaxCustomerId = 64;

    public async ValueTask<CustomerAccount> OpenAsync(string customerId, Currency currency, CancellationToken cancellationToken)
    {
        CheckCustomerId(customerId);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var row = await db.Set<CustomerAccountRow>().FirstOrDefaultAsync(r => r.CustomerId == customerId && r.Ledger == (int)currency.Ledger, cancellationToken);
        if (row is null)
        {
            row = new CustomerAccountRow { CustomerId = customerId, Ledger = (int)currency.Ledger, OpenedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds() };
            db.Add(row);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another request opened it first: use theirs.
                db.ChangeTracker.Clear();
                row = await db.Set<CustomerAccountRow>().FirstAsync(r => r.CustomerId == customerId && r.Ledger == (int)currency.Ledger, cancellationToken);
            }

            if (row.AccountId.Length == 0)
            {
                row.AccountId = PaymentsChart.CustomerAccount(row.Id).ToString(CultureInfo.InvariantCulture);
                await db.SaveChangesAsync(cancellationToken);
            }
        }

        var account = PaymentsChart.NewCustomerAccount(row.Id, currency);
        var result = (await ledger.CreateAccountsAsync(new[] { account }, cancellationToken))[0];
        if (result is not (CreateAccountResult.Created or CreateAccountResult.Exists))
        {
            throw new InvalidOperationException($"The ledger refused customer account {account.Id}: {result.Name()}.");
        }

        return (await FindAsync(account.Id, cancellationToken))!;
    }

    public async ValueTask<IReadOnlyList<CustomerAccount>> ListAsync(string customerId, CancellationToken cancellationToken)
    {
        CheckCustomerId(customerId);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var rows = await db.Set<CustomerAccountRow>().AsNoTracking().Where(r => r.CustomerId == customerId && r.AccountId != "").OrderBy(r => r.Id).ToListAsync(cancellationToken);
        return await WithBalancesAsync(rows, cancellationToken);
    }

    public async ValueTask<CustomerAccount?> FindAsync(UInt128 accountId, CancellationToken cancellationToken)
    {
        if (!PaymentsChart.IsCustomerAccount(accountId))
        {
            return null;
        }

        var text = accountId.ToString(CultureInfo.InvariantCulture);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var row = await db.Set<CustomerAccountRow>().AsNoTracking().FirstOrDefaultAsync(r => r.AccountId == text, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var list = await WithBalancesAsync([row], cancellationToken);
        return list.Count == 0 ? null : list[0];
    }

    public async ValueTask<PaymentOutcome> DepositAsync(UInt128 accountId, long amount, string depositId, CancellationToken cancellationToken)
    {
        var account = await FindAsync(accountId, cancellationToken) ?? throw new ArgumentException($"Account {accountId} is not a customer account.", nameof(accountId));
        return await mover.DepositAsync(account, amount, depositId, cancellationToken);
    }

    private async Task<IReadOnlyList<CustomerAccount>> WithBalancesAsync(List<CustomerAccountRow> rows, CancellationToken cancellationToken)
    {
        var ids = rows.Select(r => UInt128.Parse(r.AccountId, CultureInfo.InvariantCulture)).ToArray();
        var found = (await ledger.LookupAccountsAsync(ids, cancellationToken)).ToDictionary(a => a.Id);
        var result = new List<CustomerAccount>(rows.Count);
        foreach (var (row, id) in rows.Zip(ids))
        {
            // A row without its ledger account is an interrupted open; it shows once the next open completes it.
            if (found.TryGetValue(id, out var a) && Currencies.TryGetByLedger(a.Ledger, out var currency))
            {
                result.Add(new CustomerAccount(id, row.CustomerId, currency, Balances.Available(a), Balances.Posted(a), DateTimeOffset.FromUnixTimeMilliseconds(row.OpenedAtUnixMs)));
            }
        }

        return result;
    }

    private static void CheckCustomerId(string customerId)
    {
        if (string.IsNullOrWhiteSpace(customerId) || customerId.Length > MaxCustomerId)
        {
            throw new ArgumentException($"A customer id is 1–{MaxCustomerId} characters.", nameof(customerId));
        }
    }
}

/// <summary>Balance arithmetic on ledger accounts of the "credit-normal" kind (customer liabilities), checked.</summary>
internal static class Balances
{
    public static long Posted(in Account a) => checked((long)a.CreditsPosted - (long)a.DebitsPosted);

    public static long Available(in Account a) => checked((long)a.CreditsPosted - (long)a.DebitsPosted - (long)a.DebitsPending);
}
