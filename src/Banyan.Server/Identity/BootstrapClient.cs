using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.Server.Identity;

/// <summary>
/// The first machine client (decision 0002). From <c>BANYAN_BOOTSTRAP_CLIENT_ID</c>/<c>_SECRET</c>
/// when both are set; otherwise generated once and written to <c>&lt;data&gt;/bootstrap-client.json</c>
/// (mode 0600). Deleting that file rotates the generated secret on the next start.
/// </summary>
internal sealed class BootstrapClient(IOpenIddictApplicationManager applications, IConfiguration configuration, ILogger<BootstrapClient> log)
{
    public const string FileName = "bootstrap-client.json";
    public const string GeneratedClientId = "banyan-bootstrap";
    public const string ClientIdVariable = "BANYAN_BOOTSTRAP_CLIENT_ID";
    public const string ClientSecretVariable = "BANYAN_BOOTSTRAP_CLIENT_SECRET";
    private const int MaxSecretLength = 512;

    /// <summary>Makes sure the client exists with every scope; returns credentials that still need writing to the file, if any.</summary>
    public async Task<BootstrapCredentials?> EnsureAsync(string dataDirectory, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var fromEnvironment = FromEnvironment();
        if (fromEnvironment is not null)
        {
            await EnsureClientAsync(fromEnvironment.Value.ClientId, fromEnvironment.Value.Secret, scopes, cancellationToken);
            log.LogInformation("Bootstrap client {ClientId} provisioned from {Variable}", fromEnvironment.Value.ClientId, ClientIdVariable);
            return null;
        }

        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            var stored = JsonSerializer.Deserialize<BootstrapFile>(File.ReadAllText(path))
                ?? throw new InvalidOperationException($"{path} is empty; delete it to generate a new bootstrap client.");
            await EnsureClientAsync(stored.ClientId, stored.ClientSecret, scopes, cancellationToken);
            return null;
        }

        var secret = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        await EnsureClientAsync(GeneratedClientId, secret, scopes, cancellationToken);
        return new BootstrapCredentials(GeneratedClientId, secret, scopes);
    }

    /// <summary>Writes the generated credentials once the listening address (for <c>token_endpoint</c>) is known.</summary>
    public static string WriteFile(string dataDirectory, BootstrapCredentials credentials, string tokenEndpoint)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var file = new BootstrapFile(credentials.ClientId, credentials.Secret, tokenEndpoint, credentials.Scopes.ToArray());
        SecretFile.Replace(path, JsonSerializer.Serialize(file, new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    // Read through configuration: the environment variables land there unprefixed, and tests can pass them as arguments.
    private (string ClientId, string Secret)? FromEnvironment()
    {
        var id = configuration[ClientIdVariable];
        var secret = configuration[ClientSecretVariable];
        if (string.IsNullOrEmpty(id) && string.IsNullOrEmpty(secret))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(secret) || id.Length > 200 || secret.Length > MaxSecretLength)
        {
            throw new InvalidOperationException(
                $"Set both {ClientIdVariable} (at most 200 characters) and {ClientSecretVariable} (at most {MaxSecretLength}), or neither.");
        }

        return (id, secret);
    }

    private async Task EnsureClientAsync(string clientId, string secret, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var existing = await applications.FindByClientIdAsync(clientId, cancellationToken);
        var descriptor = new OpenIddictApplicationDescriptor();
        if (existing is not null)
        {
            await applications.PopulateAsync(descriptor, existing, cancellationToken);
        }

        descriptor.ClientId = clientId;
        descriptor.DisplayName = "Banyan bootstrap client";
        descriptor.ClientType = ClientTypes.Confidential;
        descriptor.Permissions.Clear();
        descriptor.Permissions.Add(Permissions.Endpoints.Token);
        descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
        foreach (var scope in scopes)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        if (existing is null)
        {
            descriptor.ClientSecret = secret;
            await applications.CreateAsync(descriptor, cancellationToken);
            return;
        }

        // The descriptor carries the stored hash; replacing it with the plain secret makes OpenIddict re-hash.
        if (!await applications.ValidateClientSecretAsync(existing, secret, cancellationToken))
        {
            descriptor.ClientSecret = secret;
            log.LogInformation("Bootstrap client {ClientId}: secret changed, updated", clientId);
        }

        await applications.UpdateAsync(existing, descriptor, cancellationToken);
    }

    private sealed record BootstrapFile(
        [property: JsonPropertyName("client_id")] string ClientId,
        [property: JsonPropertyName("client_secret")] string ClientSecret,
        [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
        [property: JsonPropertyName("scopes")] string[] Scopes);
}

/// <summary>Freshly generated bootstrap credentials, held only until written to the file.</summary>
internal sealed record BootstrapCredentials(string ClientId, string Secret, IReadOnlyList<string> Scopes);
