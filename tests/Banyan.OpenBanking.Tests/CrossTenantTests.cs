using System.Net;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Sandbox;

namespace Banyan.OpenBanking.Tests;

/// <summary>Every open-banking endpoint refuses a token of another partner or another customer.</summary>
public sealed class CrossTenantTests(OpenBankingFixture f) : IClassFixture<OpenBankingFixture>
{
    [Fact]
    public async Task No_endpoint_serves_another_partners_or_customers_data()
    {
        // Partner A: customer A1 with an account token and an executed payment; customer A2 with its own tokens.
        var a1 = await f.CustomerAsync(f.PartnerA);
        var a2 = await f.CustomerAsync(f.PartnerA);
        var payee = await f.CustomerAsync(f.PartnerA, 0);
        using var a1Browser = f.Host.NewBrowser();
        var (a1Accounts, a1AccessConsent) = await f.CustomerTokenAsync(f.A, a1, OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions(100), a1Browser);
        var (a1Pay, a1PayConsent) = await f.CustomerTokenAsync(f.A, a1, OpenBankingScopes.Payments, new CreateDomesticPaymentConsent(payee.AccountId, 10, "CNY"), a1Browser);
        var payment = await SandboxFlow.ReadAsync<PaymentView>(await f.A.CallAsync(HttpMethod.Post, "/v1/open-banking/domestic-payments", a1Pay, new CreateDomesticPayment(a1PayConsent.ConsentId)));
        var (a1Pending, a1PendingConsent) = await f.CustomerTokenAsync(f.A, a1, OpenBankingScopes.Payments, new CreateDomesticPaymentConsent(payee.AccountId, 10, "CNY"), a1Browser);
        using var a2Browser = f.Host.NewBrowser();
        var (a2Accounts, _) = await f.CustomerTokenAsync(f.A, a2, OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions(100), a2Browser);
        var (a2Pay, a2PayConsent) = await f.CustomerTokenAsync(f.A, a2, OpenBankingScopes.Payments, new CreateDomesticPaymentConsent(payee.AccountId, 10, "CNY"), a2Browser);

        // Partner B with its own customer: its tokens must see nothing of A's.
        var b1 = await f.CustomerAsync(f.PartnerB);
        using var b1Browser = f.Host.NewBrowser();
        var (bAccounts, _) = await f.CustomerTokenAsync(f.B, b1, OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions(100), b1Browser);
        var (bPay, bPayConsent) = await f.CustomerTokenAsync(f.B, b1, OpenBankingScopes.Payments, new CreateDomesticPaymentConsent(payee.AccountId, 10, "CNY"), b1Browser);
        var bPartnerAccounts = await f.B.ClientCredentialsAsync(OpenBankingScopes.Accounts);
        var bPartnerPayments = await f.B.ClientCredentialsAsync(OpenBankingScopes.Payments);
        var aPartnerAccounts = await f.A.ClientCredentialsAsync(OpenBankingScopes.Accounts);

        var a1Account = a1.AccountId;
        var cases = new (string Name, PartnerAgent Agent, HttpMethod Method, string Path, string Token, object? Body, HttpStatusCode Expected)[]
        {
            ("B customer → A1 account", f.B, HttpMethod.Get, $"/v1/open-banking/accounts/{a1Account}", bAccounts, null, HttpStatusCode.NotFound),
            ("B customer → A1 balances", f.B, HttpMethod.Get, $"/v1/open-banking/accounts/{a1Account}/balances", bAccounts, null, HttpStatusCode.NotFound),
            ("B customer → A1 transactions", f.B, HttpMethod.Get, $"/v1/open-banking/accounts/{a1Account}/transactions", bAccounts, null, HttpStatusCode.NotFound),
            ("A2 customer → A1 account", f.A, HttpMethod.Get, $"/v1/open-banking/accounts/{a1Account}", a2Accounts, null, HttpStatusCode.NotFound),
            ("A2 customer → A1 balances", f.A, HttpMethod.Get, $"/v1/open-banking/accounts/{a1Account}/balances", a2Accounts, null, HttpStatusCode.NotFound),
            ("A2 customer → A1 transactions", f.A, HttpMethod.Get, $"/v1/open-banking/accounts/{a1Account}/transactions", a2Accounts, null, HttpStatusCode.NotFound),
            ("A partner token → accounts (no customer consent)", f.A, HttpMethod.Get, "/v1/open-banking/accounts", aPartnerAccounts, null, HttpStatusCode.Forbidden),
            ("B partner → A access consent", f.B, HttpMethod.Get, $"/v1/open-banking/account-access-consents/{a1AccessConsent.ConsentId}", bPartnerAccounts, null, HttpStatusCode.NotFound),
            ("B partner → delete A access consent", f.B, HttpMethod.Delete, $"/v1/open-banking/account-access-consents/{a1AccessConsent.ConsentId}", bPartnerAccounts, null, HttpStatusCode.NotFound),
            ("B partner → A payment consent", f.B, HttpMethod.Get, $"/v1/open-banking/domestic-payment-consents/{a1PayConsent.ConsentId}", bPartnerPayments, null, HttpStatusCode.NotFound),
            ("B partner → A payment", f.B, HttpMethod.Get, $"/v1/open-banking/domestic-payments/{payment.PaymentId}", bPartnerPayments, null, HttpStatusCode.NotFound),
            ("B customer → A payment", f.B, HttpMethod.Get, $"/v1/open-banking/domestic-payments/{payment.PaymentId}", bPay, null, HttpStatusCode.NotFound),
            ("A2 customer → A1 payment", f.A, HttpMethod.Get, $"/v1/open-banking/domestic-payments/{payment.PaymentId}", a2Pay, null, HttpStatusCode.NotFound),
            ("B customer → execute A1 consent", f.B, HttpMethod.Post, "/v1/open-banking/domestic-payments", bPay, new CreateDomesticPayment(a1PendingConsent.ConsentId), HttpStatusCode.Forbidden),
            ("A2 customer → execute A1 consent", f.A, HttpMethod.Post, "/v1/open-banking/domestic-payments", a2Pay, new CreateDomesticPayment(a1PendingConsent.ConsentId), HttpStatusCode.Forbidden),
            ("B customer → funds of A1 consent", f.B, HttpMethod.Get, $"/v1/open-banking/domestic-payment-consents/{a1PendingConsent.ConsentId}/funds-confirmation", bPay, null, HttpStatusCode.NotFound),
            ("A2 customer → funds of A1 consent", f.A, HttpMethod.Get, $"/v1/open-banking/domestic-payment-consents/{a1PendingConsent.ConsentId}/funds-confirmation", a2Pay, null, HttpStatusCode.NotFound),
            ("B partner → register partner (admin)", f.B, HttpMethod.Post, "/v1/open-banking/partners", bPartnerAccounts, new { name = "x" }, HttpStatusCode.Forbidden),
            ("B partner → sandbox customer of A (admin)", f.B, HttpMethod.Post, $"/v1/open-banking/partners/{f.PartnerA.PartnerId}/sandbox-customers", bPartnerAccounts, new CreateSandboxCustomer(), HttpStatusCode.Forbidden),
        };

        foreach (var c in cases)
        {
            var response = await c.Agent.CallAsync(c.Method, c.Path, c.Token, c.Body);
            Assert.True(response.StatusCode == c.Expected, $"{c.Name}: expected {c.Expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // A stolen token is useless to another partner: B holds A1's token but not A's DPoP key.
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.B.CallAsync(HttpMethod.Get, "/v1/open-banking/accounts", a1Accounts)).StatusCode);

        // Positive controls: the owners still get their data, and the B customer sees only B1's account.
        Assert.Equal(HttpStatusCode.OK, (await f.A.CallAsync(HttpMethod.Get, $"/v1/open-banking/accounts/{a1Account}/balances", a1Accounts)).StatusCode);
        var bList = await SandboxFlow.ReadAsync<AccountList>(await f.B.CallAsync(HttpMethod.Get, "/v1/open-banking/accounts", bAccounts));
        Assert.Equal(b1.AccountId, Assert.Single(bList.Accounts).AccountId);
        Assert.Equal(HttpStatusCode.OK, (await f.A.CallAsync(HttpMethod.Get, $"/v1/open-banking/domestic-payments/{payment.PaymentId}", a1Pay)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.A.CallAsync(HttpMethod.Get, $"/v1/open-banking/domestic-payment-consents/{a1PendingConsent.ConsentId}/funds-confirmation", a1Pending)).StatusCode);
        _ = (a2PayConsent, bPayConsent);
    }

    [Fact]
    public async Task The_admin_token_is_not_a_partner_token()
    {
        // It holds every scope but is neither DPoP-bound nor an approved partner's.
        var response = await f.Host.Admin.GetAsync("/v1/open-banking/accounts");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var consent = await f.Host.Admin.PostAsync("/v1/open-banking/account-access-consents", OAuthSecurityTests.Json(OpenBankingFixture.AllPermissions()));
        Assert.True(consent.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"got {consent.StatusCode}");
    }
}
