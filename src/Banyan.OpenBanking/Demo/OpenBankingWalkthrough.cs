using System.Diagnostics;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Sandbox;
using Banyan.Platform;
using Spectre.Console;

namespace Banyan.OpenBanking.Demo;

/// <summary>
/// The open-banking part of <c>banyan demo</c>: a partner goes from sandbox registration to approval, a test
/// customer consents through the real login (password + TOTP) and consent pages, the partner reads the
/// account and makes a payment that lands in the ledger — every step over HTTP, the browser played in-process.
/// </summary>
internal static class OpenBankingWalkthrough
{
    public static async Task RunAsync(DemoContext demo, CancellationToken cancellationToken)
    {
        var console = demo.Console;
        var time = (TimeProvider?)demo.Services.GetService(typeof(TimeProvider)) ?? TimeProvider.System;
        console.Write(new Rule("[bold]Open banking[/]").LeftJustified());
        using var agent = new PartnerAgent(demo.Api.BaseAddress!, time);
        using var browser = new CustomerBrowser(demo.Api.BaseAddress!);
        var clock = Stopwatch.StartNew();

        var partner = await SandboxFlow.OnboardAsync(demo.Api, agent, "Demo Budget App");
        console.MarkupLine($"Partner [bold]{Markup.Escape(partner.Name)}[/] registered in the sandbox, checklist ({string.Join(", ", Partners.Checklist)}) done, " +
            $"status [green]{partner.Status}[/]; client {Markup.Escape(partner.ClientId)} authenticates with private_key_jwt (ES256).");
        var customer = await SandboxFlow.NewCustomerAsync(demo.Api, partner.PartnerId, 250_000);
        var payee = await SandboxFlow.NewCustomerAsync(demo.Api, partner.PartnerId, 0);
        console.MarkupLine($"Sandbox customer {Markup.Escape(customer.UserName)} with account {customer.AccountId} funded with ¥2,500.00.");

        var consent = await SandboxFlow.CreateConsentAsync(agent, "/v1/open-banking/account-access-consents", OpenBankingScopes.Accounts,
            new CreateAccountAccessConsent(Consents.AccessPermissions, null, 4));
        var auth = await SandboxFlow.AuthorizeAsync(agent, browser, customer, OpenBankingScopes.Accounts, consent.ConsentId, time);
        var token = await ExchangeAsync(agent, auth);
        console.MarkupLine($"Consent {consent.ConsentId}: PAR → login page (password + TOTP) → consent page → code with iss={Markup.Escape(auth.Issuer ?? "?")} → DPoP-bound token.");

        var balance = await SandboxFlow.ReadAsync<BalanceView>(await agent.CallAsync(HttpMethod.Get, $"/v1/open-banking/accounts/{customer.AccountId}/balances", token));
        console.MarkupLine($"  the partner reads the balance: ¥{balance.AvailableMinor / 100m:N2} available.");

        var paymentConsent = await SandboxFlow.CreateConsentAsync(agent, "/v1/open-banking/domestic-payment-consents", OpenBankingScopes.Payments,
            new CreateDomesticPaymentConsent(payee.AccountId, 8_800, "CNY", "demo: lunch"));
        var paymentAuth = await SandboxFlow.AuthorizeAsync(agent, browser, customer, OpenBankingScopes.Payments, paymentConsent.ConsentId, time);
        var paymentToken = await ExchangeAsync(agent, paymentAuth);
        var payment = await SandboxFlow.ReadAsync<PaymentView>(await agent.CallAsync(HttpMethod.Post, "/v1/open-banking/domestic-payments", paymentToken,
            new CreateDomesticPayment(paymentConsent.ConsentId), r => r.Headers.Add("Idempotency-Key", "demo-" + paymentConsent.ConsentId)));
        var after = await SandboxFlow.ReadAsync<BalanceView>(await agent.CallAsync(HttpMethod.Get, $"/v1/open-banking/accounts/{customer.AccountId}/balances", token));
        console.MarkupLine($"Payment {payment.PaymentId} of ¥88.00 authorised by the customer and [green]{payment.Status}[/]: ledger transfer {payment.LedgerTransferId}; balance now ¥{after.AvailableMinor / 100m:N2}.");
        console.MarkupLine($"Sandbox to first payment took {clock.Elapsed.TotalSeconds:N2} s.");
        var events = await SandboxFlow.ReadAsync<Events.EventList>(await agent.CallAsync(HttpMethod.Get, "/v1/open-banking/events?limit=10", await agent.ClientCredentialsAsync(OpenBankingScopes.Payments)));
        console.MarkupLine($"Events in the partner's outbox for its signed webhooks: {Markup.Escape(string.Join(", ", events.Events.Select(e => e.Type).Reverse()))}.");

        // Embedded onboarding: the partner app vouches for a person it identified; one call opens everything.
        var onboardingToken = await agent.ClientCredentialsAsync(OpenBankingScopes.Onboarding);
        var measured = Stopwatch.StartNew();
        var opened = await SandboxFlow.ReadAsync<OnboardingView>(await agent.CallAsync(HttpMethod.Post, "/v1/open-banking/onboarding", onboardingToken,
            new EmbeddedOnboarding(agent.IdentityAssertion("Demo Citizen", "110101199001010000", "+8613800000000"))));
        measured.Stop();
        console.MarkupLine($"Embedded onboarding: customer {opened.CustomerId}, account {opened.AccountId}, virtual card {opened.CardToken} (•••• {opened.CardLast4}) [green]{opened.CardStatus}[/] " +
            $"in [bold]{opened.ElapsedMs:N0} ms[/] server-side, {measured.Elapsed.TotalMilliseconds:N0} ms end to end (the report's target: under 3 minutes).");
    }

    private static async Task<string> ExchangeAsync(PartnerAgent agent, AuthorizeResult auth)
    {
        if (auth.Code is null)
        {
            throw new InvalidOperationException($"The authorization step failed: {auth.Error} ({(int)auth.LastStatus}).");
        }

        var (status, body) = await agent.ExchangeCodeAsync(auth.Code, auth.Verifier);
        return status == System.Net.HttpStatusCode.OK
            ? body.GetProperty("access_token").GetString()!
            : throw new InvalidOperationException("The code exchange failed: " + body.GetRawText());
    }
}
