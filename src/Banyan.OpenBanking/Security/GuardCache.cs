using System.Collections.Concurrent;
using Banyan.OpenBanking.Storage;

namespace Banyan.OpenBanking.Security;

/// <summary>
/// What the resource guard reads on every call — the consent behind the token and the approved partner —
/// kept for at most <see cref="Lifetime"/> (decision 0620). Every consent transition in this process
/// (<c>Consents</c>: authorise, reject, revoke, consume) calls <see cref="InvalidateConsent"/> after its
/// database update, so a revoked consent is refused on the very next call here. A host that shares the
/// database with other hosts (PostgreSQL) sees their revocations within <see cref="Lifetime"/>. Callers
/// get copies: code that mutates a consent row (e.g. <c>Consents.ConsumeAsync</c>) cannot change the cache.
/// </summary>
internal sealed class GuardCache(TimeProvider time)
{
    /// <summary>How long a row read from the database is trusted without another read (bounds staleness across hosts).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<string, (ConsentRow Row, long Until)> _consents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (PartnerRow Row, long Until)> _partners = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>Read before a database read and passed to <see cref="StoreConsent"/>, so a fill that raced an invalidation is dropped.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public ConsentRow? FindConsent(string id) =>
        _consents.TryGetValue(id, out var hit) && hit.Until > Now() ? Copy(hit.Row) : null;

    public void StoreConsent(ConsentRow row, long generation)
    {
        Trim(_consents);
        _consents[row.Id] = (Copy(row), Now() + (long)Lifetime.TotalMilliseconds);

        // An invalidation between the caller's read and this store may concern this row: forget it (the next call reads again).
        if (Generation != generation)
        {
            _consents.TryRemove(row.Id, out _);
        }
    }

    /// <summary>Called after a consent's row changed in the database: the next guard check reads it again.</summary>
    public void InvalidateConsent(string id)
    {
        Interlocked.Increment(ref _generation);
        _consents.TryRemove(id, out _);
    }

    /// <summary>Only approved partners are kept (approval is one-way; a pending partner is read again every call).</summary>
    public PartnerRow? FindApprovedPartner(string clientId) =>
        _partners.TryGetValue(clientId, out var hit) && hit.Until > Now() ? hit.Row : null;

    public void StoreApprovedPartner(PartnerRow row)
    {
        if (row.Status != "approved")
        {
            return;
        }

        Trim(_partners);
        _partners[row.ClientId] = (row, Now() + (long)Lifetime.TotalMilliseconds);
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static void Trim<T>(ConcurrentDictionary<string, T> map)
    {
        if (map.Count >= Capacity)
        {
            map.Clear();
        }
    }

    /// <summary>A field-by-field copy (ConsentRow is a mutable EF entity).</summary>
    internal static ConsentRow Copy(ConsentRow c) => new()
    {
        Id = c.Id,
        Kind = c.Kind,
        ClientId = c.ClientId,
        CustomerId = c.CustomerId,
        Status = c.Status,
        Permissions = c.Permissions,
        Accounts = c.Accounts,
        ExpiresAtUnixMs = c.ExpiresAtUnixMs,
        MaxUnattendedCallsPerDay = c.MaxUnattendedCallsPerDay,
        UnattendedDay = c.UnattendedDay,
        UnattendedCalls = c.UnattendedCalls,
        CreditorAccountId = c.CreditorAccountId,
        AmountMinor = c.AmountMinor,
        Currency = c.Currency,
        Reference = c.Reference,
        CreatedAtUnixMs = c.CreatedAtUnixMs,
        UpdatedAtUnixMs = c.UpdatedAtUnixMs,
    };
}
