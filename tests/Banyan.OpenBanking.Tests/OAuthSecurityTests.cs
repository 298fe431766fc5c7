using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Sandbox;

namespace Banyan.OpenBanking.Tests;

public sealed class OAuthSecurityTests(OpenBankingFixture f) : IClassFixture<OpenBankingFixture>
{
    private const string Accounts = "/v1/open-banking/accounts";

    [Fact]
    public async Task A_TOTP_code_is_never_accepted_twice()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var code = customer.Code(DateTimeOffset.UtcNow);
        using var first = f.Host.NewBrowser();
        using var second = f.Host.NewBrowser();

        var accepted = await LoginAsync(first, customer, code);
        var replayed = await LoginAsync(second, customer, code);

        Assert.Equal(HttpStatusCode.Redirect, accepted);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed);
    }

    [Fact]
    public async Task A_wrong_password_or_code_does_not_log_in()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        using var browser = f.Host.NewBrowser();
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(browser, customer with { Password = customer.Password + "x" }, customer.Code(DateTimeOffset.UtcNow)));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(browser, customer, "12345"));
    }

    [Fact]
    public async Task An_authorization_code_is_single_use()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var consent = await SandboxFlow.CreateConsentAsync(f.A, "/v1/open-banking/account-access-consents", OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions());
        using var browser = f.Host.NewBrowser();
        var result = await SandboxFlow.AuthorizeAsync(f.A, browser, customer, OpenBankingScopes.Accounts, consent.ConsentId, TimeProvider.System);

        var (first, _) = await f.A.ExchangeCodeAsync(result.Code!, result.Verifier);
        var (second, body) = await f.A.ExchangeCodeAsync(result.Code!, result.Verifier);

        Assert.Equal(HttpStatusCode.OK, first);
        Assert.Equal(HttpStatusCode.BadRequest, second);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_code_exchange_needs_a_DPoP_proof_and_the_right_PKCE_verifier()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var consent = await SandboxFlow.CreateConsentAsync(f.A, "/v1/open-banking/account-access-consents", OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions());
        using var browser = f.Host.NewBrowser();
        var result = await SandboxFlow.AuthorizeAsync(f.A, browser, customer, OpenBankingScopes.Accounts, consent.ConsentId, TimeProvider.System);
        var fields = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = result.Code!, ["redirect_uri"] = PartnerAgent.RedirectUri, ["code_verifier"] = result.Verifier };

        var (noProof, noProofBody) = await f.A.PostFormAsync("/connect/token", fields, dpop: false);
        Assert.Equal(HttpStatusCode.BadRequest, noProof);
        Assert.Equal("invalid_dpop_proof", noProofBody.GetProperty("error").GetString());

        // The code was burnt by that attempt; a fresh one with a wrong verifier is refused by PKCE.
        var again = await SandboxFlow.CreateConsentAsync(f.A, "/v1/open-banking/account-access-consents", OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions());
        var second = await SandboxFlow.AuthorizeAsync(f.A, browser, customer, OpenBankingScopes.Accounts, again.ConsentId, TimeProvider.System);
        var (wrongVerifier, body) = await f.A.ExchangeCodeAsync(second.Code!, PartnerAgent.Pkce().Verifier);
        Assert.Equal(HttpStatusCode.BadRequest, wrongVerifier);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Authorization_requests_must_be_pushed_and_use_S256()
    {
        var consent = await SandboxFlow.CreateConsentAsync(f.A, "/v1/open-banking/account-access-consents", OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions());
        var (_, challenge) = PartnerAgent.Pkce();

        var (plain, _) = await f.A.PushAsync(OpenBankingScopes.Accounts, consent.ConsentId, "s", challenge, method: "plain");
        Assert.Equal(HttpStatusCode.BadRequest, plain);

        using var browser = f.Host.NewBrowser();
        var (direct, _) = await browser.GetAsync($"/connect/authorize?client_id={f.A.ClientId}&response_type=code&scope={OpenBankingScopes.Accounts}"
            + $"&redirect_uri={Uri.EscapeDataString(PartnerAgent.RedirectUri)}&code_challenge={challenge}&code_challenge_method=S256&state=s&consent_id={consent.ConsentId}");
        Assert.DoesNotContain("code=", direct.Headers.Location?.OriginalString ?? "", StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, direct.StatusCode);
    }

    [Fact]
    public async Task Resource_calls_refuse_missing_foreign_replayed_or_misdirected_DPoP_proofs()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var (token, _) = await f.CustomerTokenAsync(f.A, customer, OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions(unattended: 100));
        var url = new Uri(f.A.BaseAddress, Accounts);
        using var thief = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Equal(HttpStatusCode.OK, (await f.A.CallAsync(HttpMethod.Get, Accounts, token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.A.CallAsync(HttpMethod.Get, Accounts, token, tweak: r => r.Headers.Remove("DPoP"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.A.CallAsync(HttpMethod.Get, Accounts, token, tweak: r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.A.CallAsync(HttpMethod.Get, Accounts, token, tweak: r => Replace(r, f.A.Proof(HttpMethod.Get, url, token, thief)))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.A.CallAsync(HttpMethod.Get, Accounts, token, tweak: r => Replace(r, f.A.Proof(HttpMethod.Get, new Uri(f.A.BaseAddress, "/v1/other"), token)))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.A.CallAsync(HttpMethod.Get, Accounts, token, tweak: r => Replace(r, f.A.Proof(HttpMethod.Post, url, token)))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.A.CallAsync(HttpMethod.Get, Accounts, token, tweak: r => Replace(r, f.A.Proof(HttpMethod.Get, url, null)))).StatusCode);

        var proof = f.A.Proof(HttpMethod.Get, url, token);
        Assert.Equal(HttpStatusCode.OK, (await f.A.CallAsync(HttpMethod.Get, Accounts, token, tweak: r => Replace(r, proof))).StatusCode);
        var replay = await f.A.CallAsync(HttpMethod.Get, Accounts, token, tweak: r => Replace(r, proof));
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal("application/problem+json", replay.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_partner_cannot_obtain_tokens_before_approval_and_approval_needs_the_checklist()
    {
        using var agent = f.Host.NewAgent();
        var registration = new RegisterPartner("Pending Ltd", [PartnerAgent.RedirectUri], [OpenBankingScopes.Accounts], agent.Jwks());
        var partner = await SandboxFlow.ReadAsync<PartnerView>(await f.Host.Admin.PostAsync("/v1/open-banking/partners", Json(registration)));
        agent.ClientId = partner.ClientId;

        var (status, body) = await agent.PostFormAsync("/connect/token", new() { ["grant_type"] = "client_credentials", ["scope"] = OpenBankingScopes.Accounts });
        Assert.NotEqual(HttpStatusCode.OK, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());

        var early = await f.Host.Admin.PostAsync($"/v1/open-banking/partners/{partner.PartnerId}/approve", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, early.StatusCode);
        Assert.Equal("pending", (await SandboxFlow.ReadAsync<PartnerView>(await f.Host.Admin.GetAsync($"/v1/open-banking/partners/{partner.PartnerId}"))).Status);
    }

    [Fact]
    public async Task Registration_refuses_private_keys_and_non_loopback_http_redirects()
    {
        using var agent = f.Host.NewAgent();
        var privateJwk = JsonSerializer.SerializeToElement(new { keys = new[] { new { kty = "EC", crv = "P-256", kid = "k", x = "AAAA", y = "AAAA", d = "AAAA" } } });
        var bad = new RegisterPartner("Leaky", ["http://example.com/cb"], [OpenBankingScopes.Accounts], privateJwk);
        var response = await f.Host.Admin.PostAsync("/v1/open-banking/partners", Json(bad));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(problem.TryGetProperty("jwks", out _));
        Assert.True(problem.TryGetProperty("redirect_uris", out _));
    }

    internal static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body, Banyan.Platform.Http.BanyanJson.Options), System.Text.Encoding.UTF8, "application/json");

    private static void Replace(HttpRequestMessage request, string proof)
    {
        request.Headers.Remove("DPoP");
        request.Headers.Add("DPoP", proof);
    }

    private static async Task<HttpStatusCode> LoginAsync(CustomerBrowser browser, SandboxCredentials customer, string code)
    {
        var (response, _) = await LoginForms.LoginAsync(browser, customer, code);
        return response.StatusCode;
    }
}
