using System.Net.Http.Headers;
using System.Text.Json;

namespace Banyan.Testing;

/// <summary>HTTP clients for a real test host, signed in with client credentials for the scopes a test needs.</summary>
public static class BearerClients
{
    /// <summary>A client for <paramref name="baseAddress"/> whose bearer token carries <paramref name="scopes"/> (space-separated).</summary>
    /// <exception cref="InvalidOperationException">The token endpoint refused the request (the body is in the message).</exception>
    public static async Task<HttpClient> WithScopesAsync(Uri baseAddress, string clientId, string clientSecret, string scopes)
    {
        var http = new HttpClient { BaseAddress = baseAddress };
        using var form = new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"),
            new("client_id", clientId),
            new("client_secret", clientSecret),
            new("scope", scopes),
        ]);
        using var response = await http.PostAsync(new Uri("connect/token", UriKind.Relative), form);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            http.Dispose();
            throw new InvalidOperationException("token request failed: " + body);
        }

        using var json = JsonDocument.Parse(body);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("access_token").GetString());
        return http;
    }
}
