using System.Net;
using System.Text.RegularExpressions;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Sandbox;
using Banyan.Payments.Contracts;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Tests;

public sealed class OnboardingTests(OpenBankingFixture f) : IClassFixture<OpenBankingFixture>
{
    private const string Path = "/v1/open-banking/onboarding";

    [Fact]
    public async Task A_signed_identity_assertion_opens_a_customer_account_and_an_active_virtual_card_once()
    {
        var token = await f.A.ClientCredentialsAsync(OpenBankingScopes.Onboarding);
        var assertion = f.A.IdentityAssertion("Li Wei", "110101199003070000", "+8613800000000");

        var response = await f.A.CallAsync(HttpMethod.Post, Path, token, new EmbeddedOnboarding(assertion));
        var text = await response.Content.ReadAsStringAsync();
        var replay = await f.A.CallAsync(HttpMethod.Post, Path, token, new EmbeddedOnboarding(assertion));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var view = await SandboxFlow.ReadAsync<OnboardingView>(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(text) });
        Assert.Equal("active", view.CardStatus);
        Assert.True(view.ElapsedMs is > 0 and < 180_000);
        Assert.NotNull(await f.Host.Get<ICustomerAccounts>().FindAsync(UInt128.Parse(view.AccountId), default));
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);

        // The full number is stored only protected; it is Luhn-valid, from the BIN, and never in the response.
        await using var scope = f.Host.Services.CreateAsyncScope();
        var card = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<CardRow>().SingleAsync(c => c.Token == view.CardToken);
        var pan = f.Host.Get<IDataProtectionProvider>().CreateProtector(Cards.Purpose).Unprotect(card.ProtectedPan);
        Assert.True(Cards.IsLuhnValid(pan));
        Assert.StartsWith(Cards.DefaultBin, pan, StringComparison.Ordinal);
        Assert.Equal(pan[^4..], view.CardLast4);
        Assert.DoesNotContain(pan, text, StringComparison.Ordinal);
        Assert.DoesNotContain(pan, card.ProtectedPan, StringComparison.Ordinal);
        Assert.False(Regex.IsMatch(text, "\"[0-9]{13,19}\""), text); // no card-number-shaped value at all
    }

    [Fact]
    public async Task An_assertion_signed_by_another_partner_or_for_another_issuer_is_refused()
    {
        var token = await f.A.ClientCredentialsAsync(OpenBankingScopes.Onboarding);
        var fromB = f.B.IdentityAssertion("Mallory", "1", "+1");
        var response = await f.A.CallAsync(HttpMethod.Post, Path, token, new EmbeddedOnboarding(fromB));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("open-banking/invalid-assertion", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7992739871", '3')]
    [InlineData("453201511283036", '6')]
    public void Luhn_check_digits_match_known_numbers(string body, char check) => Assert.Equal(check, Cards.CheckDigit(body));
}
