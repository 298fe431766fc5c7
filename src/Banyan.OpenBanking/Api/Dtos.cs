using System.Text.Json;

namespace Banyan.OpenBanking.Api;

/// <summary>Admin: register a partner (third-party provider).</summary>
internal sealed record RegisterPartner(string Name, IReadOnlyList<string> RedirectUris, IReadOnlyList<string> Scopes, JsonElement Jwks, bool Sandbox = true, bool RequireJwsSignature = false);

/// <summary>A partner as operators see it.</summary>
internal sealed record PartnerView(string PartnerId, string Name, string Status, bool Sandbox, string ClientId, IReadOnlyList<string> Scopes, IReadOnlyList<string> RedirectUris,
    bool RequireJwsSignature, IReadOnlyList<string> ChecklistDone, IReadOnlyList<string> ChecklistMissing, DateTimeOffset CreatedAt, DateTimeOffset? ApprovedAt);

/// <summary>Admin: generate a sandbox test customer with a funded account.</summary>
internal sealed record CreateSandboxCustomer(string Currency = "CNY", long DepositMinor = 1_000_000);

/// <summary>
/// A generated sandbox customer; the password, TOTP secret and recovery codes are shown once (sandbox only: test
/// data). The recovery codes are stored only hashed and never logged.
/// </summary>
internal sealed record SandboxCustomerView(string CustomerId, string UserName, string Password, string TotpSecret, string AccountId, string Currency, long BalanceMinor,
    IReadOnlyList<string> RecoveryCodes);

/// <summary>Partner: ask for access to a customer's account information.</summary>
internal sealed record CreateAccountAccessConsent(IReadOnlyList<string> Permissions, DateTimeOffset? ExpiresAt = null, int MaxUnattendedCallsPerDay = 4);

/// <summary>Partner: ask a customer to authorise one domestic payment.</summary>
internal sealed record CreateDomesticPaymentConsent(string CreditorAccountId, long AmountMinor, string Currency, string? Reference = null);

/// <summary>A consent (account access or domestic payment).</summary>
internal sealed record ConsentView(string ConsentId, string Kind, string Status, string ClientId, IReadOnlyList<string> Permissions, DateTimeOffset ExpiresAt,
    int MaxUnattendedCallsPerDay, string? CreditorAccountId, long? AmountMinor, string? Currency, string? Reference, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A customer account shared under a consent.</summary>
internal sealed record AccountView(string AccountId, string Currency, DateTimeOffset OpenedAt);

/// <summary>Account list.</summary>
internal sealed record AccountList(IReadOnlyList<AccountView> Accounts);

/// <summary>An account's balances, minor units of its currency, from the ledger.</summary>
internal sealed record BalanceView(string AccountId, string Currency, long AvailableMinor, long PostedMinor);

/// <summary>One ledger transfer touching the account.</summary>
internal sealed record TransactionView(string TransactionId, string CreditDebit, long AmountMinor, string Currency, string Timestamp, int Code);

/// <summary>A page of transactions; pass <c>next_after</c> as <c>after</c> for the next page.</summary>
internal sealed record TransactionPage(string AccountId, IReadOnlyList<TransactionView> Transactions, string? NextAfter);

/// <summary>Partner: execute the payment a consent authorised.</summary>
internal sealed record CreateDomesticPayment(string ConsentId);

/// <summary>A domestic payment.</summary>
internal sealed record PaymentView(string PaymentId, string ConsentId, string Status, string? LedgerTransferId, string? Reason, long AmountMinor, string Currency, DateTimeOffset CreatedAt);

/// <summary>Whether the debtor account of a payment consent can cover it now.</summary>
internal sealed record FundsConfirmationView(string ConsentId, bool FundsAvailable, DateTimeOffset CheckedAt);
