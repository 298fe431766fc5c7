using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Registration;
using Banyan.OpenBanking.Sandbox;
using Banyan.OpenBanking.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Tests;

public sealed class DynamicRegistrationTests(EventsFixture f) : IClassFixture<EventsFixture>
{
    private const string Register = "/connect/register";

    [Fact]
    public async Task A_software_statement_registration_becomes_a_pending_partner_that_after_approval_gets_tokens()
    {
        using var agent = f.Host.NewAgent();
        var statement = Statement(agent);

        using var response = await PostAsync(new { software_statement = statement });
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("pending", created.GetProperty("status").GetString());
        Assert.Equal("private_key_jwt", created.GetProperty("token_endpoint_auth_method").GetString());
        Assert.Equal("sw-123", created.GetProperty("software_id").GetString());
        Assert.False(created.GetProperty("sandbox").GetBoolean());
        var clientId = created.GetProperty("client_id").GetString()!;
        var partnerId = created.GetProperty("partner_id").GetString()!;
        var registrationToken = created.GetProperty("registration_access_token").GetString()!;
        Assert.EndsWith($"{Register}/{clientId}", created.GetProperty("registration_client_uri").GetString(), StringComparison.Ordinal);

        // Not a client until an operator has worked through the same checklist as for admin registrations.
        agent.ClientId = clientId;
        await Assert.ThrowsAsync<InvalidOperationException>(() => agent.ClientCredentialsAsync(OpenBankingScopes.Accounts));
        foreach (var item in Partners.Checklist)
        {
            (await f.Host.Admin.PostAsync(new Uri($"/v1/open-banking/partners/{partnerId}/checklist/{item}", UriKind.Relative), null)).EnsureSuccessStatusCode();
        }

        (await f.Host.Admin.PostAsync(new Uri($"/v1/open-banking/partners/{partnerId}/approve", UriKind.Relative), null)).EnsureSuccessStatusCode();
        var token = await agent.ClientCredentialsAsync(OpenBankingScopes.Accounts);
        Assert.False(string.IsNullOrEmpty(token));

        // RFC 7592 read: with the registration access token only.
        var read = await ReadAsync(clientId, registrationToken);
        using var wrong = await ReadResponseAsync(clientId, "rat_not-the-token");
        Assert.Equal("approved", read.GetProperty("status").GetString());
        Assert.Equal(clientId, read.GetProperty("client_id").GetString());
        Assert.False(read.TryGetProperty("registration_access_token", out var rat) && rat.ValueKind != JsonValueKind.Null);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task An_operators_initial_access_token_registers_a_sandbox_partner_from_plain_metadata()
    {
        using var agent = f.Host.NewAgent();
        using var request = new HttpRequestMessage(HttpMethod.Post, Register) { Content = JsonContent.Create(Metadata(agent)) };
        request.Headers.Authorization = f.Host.Admin.DefaultRequestHeaders.Authorization;

        using var response = await f.Host.Admin.SendAsync(request);
        using var anonymous = await PostAsync(Metadata(agent));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(created.GetProperty("sandbox").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    public static TheoryData<string, string> Violations => new()
    {
        { "client_secret_basic", ClientMetadata.InvalidClientMetadata },
        { "no_auth_method", ClientMetadata.InvalidClientMetadata },
        { "http_redirect", ClientMetadata.InvalidRedirectUri },
        { "jwks_uri", ClientMetadata.InvalidClientMetadata },
        { "implicit_grant", ClientMetadata.InvalidClientMetadata },
        { "unknown_scope", ClientMetadata.InvalidClientMetadata },
        { "foreign_key_signature", ClientMetadata.InvalidSoftwareStatement },
        { "untrusted_issuer", ClientMetadata.InvalidSoftwareStatement },
        { "expired", ClientMetadata.InvalidSoftwareStatement },
        { "tampered", ClientMetadata.InvalidSoftwareStatement },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task A_registration_outside_the_FAPI_profile_is_an_RFC_7591_error_and_registers_nothing(string violation, string error)
    {
        using var agent = f.Host.NewAgent();
        using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var statement = violation switch
        {
            "client_secret_basic" => Statement(agent, m => m["token_endpoint_auth_method"] = "client_secret_basic"),
            "no_auth_method" => Statement(agent, m => m.Remove("token_endpoint_auth_method")),
            "http_redirect" => Statement(agent, m => m["redirect_uris"] = new[] { "http://tpp.example/callback" }),
            "jwks_uri" => Statement(agent, m => m["jwks_uri"] = "https://tpp.example/jwks"),
            "implicit_grant" => Statement(agent, m => m["grant_types"] = new[] { "implicit" }),
            "unknown_scope" => Statement(agent, m => m["scope"] = "ob-accounts admin"),
            "foreign_key_signature" => Statement(agent, key: foreign),
            "untrusted_issuer" => Statement(agent, m => m["iss"] = "https://rogue.example"),
            "expired" => Statement(agent, m => m["exp"] = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds()),
            "tampered" => Tamper(Statement(agent)),
            _ => throw new ArgumentOutOfRangeException(nameof(violation)),
        };
        var partners = await PartnerCountAsync();

        using var response = await PostAsync(new { software_statement = statement });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error_description").GetString()));
        Assert.StartsWith("https://banyan.dev/problems/open-banking/invalid-", body.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(partners, await PartnerCountAsync());
    }

    [Fact]
    public async Task Statement_values_override_the_same_metadata_sent_in_the_clear()
    {
        using var agent = f.Host.NewAgent();
        var metadata = Metadata(agent);
        metadata["client_name"] = "Not The Directory's Name";
        metadata["software_statement"] = Statement(agent);

        using var response = await PostAsync(metadata);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("Directory TPP", created.GetProperty("client_name").GetString());
    }

    private static Dictionary<string, object> Metadata(PartnerAgent agent) => new()
    {
        ["client_name"] = "Directory TPP",
        ["redirect_uris"] = new[] { PartnerAgent.RedirectUri },
        ["token_endpoint_auth_method"] = "private_key_jwt",
        ["grant_types"] = new[] { "authorization_code", "client_credentials" },
        ["response_types"] = new[] { "code" },
        ["scope"] = "ob-accounts ob-payments",
        ["jwks"] = agent.Jwks(),
    };

    private string Statement(PartnerAgent agent, Action<Dictionary<string, object>>? tweak = null, ECDsa? key = null)
    {
        var claims = Metadata(agent);
        claims["iss"] = EventsFixture.DirectoryIssuer;
        claims["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        claims["exp"] = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        claims["software_id"] = "sw-123";
        tweak?.Invoke(claims);
        return EventsFixture.SignStatement(key ?? f.Directory, EventsFixture.DirectoryKid, claims);
    }

    // The payload is swapped for another (valid JSON, more scope) while the signature stays.
    private static string Tamper(string jws)
    {
        var parts = jws.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]))!;
        payload["scope"] = JsonSerializer.SerializeToElement("ob-accounts ob-payments ob-onboarding");
        return parts[0] + "." + Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload)) + "." + parts[2];
    }

    private async Task<HttpResponseMessage> PostAsync(object body)
    {
        using var http = new HttpClient { BaseAddress = f.Host.Address };
        return await http.PostAsJsonAsync(Register, body);
    }

    private async Task<HttpResponseMessage> ReadResponseAsync(string clientId, string token)
    {
        using var http = new HttpClient { BaseAddress = f.Host.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.GetAsync(new Uri($"{Register}/{clientId}", UriKind.Relative));
    }

    private async Task<JsonElement> ReadAsync(string clientId, string token)
    {
        using var response = await ReadResponseAsync(clientId, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<int> PartnerCountAsync()
    {
        await using var scope = f.Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<PartnerRow>().CountAsync();
    }
}
