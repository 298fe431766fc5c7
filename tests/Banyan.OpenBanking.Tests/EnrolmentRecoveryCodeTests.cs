using System.Net;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Sandbox;
using Banyan.OpenBanking.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Tests;

public sealed class EnrolmentRecoveryCodeTests(OpenBankingFixture f) : IClassFixture<OpenBankingFixture>
{
    [Fact]
    public async Task A_sandbox_customer_gets_ten_recovery_codes_once_at_creation_and_one_logs_in()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var customerId = await LoginForms.CustomerIdAsync(f.Host, customer);
        using var browser = f.Host.NewBrowser();

        var login = await LoginForms.LoginAsync(browser, customer, customer.RecoveryCodes[3]);

        Assert.Equal(10, customer.RecoveryCodes.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(HttpStatusCode.Redirect, login.Response.StatusCode);
        Assert.Equal(9, await LoginForms.RemainingCodesAsync(browser));
        var audit = await f.Host.Admin.GetStringAsync(new Uri("/v1/audit?limit=500", UriKind.Relative));
        Assert.Contains(await LoginForms.AuditAsync(f.Host, customerId), e => e.Action == "recovery_codes_generated");
        Assert.All(customer.RecoveryCodes, code => Assert.DoesNotContain(code, audit, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_embedded_onboarding_returns_ten_recovery_codes_stored_only_hashed()
    {
        var token = await f.A.ClientCredentialsAsync(OpenBankingScopes.Onboarding);
        var assertion = f.A.IdentityAssertion("Zhang Min", "110101199103070011", "+8613800000011");

        var view = await SandboxFlow.ReadAsync<OnboardingView>(await f.A.CallAsync(HttpMethod.Post, "/v1/open-banking/onboarding", token, new EmbeddedOnboarding(assertion)));

        Assert.Equal(10, view.RecoveryCodes.Distinct(StringComparer.Ordinal).Count());
        await using var scope = f.Host.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<RecoveryCodeRow>().AsNoTracking().Where(r => r.CustomerId == view.CustomerId).ToListAsync();
        Assert.Equal(10, rows.Count);
        Assert.All(view.RecoveryCodes, code => Assert.DoesNotContain(rows, r => r.Hash.Contains(code, StringComparison.OrdinalIgnoreCase)));
    }
}
