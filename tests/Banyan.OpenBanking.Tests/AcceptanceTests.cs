using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Ledger;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Sandbox;
using Banyan.Payments.Contracts;
using Banyan.Platform.Http;

namespace Banyan.OpenBanking.Tests;

public sealed class AcceptanceTests
{
    [Fact]
    public async Task A_sandbox_partner_gets_consent_reads_accounts_and_pays_into_the_ledger()
    {
        await using var host = await OpenBankingHost.StartAsync();
        using var agent = host.NewAgent();
        using var browser = host.NewBrowser();
        var time = TimeProvider.System;

        // 1. Register in the sandbox, work through the checklist, get approved; a funded test customer and a payee.
        var partner = await SandboxFlow.OnboardAsync(host.Admin, agent, "Acme Budgeting");
        Assert.Equal("approved", partner.Status);
        Assert.Empty(partner.ChecklistMissing);
        var customer = await SandboxFlow.NewCustomerAsync(host.Admin, partner.PartnerId, 500_000);
        var payee = await SandboxFlow.NewCustomerAsync(host.Admin, partner.PartnerId, 0);

        // 2. Account-access consent (client credentials + private_key_jwt + DPoP), then PAR → login + TOTP → consent page.
        var consent = await SandboxFlow.CreateConsentAsync(agent, "/v1/open-banking/account-access-consents", OpenBankingScopes.Accounts,
            new CreateAccountAccessConsent(["read_accounts", "read_balances", "read_transactions"]));
        Assert.Equal("awaiting_authorisation", consent.Status);
        var authorized = await SandboxFlow.AuthorizeAsync(agent, browser, customer, OpenBankingScopes.Accounts, consent.ConsentId, time);
        Assert.NotNull(authorized.Code);
        Assert.Equal(new Uri(host.Address, "/").AbsoluteUri, authorized.Issuer);

        // 3. Code + PKCE verifier → DPoP-bound token.
        var (status, tokenBody) = await agent.ExchangeCodeAsync(authorized.Code!, authorized.Verifier);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("DPoP", tokenBody.GetProperty("token_type").GetString());
        var token = tokenBody.GetProperty("access_token").GetString()!;

        // 4. Read accounts, balances, transactions.
        var accounts = await SandboxFlow.ReadAsync<AccountList>(await agent.CallAsync(HttpMethod.Get, "/v1/open-banking/accounts", token));
        Assert.Equal(customer.AccountId, Assert.Single(accounts.Accounts).AccountId);
        var balance = await SandboxFlow.ReadAsync<BalanceView>(await agent.CallAsync(HttpMethod.Get, $"/v1/open-banking/accounts/{customer.AccountId}/balances", token));
        Assert.Equal(500_000, balance.PostedMinor);
        var transactions = await WaitForTransactionsAsync(agent, token, customer.AccountId, 1);
        Assert.Equal("credit", transactions[0].CreditDebit);

        // 5. Payment consent → authorised (same browser session) → executed → in the ledger → status.
        var paymentConsent = await SandboxFlow.CreateConsentAsync(agent, "/v1/open-banking/domestic-payment-consents", OpenBankingScopes.Payments,
            new CreateDomesticPaymentConsent(payee.AccountId, 12_345, "CNY", "invoice 42"));
        var paymentAuth = await SandboxFlow.AuthorizeAsync(agent, browser, customer, OpenBankingScopes.Payments, paymentConsent.ConsentId, time);
        Assert.NotNull(paymentAuth.Code);
        var (_, paymentTokenBody) = await agent.ExchangeCodeAsync(paymentAuth.Code!, paymentAuth.Verifier);
        var paymentToken = paymentTokenBody.GetProperty("access_token").GetString()!;
        var funds = await SandboxFlow.ReadAsync<FundsConfirmationView>(await agent.CallAsync(HttpMethod.Get, $"/v1/open-banking/domestic-payment-consents/{paymentConsent.ConsentId}/funds-confirmation", paymentToken));
        Assert.True(funds.FundsAvailable);
        var payment = await SandboxFlow.ReadAsync<PaymentView>(await agent.CallAsync(HttpMethod.Post, "/v1/open-banking/domestic-payments", paymentToken,
            new CreateDomesticPayment(paymentConsent.ConsentId), r => r.Headers.Add("Idempotency-Key", "pay-1")));
        Assert.Equal("completed", payment.Status);

        var ledgerTransfer = (await host.Get<LedgerEngine>().LookupTransfersAsync(new[] { UInt128.Parse(payment.LedgerTransferId!) }))[0];
        Assert.Equal((UInt128)12_345, ledgerTransfer.Amount);
        var accountsFacade = host.Get<ICustomerAccounts>();
        Assert.Equal(500_000 - 12_345, (await accountsFacade.FindAsync(UInt128.Parse(customer.AccountId), default))!.Posted);
        Assert.Equal(12_345, (await accountsFacade.FindAsync(UInt128.Parse(payee.AccountId), default))!.Posted);

        var readBack = await SandboxFlow.ReadAsync<PaymentView>(await agent.CallAsync(HttpMethod.Get, $"/v1/open-banking/domestic-payments/{payment.PaymentId}", paymentToken));
        Assert.Equal("completed", readBack.Status);
        var consumed = await SandboxFlow.ReadAsync<ConsentView>(await agent.CallAsync(HttpMethod.Get, $"/v1/open-banking/domestic-payment-consents/{paymentConsent.ConsentId}", paymentToken));
        Assert.Equal("consumed", consumed.Status);
    }

    internal static async Task<IReadOnlyList<TransactionView>> WaitForTransactionsAsync(PartnerAgent agent, string token, string accountId, int atLeast)
    {
        // The read models follow the journal asynchronously: poll until the projector has caught up (bounded).
        for (var attempt = 0; ; attempt++)
        {
            var page = await SandboxFlow.ReadAsync<TransactionPage>(await agent.CallAsync(HttpMethod.Get, $"/v1/open-banking/accounts/{accountId}/transactions", token,
                tweak: r => r.Headers.Add("x-fapi-customer-ip-address", "127.0.0.1")));
            if (page.Transactions.Count >= atLeast || attempt == 200)
            {
                return page.Transactions;
            }

            await Task.Delay(25);
        }
    }
}
