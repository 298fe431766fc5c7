using System.Collections.Concurrent;
using System.Security.Claims;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Validation.OpenIddictValidationEvents;

namespace Banyan.OpenBanking.Security;

/// <summary>
/// Validated access tokens → their principal, until the token's own expiry (decision 0620). A partner sends the
/// same JWT with every call for its lifetime; its signature, issuer, type and audience do not change, so they are
/// checked once. Keyed by the token itself: the dictionary finds the entry by a fast hash and then compares the whole
/// token string, so two tokens can never share an entry (decision 0620, third pass: hashing each token with SHA-256 per
/// call cost more than the rest of the lookup; the price is that cached tokens stay in memory until they expire, as
/// they do in every request that carries them). What a hit skips is only
/// <c>ValidateIdentityModelToken</c> (parse + signature): OpenIddict's later checks (principal, token type,
/// expiry, audience, presenters) still run on every call, and so does the per-request DPoP proof of a bound
/// token (<c>cnf.jkt</c>, <c>ath</c>, <c>htm</c>/<c>htu</c>, <c>jti</c>), which is not part of this cache.
/// Each hit gets its own copy of the principal, so a request cannot change what the next one sees.
/// </summary>
internal sealed class AccessTokenCache(TimeProvider time)
{
    /// <summary>Tokens kept at most; beyond this the cache starts over (bounded memory, never a wrong answer).</summary>
    public const int Capacity = 50_000;

    /// <summary>Longest token cached (a JWT with many claims is a few KiB).</summary>
    public const int MaxTokenLength = 16_384;

    private const string MissProperty = ".banyan_token_cache_miss";
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _hits;
    private long _misses;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public int Count => _entries.Count;

    /// <summary>A copy of the cached principal of <paramref name="token"/>, or null when unknown or expired.</summary>
    public ClaimsPrincipal? Find(string token)
    {
        if (token.Length > MaxTokenLength || !_entries.TryGetValue(token, out var entry))
        {
            return null;
        }

        if (entry.ExpiresAt <= time.GetUtcNow())
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(token, entry));
            return null;
        }

        return Copy(entry.Principal);
    }

    /// <summary>Remembers a fully validated principal; tokens without an expiry are never cached.</summary>
    public void Store(string token, ClaimsPrincipal principal)
    {
        if (token.Length > MaxTokenLength || principal.GetExpirationDate() is not { } expires || expires <= time.GetUtcNow())
        {
            return;
        }

        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        _entries[token] = new Entry(Copy(principal), expires);
    }

    // ClaimsPrincipal.Clone shares the identities (and so their claim lists): copy each identity as well.
    private static ClaimsPrincipal Copy(ClaimsPrincipal principal) => new(principal.Identities.Select(identity => identity.Clone()));

    private sealed record Entry(ClaimsPrincipal Principal, DateTimeOffset ExpiresAt);

    private static bool IsAccessToken(ValidateTokenContext context) =>
        context.ValidTokenTypes.Count == 1 && context.ValidTokenTypes.Contains(TokenTypeIdentifiers.AccessToken) && !string.IsNullOrEmpty(context.Token);

    /// <summary>Before the signature check: attach the cached principal, so <c>ValidateIdentityModelToken</c> leaves it as it is.</summary>
    internal sealed class Lookup(AccessTokenCache cache) : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public static OpenIddictValidationHandlerDescriptor Descriptor { get; } = OpenIddictValidationHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<Lookup>()
            .SetOrder(OpenIddictValidationHandlers.Protection.ValidateIdentityModelToken.Descriptor.Order - 500)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (context.Principal is not null || !IsAccessToken(context))
            {
                return ValueTask.CompletedTask;
            }

            if (cache.Find(context.Token!) is { } principal)
            {
                Interlocked.Increment(ref cache._hits);
                context.Principal = principal;
            }
            else
            {
                Interlocked.Increment(ref cache._misses);
                context.Transaction.Properties[MissProperty] = true;
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>After every built-in check passed (a rejection stops the pipeline before this): remember the principal.</summary>
    internal sealed class Remember(AccessTokenCache cache) : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public static OpenIddictValidationHandlerDescriptor Descriptor { get; } = OpenIddictValidationHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<Remember>()
            .SetOrder(int.MaxValue - 100_000)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (!context.IsRejected && context.Principal is { } principal && IsAccessToken(context) && context.Transaction.Properties.Remove(MissProperty))
            {
                cache.Store(context.Token!, principal);
            }

            return ValueTask.CompletedTask;
        }
    }
}
