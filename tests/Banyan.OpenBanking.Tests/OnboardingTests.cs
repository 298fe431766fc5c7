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

    [Fact]
    public async Task A_person_on_the_sanctions_list_is_held_for_review_and_nothing_is_opened_or_revealed()
    {
        using var csv = new StringContent("name,aliases,country,list\nViktor Petrovich Sokolov,,RU,demo-list\n", System.Text.Encoding.UTF8, "text/csv");
        using var uploaded = await f.Host.Admin.PostAsync(new Uri("/v1/aml/sanctions", UriKind.Relative), csv);
        Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
        var token = await f.A.ClientCredentialsAsync(OpenBankingScopes.Onboarding);
        var cards = await CardCountAsync();

        var response = await f.A.CallAsync(HttpMethod.Post, Path, token, new EmbeddedOnboarding(f.A.IdentityAssertion("SOKOLOV Viktor Petrovich", "110101198001010000", "+8613900000000")));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("manual_review_required", text, StringComparison.Ordinal);
        Assert.DoesNotContain("demo-list", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Sokolov", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(cards, await CardCountAsync());
        var audit = await f.Host.Admin.GetStringAsync(new Uri("/v1/audit?category=partner&limit=500", UriKind.Relative));
        Assert.Contains("onboarding_held_sanctions", audit, StringComparison.Ordinal);
    }

    private async Task<int> CardCountAsync()
    {
        await using var scope = f.Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<CardRow>().CountAsync();
    }

    [Theory]
    [InlineData("7992739871", '3')]
    [InlineData("453201511283036", '6')]
    public void Luhn_check_digits_match_known_numbers(string body, char check) => Assert.Equal(check, Cards.CheckDigit(body));
}
