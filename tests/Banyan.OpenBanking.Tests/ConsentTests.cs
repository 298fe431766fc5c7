using System.Net;
using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Sandbox;
using Banyan.OpenBanking.Storage;
using Banyan.Payments.Contracts;

namespace Banyan.OpenBanking.Tests;

public sealed class ConsentTests(OpenBankingFixture f) : IClassFixture<OpenBankingFixture>
{
    private const string AccessConsents = "/v1/open-banking/account-access-consents";
    private const string PaymentConsents = "/v1/open-banking/domestic-payment-consents";

    [Fact]
    public async Task A_consent_revoked_by_the_customer_on_the_consent_page_stops_the_partner_at_once()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        using var browser = f.Host.NewBrowser();
        var (token, consent) = await f.CustomerTokenAsync(f.A, customer, OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions(), browser);
        Assert.Equal(HttpStatusCode.OK, (await f.A.CallAsync(HttpMethod.Get, "/v1/open-banking/accounts", token)).StatusCode);

        var (page, html) = await browser.GetAsync("/open-banking/consents");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(consent.ConsentId, html, StringComparison.Ordinal);
        var (revoked, _) = await browser.PostAsync($"/open-banking/consents/{consent.ConsentId}/revoke", CustomerBrowser.FormFields(html));
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);

        var refused = await f.A.CallAsync(HttpMethod.Get, "/v1/open-banking/accounts", token);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("open-banking/consent-not-active", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("revoked", (await f.Host.Get<Consents>().FindAsync(consent.ConsentId, default))!.Status);
    }

    [Fact]
    public async Task Revoking_needs_the_customers_own_session_and_form_token()
    {
        var owner = await f.CustomerAsync(f.PartnerA);
        var other = await f.CustomerAsync(f.PartnerA);
        var (_, consent) = await f.CustomerTokenAsync(f.A, owner, OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions());
        using var otherBrowser = f.Host.NewBrowser();
        await f.CustomerTokenAsync(f.A, other, OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions(), otherBrowser);

        var (response, _) = await otherBrowser.PostAsync($"/open-banking/consents/{consent.ConsentId}/revoke", [new("form_token", "forged")]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("authorised", (await f.Host.Get<Consents>().FindAsync(consent.ConsentId, default))!.Status);
    }

    [Fact]
    public async Task A_partner_can_delete_its_consent_and_the_token_stops_working()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var (token, consent) = await f.CustomerTokenAsync(f.A, customer, OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions());
        var partnerToken = await f.A.ClientCredentialsAsync(OpenBankingScopes.Accounts);

        Assert.Equal(HttpStatusCode.NoContent, (await f.A.CallAsync(HttpMethod.Delete, $"{AccessConsents}/{consent.ConsentId}", partnerToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await f.A.CallAsync(HttpMethod.Get, "/v1/open-banking/accounts", token)).StatusCode);
    }

    [Fact]
    public async Task A_customer_who_denies_gets_the_partner_an_access_denied_redirect_and_a_rejected_consent()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var payee = await f.CustomerAsync(f.PartnerA, 0);
        var consent = await SandboxFlow.CreateConsentAsync(f.A, PaymentConsents, OpenBankingScopes.Payments, new CreateDomesticPaymentConsent(payee.AccountId, 100, "CNY"));
        using var browser = f.Host.NewBrowser();

        var result = await SandboxFlow.AuthorizeAsync(f.A, browser, customer, OpenBankingScopes.Payments, consent.ConsentId, TimeProvider.System, decision: "deny");

        Assert.Null(result.Code);
        Assert.Equal("access_denied", result.Error);
        Assert.Equal("rejected", (await f.Host.Get<Consents>().FindAsync(consent.ConsentId, default))!.Status);
    }

    [Fact]
    public async Task Calls_without_the_customer_present_are_limited_per_day()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var (token, _) = await f.CustomerTokenAsync(f.A, customer, OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions(unattended: 1));

        var first = await f.A.CallAsync(HttpMethod.Get, "/v1/open-banking/accounts", token);
        var second = await f.A.CallAsync(HttpMethod.Get, "/v1/open-banking/accounts", token);
        var present = await f.A.CallAsync(HttpMethod.Get, "/v1/open-banking/accounts", token, tweak: r => r.Headers.Add("x-fapi-customer-ip-address", "198.51.100.7"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, present.StatusCode);
    }

    [Fact]
    public async Task Every_call_is_checked_against_the_consents_permissions()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var (token, _) = await f.CustomerTokenAsync(f.A, customer, OpenBankingScopes.Accounts, new CreateAccountAccessConsent(["read_accounts"], null, 10));

        Assert.Equal(HttpStatusCode.OK, (await f.A.CallAsync(HttpMethod.Get, $"/v1/open-banking/accounts/{customer.AccountId}", token)).StatusCode);
        var balances = await f.A.CallAsync(HttpMethod.Get, $"/v1/open-banking/accounts/{customer.AccountId}/balances", token);
        Assert.Equal(HttpStatusCode.Forbidden, balances.StatusCode);
        Assert.Contains("open-banking/permission-missing", await balances.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payment_consent_pays_once_and_an_unaffordable_payment_moves_nothing()
    {
        var customer = await f.CustomerAsync(f.PartnerA, 1_000);
        var payee = await f.CustomerAsync(f.PartnerA, 0);
        using var browser = f.Host.NewBrowser();
        var (tooBig, bigConsent) = await f.CustomerTokenAsync(f.A, customer, OpenBankingScopes.Payments, new CreateDomesticPaymentConsent(payee.AccountId, 5_000, "CNY"), browser);
        var refused = await f.A.CallAsync(HttpMethod.Post, "/v1/open-banking/domestic-payments", tooBig, new CreateDomesticPayment(bigConsent.ConsentId));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("insufficient_funds", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1_000, (await f.Host.Get<ICustomerAccounts>().FindAsync(UInt128.Parse(customer.AccountId), default))!.Posted);

        var (token, consent) = await f.CustomerTokenAsync(f.A, customer, OpenBankingScopes.Payments, new CreateDomesticPaymentConsent(payee.AccountId, 400, "CNY"), browser);
        var paid = await f.A.CallAsync(HttpMethod.Post, "/v1/open-banking/domestic-payments", token, new CreateDomesticPayment(consent.ConsentId));
        var again = await f.A.CallAsync(HttpMethod.Post, "/v1/open-banking/domestic-payments", token, new CreateDomesticPayment(consent.ConsentId));
        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
        Assert.Equal(600, (await f.Host.Get<ICustomerAccounts>().FindAsync(UInt128.Parse(customer.AccountId), default))!.Posted);
    }

    [Fact]
    public async Task Consent_requests_are_validated()
    {
        var token = await f.A.ClientCredentialsAsync(OpenBankingScopes.Accounts);
        var response = await f.A.CallAsync(HttpMethod.Post, AccessConsents, token, new CreateAccountAccessConsent(["read_everything"], DateTimeOffset.UtcNow.AddDays(365), 1000));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("permissions", out _));
        Assert.True(errors.TryGetProperty("expires_at", out _));
        Assert.True(errors.TryGetProperty("max_unattended_calls_per_day", out _));
    }

    [Fact]
    public void An_authorised_consent_is_inactive_once_it_expires()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-26T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var consents = new Consents(null!, clock, null!);
        var consent = new ConsentRow { Status = ConsentStatus.Authorised, ExpiresAtUnixMs = clock.GetUtcNow().AddMinutes(5).ToUnixTimeMilliseconds() };

        Assert.True(consents.IsActive(consent));
        clock.Now = clock.Now.AddMinutes(5);
        Assert.False(consents.IsActive(consent));
        Assert.False(consents.IsActive(new ConsentRow { Status = ConsentStatus.Revoked, ExpiresAtUnixMs = long.MaxValue }));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
