using Banyan.Platform.Money;

namespace Banyan.Payments.Contracts;

/// <summary>
/// Customers' current accounts: one ledger account per customer and currency, opened on request
/// (idempotent) and funded from the bank's settlement account. Used by open banking (embedded
/// onboarding, account resources) and by every payment flow. Balances are the ledger's.
/// </summary>
public interface ICustomerAccounts
{
    /// <summary>Opens (or returns the existing) account of <paramref name="customerId"/> in <paramref name="currency"/>.</summary>
    /// <exception cref="ArgumentException">The customer id is empty or longer than 64 characters.</exception>
    ValueTask<CustomerAccount> OpenAsync(string customerId, Currency currency, CancellationToken cancellationToken);

    /// <summary>Every account of the customer, with current balances; empty when the customer has none.</summary>
    ValueTask<IReadOnlyList<CustomerAccount>> ListAsync(string customerId, CancellationToken cancellationToken);

    /// <summary>The account with this ledger id, with its current balance, or <see langword="null"/>.</summary>
    ValueTask<CustomerAccount?> FindAsync(UInt128 accountId, CancellationToken cancellationToken);

    /// <summary>
    /// Credits <paramref name="amount"/> minor units to the account from the bank's settlement account (a cash
    /// deposit, salary, sandbox funding). Idempotent by <paramref name="depositId"/>.
    /// </summary>
    ValueTask<PaymentOutcome> DepositAsync(UInt128 accountId, long amount, string depositId, CancellationToken cancellationToken);
}

/// <summary>A customer's account as other modules see it.</summary>
/// <param name="AccountId">The ledger account id.</param>
/// <param name="CustomerId">The owning customer.</param>
/// <param name="Currency">Currency (its ledger number is the account's ledger).</param>
/// <param name="Available">Posted credits minus posted and pending debits, minor units.</param>
/// <param name="Posted">Posted credits minus posted debits, minor units.</param>
/// <param name="OpenedAt">When the account was opened.</param>
public sealed record CustomerAccount(UInt128 AccountId, string CustomerId, Currency Currency, long Available, long Posted, DateTimeOffset OpenedAt);

/// <summary>Result of a money movement request.</summary>
/// <param name="Status">Completed or rejected.</param>
/// <param name="LedgerTransferId">The ledger transfer that moved the money (zero when rejected before posting).</param>
/// <param name="Reason">Machine-readable rejection reason (snake_case), e.g. <c>insufficient_funds</c>, <c>limit_exceeded</c>.</param>
/// <param name="Detail">Human-readable explanation of a rejection.</param>
public sealed record PaymentOutcome(PaymentStatus Status, UInt128 LedgerTransferId, string? Reason = null, string? Detail = null)
{
    /// <summary>Whether the money moved.</summary>
    public bool Succeeded => Status == PaymentStatus.Completed;
}

/// <summary>Final state of a money movement.</summary>
public enum PaymentStatus
{
    /// <summary>Posted to the ledger.</summary>
    Completed = 1,

    /// <summary>Refused; nothing moved.</summary>
    Rejected = 2,
}
