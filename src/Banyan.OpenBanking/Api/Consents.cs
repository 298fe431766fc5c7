using System.Security.Cryptography;
using Banyan.OpenBanking.Storage;
using Banyan.Platform.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Api;

/// <summary>
/// Consent lifecycle (issue 5 item 4). Account access: <c>awaiting_authorisation → authorised | rejected</c>,
/// then <c>revoked</c> by the customer or partner, or past <c>expires_at</c>. Domestic payment:
/// <c>awaiting_authorisation → authorised | rejected → consumed</c>. Every transition is a conditional update
/// (from the expected state only) and an audit entry.
/// </summary>
internal sealed class Consents(IServiceScopeFactory scopes, TimeProvider time, IAuditLog audit, Security.GuardCache? guardCache = null)
{
    public const string AccountAccess = "account_access";
    public const string DomesticPayment = "domestic_payment";
    public static readonly string[] AccessPermissions = ["read_accounts", "read_balances", "read_transactions"];
    public static readonly TimeSpan MaxAccessLifetime = TimeSpan.FromDays(90);
    public static readonly TimeSpan PaymentLifetime = TimeSpan.FromHours(24);
    public const int MaxUnattendedPerDay = 100;

    public async Task<ConsentRow> CreateAsync(ConsentRow row, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        row.Id = (row.Kind == AccountAccess ? "aac_" : "pdc_") + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        row.Status = ConsentStatus.Awaiting;
        row.CreatedAtUnixMs = row.UpdatedAtUnixMs = now;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        db.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        await AuditAsync("consent_created", row.ClientId, row, cancellationToken);
        return row;
    }

    public async Task<ConsentRow?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (id.Length > 40)
        {
            return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<ConsentRow>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
    }

    public async Task<IReadOnlyList<ConsentRow>> ListForCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<ConsentRow>().AsNoTracking()
            .Where(c => c.CustomerId == customerId).OrderByDescending(c => c.CreatedAtUnixMs).Take(200).ToListAsync(cancellationToken);
    }

    /// <summary>Whether the consent may be used now (authorised and not expired).</summary>
    public bool IsActive(ConsentRow consent) =>
        consent.Status == ConsentStatus.Authorised && consent.ExpiresAtUnixMs > time.GetUtcNow().ToUnixTimeMilliseconds();

    public Task<bool> AuthoriseAsync(ConsentRow consent, string customerId, IReadOnlyList<string> accounts, CancellationToken cancellationToken) =>
        MoveAsync(consent, [ConsentStatus.Awaiting], ConsentStatus.Authorised, customerId, "consent_authorised", customerId, string.Join(' ', accounts), cancellationToken);

    public Task<bool> RejectAsync(ConsentRow consent, string customerId, CancellationToken cancellationToken) =>
        MoveAsync(consent, [ConsentStatus.Awaiting], ConsentStatus.Rejected, customerId, "consent_rejected", customerId, null, cancellationToken);

    /// <summary>Revokes an account-access consent (customer or partner). Payment consents cannot be revoked once consumed.</summary>
    public Task<bool> RevokeAsync(ConsentRow consent, string actor, CancellationToken cancellationToken) =>
        MoveAsync(consent, [ConsentStatus.Awaiting, ConsentStatus.Authorised], ConsentStatus.Revoked, null, "consent_revoked", actor, null, cancellationToken);

    public Task<bool> ConsumeAsync(ConsentRow consent, CancellationToken cancellationToken) =>
        MoveAsync(consent, [ConsentStatus.Authorised], ConsentStatus.Consumed, null, "consent_consumed", consent.ClientId, null, cancellationToken);

    /// <summary>
    /// Counts one call made without the customer present against the consent's daily allowance; false when
    /// the allowance is used up (the call must be refused).
    /// </summary>
    public async Task<bool> TryCountUnattendedAsync(ConsentRow consent, CancellationToken cancellationToken)
    {
        var day = time.GetUtcNow().ToUnixTimeSeconds() / 86_400;
        await using var scope = scopes.CreateAsyncScope();
        var set = scope.ServiceProvider.GetRequiredService<DbContext>().Set<ConsentRow>();
        // A new day resets the counter; then one conditional increment decides atomically.
        await set.Where(c => c.Id == consent.Id && c.UnattendedDay != day)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UnattendedDay, day).SetProperty(c => c.UnattendedCalls, 0), cancellationToken);
        var counted = await set.Where(c => c.Id == consent.Id && c.UnattendedDay == day && c.UnattendedCalls < c.MaxUnattendedCallsPerDay)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UnattendedCalls, c => c.UnattendedCalls + 1), cancellationToken);
        return counted == 1;
    }

    private async Task<bool> MoveAsync(ConsentRow consent, string[] from, string to, string? customerId, string action, string actor, string? accounts, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken); // the partner's event commits with the transition (outbox)
        var set = db.Set<ConsentRow>();
        var query = set.Where(c => c.Id == consent.Id && from.Contains(c.Status));
        var changed = customerId is null
            ? await query.ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, to).SetProperty(c => c.UpdatedAtUnixMs, now), cancellationToken)
            : await query.ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, to).SetProperty(c => c.UpdatedAtUnixMs, now)
                .SetProperty(c => c.CustomerId, customerId).SetProperty(c => c.Accounts, accounts ?? consent.Accounts), cancellationToken);
        // Whatever the outcome, the row may differ from what the resource guard cached (decision 0620).
        guardCache?.InvalidateConsent(consent.Id);
        if (changed != 1)
        {
            return false;
        }

        consent.Status = to;
        consent.UpdatedAtUnixMs = now;
        consent.CustomerId = customerId ?? consent.CustomerId;
        consent.Accounts = accounts ?? consent.Accounts;
        await Events.EventOutbox.StageConsentAsync(scope.ServiceProvider, db, action, consent, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await AuditAsync(action, actor, consent, cancellationToken);
        return true;
    }

    private ValueTask<long> AuditAsync(string action, string actor, ConsentRow consent, CancellationToken cancellationToken) =>
        audit.AppendAsync(new AuditEntry("consent", action, actor, consent.Id, "succeeded", new Dictionary<string, string>
        {
            ["kind"] = consent.Kind,
            ["client_id"] = consent.ClientId,
            ["status"] = consent.Status,
            ["customer_id"] = consent.CustomerId ?? "",
        }), cancellationToken);

    public static ConsentView View(ConsentRow c) => new(
        c.Id, c.Kind, c.Status, c.ClientId, c.Permissions.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        DateTimeOffset.FromUnixTimeMilliseconds(c.ExpiresAtUnixMs), c.MaxUnattendedCallsPerDay, c.CreditorAccountId,
        c.Kind == DomesticPayment ? c.AmountMinor : null, c.Currency, c.Reference,
        DateTimeOffset.FromUnixTimeMilliseconds(c.CreatedAtUnixMs), DateTimeOffset.FromUnixTimeMilliseconds(c.UpdatedAtUnixMs));
}
