using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Security;
using Banyan.OpenBanking.Storage;
using Microsoft.AspNetCore.Http;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.OpenBanking.Tests;

/// <summary>The read-path caches (decision 0620) never answer differently from the database and the token itself.</summary>
public sealed class ReadPathCacheTests(OpenBankingFixture f) : IClassFixture<OpenBankingFixture>
{
    private const string Accounts = "/v1/open-banking/accounts";
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_revoked_consent_is_refused_on_the_very_next_call_although_it_was_cached()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var (token, consent) = await f.CustomerTokenAsync(f.A, customer, OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions(unattended: 100));
        var partnerToken = await f.A.ClientCredentialsAsync(OpenBankingScopes.Accounts);
        Assert.Equal(HttpStatusCode.OK, (await f.A.CallAsync(HttpMethod.Get, Accounts, token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.A.CallAsync(HttpMethod.Get, Accounts, token)).StatusCode);
        var cache = f.Host.Get<GuardCache>();
        Assert.Equal("authorised", cache.FindConsent(consent.ConsentId)?.Status);
        var generation = cache.Generation;

        var revoked = await f.A.CallAsync(HttpMethod.Delete, $"/v1/open-banking/account-access-consents/{consent.ConsentId}", partnerToken);
        var next = await f.A.CallAsync(HttpMethod.Get, Accounts, token);

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        // The revocation itself invalidated the cache (not merely the one-second lifetime running out on a slow machine).
        Assert.True(cache.Generation > generation);
        Assert.Equal(HttpStatusCode.Forbidden, next.StatusCode);
        Assert.Contains("open-banking/consent-not-active", await next.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cached_token_presented_with_another_keys_DPoP_proof_is_refused()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var (token, _) = await f.CustomerTokenAsync(f.A, customer, OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions(unattended: 100));
        var url = new Uri(f.A.BaseAddress, Accounts);
        using var thief = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var cache = f.Host.Get<AccessTokenCache>();
        Assert.Equal(HttpStatusCode.OK, (await f.A.CallAsync(HttpMethod.Get, Accounts, token)).StatusCode);
        var hits = cache.Hits;
        Assert.Equal(HttpStatusCode.OK, (await f.A.CallAsync(HttpMethod.Get, Accounts, token)).StatusCode);
        Assert.True(cache.Hits > hits, "the second call should have found the token in the cache");

        var stolen = await f.A.CallAsync(HttpMethod.Get, Accounts, token, tweak: r =>
        {
            r.Headers.Remove("DPoP");
            r.Headers.Add("DPoP", f.A.Proof(HttpMethod.Get, url, token, thief));
        });

        Assert.Equal(HttpStatusCode.Unauthorized, stolen.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.A.CallAsync(HttpMethod.Get, Accounts, token)).StatusCode);
    }

    [Fact]
    public void An_expired_token_is_not_answered_from_the_cache()
    {
        var clock = new ManualClock(T0);
        var cache = new AccessTokenCache(clock);
        cache.Store("token-a", Principal(T0.AddMinutes(5)));

        Assert.Equal("partner-a", cache.Find("token-a")?.GetClaim(Claims.Subject));
        Assert.Null(cache.Find("token-b"));
        clock.Now = T0.AddMinutes(5);
        Assert.Null(cache.Find("token-a"));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Tokens_without_expiry_or_already_expired_are_never_cached_and_hits_are_private_copies()
    {
        var clock = new ManualClock(T0);
        var cache = new AccessTokenCache(clock);
        cache.Store("no-exp", new ClaimsPrincipal(new ClaimsIdentity([new Claim(Claims.Subject, "p")], "test")));
        cache.Store("expired", Principal(T0.AddSeconds(-1)));
        cache.Store("good", Principal(T0.AddMinutes(1)));

        Assert.Null(cache.Find("no-exp"));
        Assert.Null(cache.Find("expired"));
        var first = cache.Find("good")!;
        ((ClaimsIdentity)first.Identity!).AddClaim(new Claim("injected", "x"));
        Assert.Null(cache.Find("good")!.FindFirst("injected"));
    }

    [Fact]
    public void A_consent_read_that_raced_an_invalidation_is_not_kept()
    {
        var cache = new GuardCache(new ManualClock(T0));
        var row = new ConsentRow { Id = "aac_1", Status = ConsentStatus.Authorised };
        var before = cache.Generation;

        cache.InvalidateConsent("aac_1");
        cache.StoreConsent(row, before);

        Assert.Null(cache.FindConsent("aac_1"));
        cache.StoreConsent(row, cache.Generation);
        Assert.Equal(ConsentStatus.Authorised, cache.FindConsent("aac_1")?.Status);
    }

    [Fact]
    public void Cached_consents_are_copies_and_expire_after_their_lifetime()
    {
        var clock = new ManualClock(T0);
        var cache = new GuardCache(clock);
        cache.StoreConsent(new ConsentRow { Id = "aac_2", Status = ConsentStatus.Authorised }, cache.Generation);

        cache.FindConsent("aac_2")!.Status = ConsentStatus.Consumed;

        Assert.Equal(ConsentStatus.Authorised, cache.FindConsent("aac_2")?.Status);
        clock.Now = T0 + GuardCache.Lifetime;
        Assert.Null(cache.FindConsent("aac_2"));
    }

    [Fact]
    public void The_consent_copy_carries_every_property()
    {
        var row = new ConsentRow();
        foreach (var property in typeof(ConsentRow).GetProperties())
        {
            property.SetValue(row, property.PropertyType == typeof(string) ? "v-" + property.Name
                : property.PropertyType == typeof(long) ? 7L : property.PropertyType == typeof(int) ? 3 : property.GetValue(row));
        }

        var copy = GuardCache.Copy(row);

        Assert.NotSame(row, copy);
        Assert.All(typeof(ConsentRow).GetProperties(), p => Assert.Equal(p.GetValue(row), p.GetValue(copy)));
    }

    [Fact]
    public void A_DPoP_proof_replayed_in_memory_is_refused_and_expired_ones_are_forgotten()
    {
        var window = new ReplayWindow();
        var now = T0.ToUnixTimeMilliseconds();

        Assert.True(window.TryUse(42, now + 120_000, now));
        Assert.False(window.TryUse(42, now + 120_000, now + 1_000));
        Assert.True(window.TryUse(42, now + 400_000, now + 120_001));
        Assert.True(window.TryUse(7, now + 600_000, now + 300_000));
        Assert.False(window.TryUse(42, now + 500_000, now + 300_000));
        Assert.True(window.TryUse(9, now + 900_000, now + 500_000));
        Assert.Equal(2, window.Count);
    }

    [Fact]
    public void A_full_replay_window_hands_the_decision_to_the_database()
    {
        var window = new ReplayWindow(capacity: 2);
        var now = T0.ToUnixTimeMilliseconds();

        Assert.True(window.TryUse(1, now + 1_000, now));
        Assert.True(window.TryUse(2, now + 1_000, now));

        Assert.Null(window.TryUse(3, now + 1_000, now));
        Assert.False(window.TryUse(1, now + 1_000, now));
    }

    [Fact]
    public async Task DPoP_proofs_with_a_wrong_type_algorithm_key_or_signature_are_refused()
    {
        var validator = f.Host.Get<DPoPValidator>();
        var url = new Uri(f.A.BaseAddress, Accounts);
        var good = f.A.Proof(HttpMethod.Get, url, "t");
        var parts = good.Split('.');
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var foreignSignature = f.A.Proof(HttpMethod.Get, url, "t", other).Split('.')[2];
        string[] bad =
        [
            parts[0] + "." + parts[1] + "." + foreignSignature,
            parts[0] + "." + parts[1] + ".",
            Header("{\"typ\":\"JWT\",\"alg\":\"ES256\",\"jwk\":" + Jwk(parts[0]) + "}") + "." + parts[1] + "." + parts[2],
            Header("{\"typ\":\"dpop+jwt\",\"alg\":\"none\",\"jwk\":" + Jwk(parts[0]) + "}") + "." + parts[1] + "." + parts[2],
            Header("{\"typ\":\"dpop+jwt\",\"alg\":\"PS256\",\"jwk\":" + Jwk(parts[0]) + "}") + "." + parts[1] + "." + parts[2],
            "not-a-jws",
        ];

        Assert.NotNull(validator.Parse(good).Proof);
        foreach (var proof in bad)
        {
            var (parsed, error) = validator.Parse(proof);
            Assert.Null(parsed);
            Assert.NotNull(error);
        }

        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Scheme = url.Scheme;
        context.Request.Host = new HostString(url.Authority);
        context.Request.Path = Accounts;
        context.Request.Headers["DPoP"] = f.A.Proof(HttpMethod.Get, url, "t");
        Assert.Null((await validator.ValidateAsync(context.Request, "t", default)).Error);
        Assert.Equal("the DPoP proof was already used (jti replay)", (await validator.ValidateAsync(context.Request, "t", default)).Error);
    }

    private static string Header(string json) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(json);

    private static string Jwk(string encodedHeader)
    {
        using var header = System.Text.Json.JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(encodedHeader));
        return header.RootElement.GetProperty("jwk").GetRawText();
    }

    private static ClaimsPrincipal Principal(DateTimeOffset expires)
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(Claims.Subject, "partner-a")], "test"));
        return principal.SetExpirationDate(expires);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
