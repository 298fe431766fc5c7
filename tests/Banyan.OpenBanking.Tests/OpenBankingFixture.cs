using System.Net;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Sandbox;

namespace Banyan.OpenBanking.Tests;

/// <summary>One host with two approved sandbox partners, shared by a test class (each test makes its own customers and consents).</summary>
public sealed class OpenBankingFixture : IAsyncLifetime
{
    internal OpenBankingHost Host { get; private set; } = null!;

    internal PartnerAgent A { get; private set; } = null!;

    internal PartnerAgent B { get; private set; } = null!;

    internal PartnerView PartnerA { get; private set; } = null!;

    internal PartnerView PartnerB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await OpenBankingHost.StartAsync();
        A = Host.NewAgent();
        B = Host.NewAgent();
        PartnerA = await SandboxFlow.OnboardAsync(Host.Admin, A, "Partner A");
        PartnerB = await SandboxFlow.OnboardAsync(Host.Admin, B, "Partner B");
    }

    public async Task DisposeAsync()
    {
        A.Dispose();
        B.Dispose();
        await Host.DisposeAsync();
    }

    internal Task<SandboxCredentials> CustomerAsync(PartnerView partner, long deposit = 100_000) => SandboxFlow.NewCustomerAsync(Host.Admin, partner.PartnerId, deposit);

    /// <summary>A customer token of <paramref name="agent"/> under a fresh consent (account access or payment).</summary>
    internal async Task<(string Token, ConsentView Consent)> CustomerTokenAsync(PartnerAgent agent, SandboxCredentials customer, string scope, object consentBody, CustomerBrowser? browser = null)
    {
        var path = scope == OpenBankingScopes.Accounts ? "/v1/open-banking/account-access-consents" : "/v1/open-banking/domestic-payment-consents";
        var consent = await SandboxFlow.CreateConsentAsync(agent, path, scope, consentBody);
        using var own = browser is null ? Host.NewBrowser() : null;
        var result = await SandboxFlow.AuthorizeAsync(agent, browser ?? own!, customer, scope, consent.ConsentId, TimeProvider.System);
        Assert.True(result.Code is not null, $"authorization failed: {result.Error} {result.LastStatus} {result.LastHtml}");
        var (status, body) = await agent.ExchangeCodeAsync(result.Code!, result.Verifier);
        Assert.Equal(HttpStatusCode.OK, status);
        return (body.GetProperty("access_token").GetString()!, consent);
    }

    internal static CreateAccountAccessConsent AllPermissions(int unattended = 10) => new(Consents.AccessPermissions, null, unattended);
}
