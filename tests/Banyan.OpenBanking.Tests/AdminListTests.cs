using System.Net;
using System.Text;
using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Sandbox;

namespace Banyan.OpenBanking.Tests;

/// <summary>The operator lists: <c>GET /v1/open-banking/partners</c> and <c>GET /v1/open-banking/consents</c> (scope admin).</summary>
public sealed class AdminListTests(OpenBankingFixture f) : IClassFixture<OpenBankingFixture>
{
    private static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body, Banyan.Platform.Http.BanyanJson.Options), Encoding.UTF8, "application/json");

    private async Task<JsonElement> GetAsync(string path)
    {
        using var response = await f.Host.Admin.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return SandboxFlow.Json(text);
    }

    [Fact]
    public async Task Partners_are_listed_newest_first_with_status_and_checklist_progress_and_filtered_by_status()
    {
        using var agent = f.Host.NewAgent();
        var registration = new RegisterPartner("Pending Lists Ltd", [PartnerAgent.RedirectUri], [OpenBankingScopes.Accounts], agent.Jwks());
        var pending = await SandboxFlow.ReadAsync<PartnerView>(await f.Host.Admin.PostAsync("/v1/open-banking/partners", Json(registration)));

        var all = await GetAsync("/v1/open-banking/partners");
        var ids = all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("partner").GetProperty("partner_id").GetString()).ToList();
        Assert.Equal(pending.PartnerId, ids[0]);
        Assert.Contains(f.PartnerA.PartnerId, ids);
        var first = all.GetProperty("items")[0];
        Assert.Equal((0, 5), (first.GetProperty("checklist_done_count").GetInt32(), first.GetProperty("checklist_total").GetInt32()));
        Assert.Equal((1, 50), (all.GetProperty("page").GetInt32(), all.GetProperty("page_size").GetInt32()));

        var approved = await GetAsync("/v1/open-banking/partners?status=approved");
        var statuses = approved.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("partner").GetProperty("status").GetString()).ToList();
        Assert.NotEmpty(statuses);
        Assert.All(statuses, s => Assert.Equal("approved", s));
        Assert.DoesNotContain(approved.GetProperty("items").EnumerateArray(), i => i.GetProperty("partner").GetProperty("partner_id").GetString() == pending.PartnerId);
        Assert.Equal(5, approved.GetProperty("items")[0].GetProperty("checklist_done_count").GetInt32());
    }

    [Fact]
    public async Task Consents_are_listed_per_partner_and_status_with_permissions_and_expiry()
    {
        var consent = await SandboxFlow.CreateConsentAsync(f.A, "/v1/open-banking/account-access-consents", OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions());
        await SandboxFlow.CreateConsentAsync(f.B, "/v1/open-banking/account-access-consents", OpenBankingScopes.Accounts, OpenBankingFixture.AllPermissions());

        var mine = await GetAsync($"/v1/open-banking/consents?partner_id={f.PartnerA.PartnerId}&status=awaiting_authorisation");
        var items = mine.GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, i => i.GetProperty("consent_id").GetString() == consent.ConsentId);
        Assert.All(items, i => Assert.Equal(f.PartnerA.ClientId, i.GetProperty("client_id").GetString()));
        var listed = items.Single(i => i.GetProperty("consent_id").GetString() == consent.ConsentId);
        Assert.Equal(consent.Permissions, listed.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()!).ToList());
        Assert.Equal(consent.ExpiresAt, listed.GetProperty("expires_at").GetDateTimeOffset());
        Assert.False(listed.GetProperty("expired").GetBoolean());
        Assert.False(listed.TryGetProperty("accounts", out _));

        var authorised = await GetAsync($"/v1/open-banking/consents?partner_id={f.PartnerA.PartnerId}&status=authorised");
        Assert.DoesNotContain(authorised.GetProperty("items").EnumerateArray(), i => i.GetProperty("consent_id").GetString() == consent.ConsentId);
    }

    [Theory]
    [InlineData("/v1/open-banking/partners?status=gone")]
    [InlineData("/v1/open-banking/partners?page=0")]
    [InlineData("/v1/open-banking/partners?page=10001")]
    [InlineData("/v1/open-banking/consents?status=maybe")]
    [InlineData("/v1/open-banking/consents?page=abc")]
    public async Task A_bad_query_is_a_validation_problem(string path)
    {
        using var response = await f.Host.Admin.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_partner_filter_is_a_404_problem()
    {
        using var response = await f.Host.Admin.GetAsync("/v1/open-banking/consents?partner_id=no-such-partner");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_lists_need_an_admin_token()
    {
        using var anonymous = new HttpClient { BaseAddress = f.Host.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/open-banking/partners")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/open-banking/consents")).StatusCode);
    }
}
