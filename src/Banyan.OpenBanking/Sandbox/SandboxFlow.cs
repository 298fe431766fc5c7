using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.Platform.Http;

namespace Banyan.OpenBanking.Sandbox;

/// <summary>What came back to the partner's redirect URI (or where the flow stopped).</summary>
internal sealed record AuthorizeResult(string? Code, string? State, string? Issuer, string? Error, string Verifier, HttpStatusCode LastStatus, string LastHtml);

/// <summary>
/// The acceptance path as steps: onboard a sandbox partner (admin API), generate a test customer, and run
/// PAR → login (password + TOTP) → consent page → redirect with code and <c>iss</c>. The demo and the tests
/// drive these; each step is plain HTTP against the host.
/// </summary>
internal static class SandboxFlow
{
    public static async Task<PartnerView> OnboardAsync(HttpClient admin, PartnerAgent agent, string name, bool requireJws = false)
    {
        var registration = new RegisterPartner(name, [PartnerAgent.RedirectUri], Partners.PartnerScopes, agent.Jwks(), Sandbox: true, RequireJwsSignature: requireJws);
        var partner = await ReadAsync<PartnerView>(await admin.PostAsJsonAsync("/v1/open-banking/partners", registration, BanyanJson.Options));
        foreach (var item in Partners.Checklist)
        {
            (await admin.PostAsync($"/v1/open-banking/partners/{partner.PartnerId}/checklist/{item}", null)).EnsureSuccessStatusCode();
        }

        partner = await ReadAsync<PartnerView>(await admin.PostAsync($"/v1/open-banking/partners/{partner.PartnerId}/approve", null));
        agent.ClientId = partner.ClientId;
        return partner;
    }

    public static async Task<SandboxCredentials> NewCustomerAsync(HttpClient admin, string partnerId, long depositMinor = 1_000_000)
    {
        var created = await ReadAsync<SandboxCustomerView>(await admin.PostAsJsonAsync($"/v1/open-banking/partners/{partnerId}/sandbox-customers",
            new CreateSandboxCustomer("CNY", depositMinor), BanyanJson.Options));
        return new SandboxCredentials(created.UserName, created.Password, created.TotpSecret, created.AccountId, created.RecoveryCodes);
    }

    public static async Task<ConsentView> CreateConsentAsync(PartnerAgent agent, string path, string scope, object body)
    {
        var token = await agent.ClientCredentialsAsync(scope);
        return await ReadAsync<ConsentView>(await agent.CallAsync(HttpMethod.Post, path, token, body));
    }

    /// <summary>Runs the browser part. <paramref name="login"/> null means the browser already has a session.</summary>
    public static async Task<AuthorizeResult> AuthorizeAsync(PartnerAgent agent, CustomerBrowser browser, SandboxCredentials login, string scope, string consentId, TimeProvider time, string decision = "grant")
    {
        var (verifier, challenge) = PartnerAgent.Pkce();
        var state = Guid.NewGuid().ToString("N");
        var (status, pushed) = await agent.PushAsync(scope, consentId, state, challenge);
        if (status != HttpStatusCode.Created)
        {
            return new AuthorizeResult(null, null, null, pushed.GetRawText(), verifier, status, "");
        }

        var authorize = $"/connect/authorize?client_id={Uri.EscapeDataString(agent.ClientId)}&request_uri={Uri.EscapeDataString(pushed.GetProperty("request_uri").GetString()!)}";
        var (response, html) = await browser.GetAsync(authorize);
        if (html.Contains("action=\"/open-banking/login\"", StringComparison.Ordinal))
        {
            var fields = CustomerBrowser.FormFields(html);
            fields.Add(new("username", login.UserName));
            fields.Add(new("password", login.Password));
            fields.Add(new("totp", login.Code(time.GetUtcNow())));
            (response, html) = await browser.PostAsync("/open-banking/login", fields);
            if (response.StatusCode != HttpStatusCode.Redirect)
            {
                return new AuthorizeResult(null, null, null, "login_failed", verifier, response.StatusCode, html);
            }

            (response, html) = await browser.GetAsync(response.Headers.Location!.OriginalString);
        }

        if (response.StatusCode == HttpStatusCode.OK && html.Contains("name=\"decision\"", StringComparison.Ordinal))
        {
            var fields = CustomerBrowser.FormFields(html);
            fields.Add(new("decision", decision));
            (response, html) = await browser.PostAsync("/connect/authorize", fields);
        }

        return FromRedirect(response, html, verifier);
    }

    private static AuthorizeResult FromRedirect(HttpResponseMessage response, string html, string verifier)
    {
        var location = response.Headers.Location;
        if (response.StatusCode != HttpStatusCode.Redirect || location is null || !location.OriginalString.StartsWith(PartnerAgent.RedirectUri, StringComparison.Ordinal))
        {
            return new AuthorizeResult(null, null, null, "no_redirect", verifier, response.StatusCode, html);
        }

        var query = location.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
        return new AuthorizeResult(query.GetValueOrDefault("code"), query.GetValueOrDefault("state"), query.GetValueOrDefault("iss"), query.GetValueOrDefault("error"), verifier, response.StatusCode, html);
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
            }

            return (await response.Content.ReadFromJsonAsync<T>(BanyanJson.Options))!;
        }
    }

    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
