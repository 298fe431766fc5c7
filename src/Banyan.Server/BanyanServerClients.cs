using System.Net.Http.Headers;
using System.Text.Json;
using Banyan.Server.Identity;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Banyan.Server;

/// <summary>Helpers for code that drives a running host from the same process (e.g. <c>banyan demo</c>).</summary>
public static class BanyanServerClients
{
    private const int MaxTokenResponseBytes = 64 * 1024;

    /// <summary>
    /// An <see cref="HttpClient"/> for a started host: base address set to its first listening address and a
    /// bearer token of the bootstrap client (every scope). The caller disposes it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The host is not listening yet or no bootstrap credentials exist.</exception>
    public static async Task<HttpClient> CreateAuthorizedClientAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The host has no listening address; start it first.");
        var (clientId, secret) = Credentials(app);
        var client = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") };
        try
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = clientId,
                ["client_secret"] = secret,
            });
            using var response = await client.PostAsync(new Uri(IdentityRegistration.TokenPath.TrimStart('/'), UriKind.Relative), form, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode || body.Length > MaxTokenResponseBytes)
            {
                throw new InvalidOperationException($"The token endpoint refused the bootstrap client ({(int)response.StatusCode}).");
            }

            var token = JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()
                ?? throw new InvalidOperationException("The token response had no access_token.");
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static (string ClientId, string Secret) Credentials(WebApplication app)
    {
        var id = app.Configuration[BootstrapClient.ClientIdVariable];
        var secret = app.Configuration[BootstrapClient.ClientSecretVariable];
        if (!string.IsNullOrWhiteSpace(id) && !string.IsNullOrWhiteSpace(secret))
        {
            return (id, secret);
        }

        var settings = app.Services.GetRequiredService<Startup.HostSettings>();
        var path = Path.Combine(settings.DataDirectory, BootstrapClient.FileName);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"No bootstrap credentials: neither {BootstrapClient.ClientIdVariable}/{BootstrapClient.ClientSecretVariable} nor {path}.");
        }

        var file = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        return (file.GetProperty("client_id").GetString()!, file.GetProperty("client_secret").GetString()!);
    }
}
