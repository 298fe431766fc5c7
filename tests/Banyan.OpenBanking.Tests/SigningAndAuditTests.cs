using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Sandbox;

namespace Banyan.OpenBanking.Tests;

public sealed class SigningAndAuditTests(OpenBankingFixture f) : IClassFixture<OpenBankingFixture>
{
    [Fact]
    public async Task A_partner_that_must_sign_is_refused_for_a_missing_or_forged_detached_JWS()
    {
        using var agent = f.Host.NewAgent();
        await SandboxFlow.OnboardAsync(f.Host.Admin, agent, "Signing Bank", requireJws: true);
        var token = await agent.ClientCredentialsAsync(OpenBankingScopes.Accounts);
        var body = OpenBankingFixture.AllPermissions();
        const string path = "/v1/open-banking/account-access-consents";

        var signed = await agent.CallAsync(HttpMethod.Post, path, token, body);
        var unsigned = await agent.CallAsync(HttpMethod.Post, path, token, body, r => r.Headers.Remove("x-jws-signature"));
        var otherBody = agent.DetachedSignature(Encoding.UTF8.GetBytes("{\"permissions\":[\"read_accounts\"]}"));
        var forged = await agent.CallAsync(HttpMethod.Post, path, token, body, r => { r.Headers.Remove("x-jws-signature"); r.Headers.Add("x-jws-signature", otherBody); });
        var attached = await agent.CallAsync(HttpMethod.Post, path, token, body, r =>
        {
            var parts = r.Headers.GetValues("x-jws-signature").Single().Split('.');
            r.Headers.Remove("x-jws-signature");
            r.Headers.Add("x-jws-signature", parts[0] + ".e30." + parts[2]);
        });

        Assert.Equal(HttpStatusCode.Created, signed.StatusCode);
        foreach (var refused in new[] { unsigned, forged, attached })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("open-banking/invalid-signature", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Authentications_consent_changes_and_partner_changes_are_audited()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var (_, consent) = await f.CustomerTokenAsync(f.A, customer, OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions());

        var partnerEntries = await ActionsAsync($"/v1/audit?category=partner&subject={f.PartnerA.PartnerId}&limit=100");
        var consentEntries = await ActionsAsync($"/v1/audit?category=consent&subject={consent.ConsentId}&limit=100");
        var loginEntries = await ActionsAsync($"/v1/audit?category=authentication&actor={customer.UserName}&limit=100");
        var customerId = (await f.Host.Get<Banyan.OpenBanking.Api.Consents>().FindAsync(consent.ConsentId, default))!.CustomerId!;
        var successfulLogins = await ActionsAsync($"/v1/audit?category=authentication&actor={customerId}&limit=100");
        var tokens = await ActionsAsync($"/v1/audit?category=authentication&actor={f.A.ClientId}&limit=100");

        Assert.Contains("partner_registered", partnerEntries);
        Assert.Contains("partner_checklist_item_done", partnerEntries);
        Assert.Contains("partner_approved", partnerEntries);
        Assert.Equal(["consent_created", "consent_authorised"], consentEntries);
        Assert.Empty(loginEntries);
        Assert.Contains("login_succeeded", successfulLogins);
        Assert.Contains("token_issued", tokens);
        var verify = await f.Host.Admin.GetFromJsonAsync<JsonElement>("/v1/audit/verify");
        Assert.True(verify.GetProperty("intact").GetBoolean());
    }

    private async Task<List<string>> ActionsAsync(string url)
    {
        var page = await f.Host.Admin.GetFromJsonAsync<JsonElement>(url);
        return page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("action").GetString()!).ToList();
    }
}
