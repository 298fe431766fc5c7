using System.Net;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Identity;
using Banyan.OpenBanking.Sandbox;

namespace Banyan.OpenBanking.Tests;

public sealed class CsrfTests(OpenBankingFixture f) : IClassFixture<OpenBankingFixture>
{
    [Fact]
    public async Task A_consent_decision_without_the_antiforgery_token_is_refused_and_the_consent_stays_awaiting_authorisation()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var consent = await SandboxFlow.CreateConsentAsync(f.A, "/v1/open-banking/account-access-consents", OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions());
        using var browser = f.Host.NewBrowser();
        var consentPage = await OpenConsentPageAsync(browser, customer, consent.ConsentId);
        var fields = LoginForms.FormOf(consentPage, "/connect/authorize");
        fields.Add(new("decision", "grant"));

        var (forged, html) = await browser.PostAsync("/connect/authorize", LoginForms.WithoutAntiforgery(fields));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("Nothing was changed", html, StringComparison.Ordinal);
        Assert.Equal("awaiting_authorisation", (await f.Host.Get<Consents>().FindAsync(consent.ConsentId, default))!.Status);
        Assert.Contains(await LoginForms.AuditAsync(f.Host, await LoginForms.CustomerIdAsync(f.Host, customer)), e => e.Action == "form_rejected");

        // The same form with its token goes through: the refusal above was the missing token, nothing else.
        var (genuine, _) = await browser.PostAsync("/connect/authorize", fields);
        Assert.Equal(HttpStatusCode.Redirect, genuine.StatusCode);
        Assert.Equal("authorised", (await f.Host.Get<Consents>().FindAsync(consent.ConsentId, default))!.Status);
    }

    [Fact]
    public async Task A_login_post_without_the_token_is_refused_and_burns_no_code()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        using var browser = f.Host.NewBrowser();
        var code = customer.Code(DateTimeOffset.UtcNow);
        var (_, page) = await browser.GetAsync(LoginForms.LoginPath);
        var fields = LoginForms.WithoutAntiforgery(LoginForms.FormOf(page, LoginForms.LoginPath));
        fields.AddRange([new("username", customer.UserName), new("password", customer.Password), new("totp", code)]);

        var (refused, _) = await browser.PostAsync(LoginForms.LoginPath, fields);
        var (_, afterwards) = await browser.GetAsync("/open-banking/consents");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains($"action=\"{LoginForms.LoginPath}\"", afterwards, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await LoginForms.LoginAsync(browser, customer, code)).Response.StatusCode);
    }

    [Fact]
    public async Task A_token_taken_from_another_browser_is_refused()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        using var attacker = f.Host.NewBrowser();
        using var victim = f.Host.NewBrowser();
        var (_, attackerPage) = await attacker.GetAsync(LoginForms.LoginPath);
        await victim.GetAsync(LoginForms.LoginPath);
        var fields = LoginForms.FormOf(attackerPage, LoginForms.LoginPath);
        fields.AddRange([new("username", customer.UserName), new("password", customer.Password), new("totp", customer.Code(DateTimeOffset.UtcNow))]);

        var (refused, _) = await victim.PostAsync(LoginForms.LoginPath, fields);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task Revoking_or_removing_a_device_without_the_token_changes_nothing()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        using var browser = f.Host.NewBrowser();
        var (_, consent) = await f.CustomerTokenAsync(f.A, customer, OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions(), browser);
        var (_, consents) = await browser.GetAsync("/open-banking/consents");
        var deviceId = Assert.Single(await LoginForms.DevicesAsync(browser));
        var (_, devices) = await browser.GetAsync("/open-banking/devices");

        var revokePath = $"/open-banking/consents/{consent.ConsentId}/revoke";
        var removePath = $"/open-banking/devices/{deviceId}/remove";
        var (revoke, _) = await browser.PostAsync(revokePath, LoginForms.WithoutAntiforgery(LoginForms.FormOf(consents, revokePath)));
        var (remove, _) = await browser.PostAsync(removePath, LoginForms.WithoutAntiforgery(LoginForms.FormOf(devices, removePath)));

        Assert.Equal(HttpStatusCode.BadRequest, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, remove.StatusCode);
        Assert.Equal("authorised", (await f.Host.Get<Consents>().FindAsync(consent.ConsentId, default))!.Status);
        Assert.Single(await f.Host.Get<CustomerDevices>().ListAsync(await LoginForms.CustomerIdAsync(f.Host, customer), default));
    }

    /// <summary>PAR, then the browser logs in through the authorization endpoint and lands on the consent page.</summary>
    private async Task<string> OpenConsentPageAsync(CustomerBrowser browser, SandboxCredentials customer, string consentId)
    {
        var (_, challenge) = PartnerAgent.Pkce();
        var (status, pushed) = await f.A.PushAsync(OpenBankingScopes.Accounts, consentId, "state-1", challenge);
        Assert.Equal(HttpStatusCode.Created, status);
        var authorize = $"/connect/authorize?client_id={Uri.EscapeDataString(f.A.ClientId)}&request_uri={Uri.EscapeDataString(pushed.GetProperty("request_uri").GetString()!)}";
        var (_, loginPage) = await browser.GetAsync(authorize);
        var fields = LoginForms.FormOf(loginPage, LoginForms.LoginPath);
        fields.AddRange([new("username", customer.UserName), new("password", customer.Password), new("totp", customer.Code(DateTimeOffset.UtcNow))]);
        var (login, _) = await browser.PostAsync(LoginForms.LoginPath, fields);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var (page, html) = await browser.GetAsync(login.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("name=\"decision\"", html, StringComparison.Ordinal);
        return html;
    }
}
