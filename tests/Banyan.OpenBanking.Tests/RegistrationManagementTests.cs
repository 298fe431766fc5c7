using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Registration;
using Banyan.OpenBanking.Sandbox;
using Banyan.OpenBanking.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Tests;

public sealed class RegistrationManagementTests(EventsFixture f) : IClassFixture<EventsFixture>
{
    private const string Register = "/connect/register";

    [Fact]
    public async Task An_update_with_the_registration_token_changes_the_name_rotates_the_token_and_an_approved_partner_stays_approved()
    {
        using var agent = f.Host.NewAgent();
        var (clientId, partnerId, token) = await RegisterApprovedAsync(agent);
        var body = Metadata(agent, clientId);
        body["client_name"] = "Renamed TPP";

        using var updated = await SendAsync(HttpMethod.Put, clientId, token, body);
        var view = await updated.Content.ReadFromJsonAsync<JsonElement>();
        var newToken = view.GetProperty("registration_access_token").GetString()!;
        using var withOld = await SendAsync(HttpMethod.Get, clientId, token);
        using var withNew = await SendAsync(HttpMethod.Get, clientId, newToken);

        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("Renamed TPP", view.GetProperty("client_name").GetString());
        Assert.Equal("approved", view.GetProperty("status").GetString());
        Assert.NotEqual(token, newToken);
        Assert.Equal(HttpStatusCode.Unauthorized, withOld.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
        Assert.False(string.IsNullOrEmpty(await agent.ClientCredentialsAsync(OpenBankingScopes.Accounts)));
        var audit = await f.Host.Admin.GetStringAsync(new Uri("/v1/audit?category=partner&limit=500", UriKind.Relative));
        Assert.Contains("partner_registration_updated", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(newToken, audit, StringComparison.Ordinal);
        Assert.Equal("Renamed TPP", (await PartnerAsync(partnerId)).Name);
    }

    [Theory]
    [InlineData("client_secret_basic")]
    [InlineData("wrong_client_id")]
    [InlineData("http_redirect")]
    [InlineData("registration_access_token")]
    public async Task An_update_outside_the_FAPI_profile_or_RFC_7592_rules_is_refused_and_changes_nothing(string violation)
    {
        using var agent = f.Host.NewAgent();
        var (clientId, partnerId, token) = await RegisterApprovedAsync(agent);
        var body = Metadata(agent, clientId);
        body["client_name"] = "Should Not Stick";
        switch (violation)
        {
            case "client_secret_basic": body["token_endpoint_auth_method"] = "client_secret_basic"; break;
            case "wrong_client_id": body["client_id"] = "obc_someone_else"; break;
            case "http_redirect": body["redirect_uris"] = new[] { "http://partner.example/cb" }; break;
            default: body["registration_access_token"] = token; break;
        }

        using var refused = await SendAsync(HttpMethod.Put, clientId, token, body);
        using var read = await SendAsync(HttpMethod.Get, clientId, token);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode); // the token was not rotated
        var partner = await PartnerAsync(partnerId);
        Assert.Equal("Directory TPP", partner.Name);
        Assert.Equal("approved", partner.Status);
    }

    [Fact]
    public async Task An_update_without_the_token_is_401_and_new_redirect_uris_send_the_partner_back_to_pending_for_re_verification()
    {
        using var agent = f.Host.NewAgent();
        var (clientId, partnerId, token) = await RegisterApprovedAsync(agent);
        var body = Metadata(agent, clientId);
        body["redirect_uris"] = new[] { "https://partner.example/new-callback" };

        using var anonymous = await SendAsync(HttpMethod.Put, clientId, "rat_wrong", body);
        using var updated = await SendAsync(HttpMethod.Put, clientId, token, body);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var partner = await PartnerAsync(partnerId);
        Assert.Equal("pending", partner.Status);
        Assert.DoesNotContain("redirect_uris_verified", partner.ChecklistDone, StringComparison.Ordinal);
        Assert.Contains("keys_verified", partner.ChecklistDone, StringComparison.Ordinal);
        Assert.Equal("https://partner.example/new-callback", partner.RedirectUris);
    }

    [Fact]
    public async Task A_delete_disables_the_partner_is_audited_and_neither_the_token_nor_the_client_works_afterwards()
    {
        using var agent = f.Host.NewAgent();
        var (clientId, partnerId, token) = await RegisterApprovedAsync(agent);
        Assert.False(string.IsNullOrEmpty(await agent.ClientCredentialsAsync(OpenBankingScopes.Accounts)));

        using var deleted = await SendAsync(HttpMethod.Delete, clientId, token);
        using var read = await SendAsync(HttpMethod.Get, clientId, token);
        using var again = await SendAsync(HttpMethod.Delete, clientId, token);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Equal(RegistrationManagement.Disabled, (await PartnerAsync(partnerId)).Status);
        await Assert.ThrowsAsync<InvalidOperationException>(() => agent.ClientCredentialsAsync(OpenBankingScopes.Accounts));
        var audit = await f.Host.Admin.GetStringAsync(new Uri("/v1/audit?category=partner&limit=500", UriKind.Relative));
        Assert.Contains("partner_disabled", audit, StringComparison.Ordinal);
    }

    private async Task<(string ClientId, string PartnerId, string Token)> RegisterApprovedAsync(PartnerAgent agent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Register) { Content = JsonContent.Create(Metadata(agent, null)) };
        request.Headers.Authorization = f.Host.Admin.DefaultRequestHeaders.Authorization;
        using var response = await f.Host.Admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var partnerId = created.GetProperty("partner_id").GetString()!;
        foreach (var item in Partners.Checklist)
        {
            (await f.Host.Admin.PostAsync(new Uri($"/v1/open-banking/partners/{partnerId}/checklist/{item}", UriKind.Relative), null)).EnsureSuccessStatusCode();
        }

        (await f.Host.Admin.PostAsync(new Uri($"/v1/open-banking/partners/{partnerId}/approve", UriKind.Relative), null)).EnsureSuccessStatusCode();
        agent.ClientId = created.GetProperty("client_id").GetString()!;
        return (agent.ClientId, partnerId, created.GetProperty("registration_access_token").GetString()!);
    }

    private static Dictionary<string, object> Metadata(PartnerAgent agent, string? clientId)
    {
        var metadata = new Dictionary<string, object>
        {
            ["client_name"] = "Directory TPP",
            ["redirect_uris"] = new[] { PartnerAgent.RedirectUri },
            ["token_endpoint_auth_method"] = "private_key_jwt",
            ["grant_types"] = new[] { "authorization_code", "client_credentials" },
            ["scope"] = "ob-accounts ob-payments",
            ["jwks"] = agent.Jwks(),
        };
        if (clientId is not null)
        {
            metadata["client_id"] = clientId;
        }

        return metadata;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string clientId, string token, object? body = null)
    {
        using var http = new HttpClient { BaseAddress = f.Host.Address };
        using var request = new HttpRequestMessage(method, $"{Register}/{clientId}") { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<PartnerRow> PartnerAsync(string partnerId)
    {
        await using var scope = f.Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<PartnerRow>().AsNoTracking().SingleAsync(p => p.Id == partnerId);
    }
}

public sealed class DiscoveryMetadataTests(EventsFixture f) : IClassFixture<EventsFixture>
{
    [Fact]
    public async Task The_discovery_document_names_the_registration_endpoint()
    {
        using var http = new HttpClient { BaseAddress = f.Host.Address };

        var discovery = await http.GetFromJsonAsync<JsonElement>(new Uri("/.well-known/openid-configuration", UriKind.Relative));

        Assert.Equal(new Uri(f.Host.Address, "/connect/register").AbsoluteUri, discovery.GetProperty("registration_endpoint").GetString());
    }
}
