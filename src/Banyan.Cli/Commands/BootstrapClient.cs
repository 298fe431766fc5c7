using System.Text.Json;

namespace Banyan.Cli.Commands;

/// <summary>The bootstrap client file the server writes on first start (<c>&lt;data&gt;/bootstrap-client.json</c>).</summary>
internal sealed record BootstrapClient(string ClientId, string ClientSecret, IReadOnlyList<string> Scopes)
{
    public static BootstrapClient Read(string dataDirectory)
    {
        var id = Environment.GetEnvironmentVariable("BANYAN_BOOTSTRAP_CLIENT_ID");
        var secret = Environment.GetEnvironmentVariable("BANYAN_BOOTSTRAP_CLIENT_SECRET");
        var path = Path.Combine(dataDirectory, "bootstrap-client.json");
        if (!File.Exists(path))
        {
            if (id is not null && secret is not null) return new BootstrapClient(id, secret, []);
            throw new InvalidOperationException($"no bootstrap client at {path}");
        }
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        var scopes = root.TryGetProperty("scopes", out var s) ? s.EnumerateArray().Select(e => e.GetString() ?? "").ToList() : [];
        return new BootstrapClient(
            root.GetProperty("client_id").GetString() ?? throw new InvalidOperationException("bootstrap client has no client_id"),
            root.GetProperty("client_secret").GetString() ?? throw new InvalidOperationException("bootstrap client has no client_secret"),
            scopes);
    }
}
