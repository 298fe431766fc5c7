using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Banyan.StaffConsole.Api;

/// <summary>
/// The backend-for-frontend's only door into the platform: real HTTP calls to this host's own
/// <c>/v1</c> API over loopback, with the console client's token and the staff member as actor.
/// Pages never touch another module's services or tables. Tokens are cached until a minute before
/// expiry. Bodies are capped; errors come back as the API's problem documents.
/// </summary>
internal sealed class ConsoleApi(IServer server, ConsoleClientCredentials credentials, TimeProvider time) : IDisposable
{
    private const int MaxResponseBytes = 4 * 1024 * 1024;
    private static readonly JsonSerializerOptions Json = BanyanJson.Options;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(30),
        MaxResponseContentBufferSize = MaxResponseBytes,
    };

    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private (string Token, DateTimeOffset Expires)? _token;
    private Uri? _base;

    public Task<ApiResult<T>> GetAsync<T>(string path, string actor, CancellationToken ct) => SendAsync<T>(HttpMethod.Get, path, null, actor, ct);

    public Task<ApiResult<T>> PostAsync<T>(string path, object body, string actor, CancellationToken ct) => SendAsync<T>(HttpMethod.Post, path, body, actor, ct);

    /// <summary>A non-API resource of this host (e.g. <c>/metrics</c>) as text.</summary>
    public async Task<string?> GetTextAsync(string path, CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri(BaseAddress(), path), ct);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(ct) : null;
    }

    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, object? body, string actor, CancellationToken ct)
    {
        if (!path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            throw new ArgumentException("The console calls the /v1 API only.", nameof(path));
        }

        using var request = new HttpRequestMessage(method, new Uri(BaseAddress(), path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(ct));
        request.Headers.TryAddWithoutValidation(ActorPropagation.Header, actor);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        using var response = await _http.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            _token = null;
        }

        if (!response.IsSuccessStatusCode)
        {
            var problem = await ReadProblemAsync(response, ct);
            return new ApiResult<T>(default, problem);
        }

        var value = await response.Content.ReadFromJsonAsync<T>(Json, ct);
        return new ApiResult<T>(value, null);
    }

    private static async Task<ApiProblem> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var doc = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            var title = doc.TryGetProperty("title", out var t) ? t.GetString() : null;
            var detail = doc.TryGetProperty("detail", out var d) ? d.GetString() : null;
            return new ApiProblem((int)response.StatusCode, title ?? response.ReasonPhrase ?? "error", detail);
        }
        catch (JsonException)
        {
            return new ApiProblem((int)response.StatusCode, response.ReasonPhrase ?? "error", null);
        }
    }

    private async Task<string> TokenAsync(CancellationToken ct)
    {
        if (_token is { } cached && cached.Expires > time.GetUtcNow())
        {
            return cached.Token;
        }

        await _tokenLock.WaitAsync(ct);
        try
        {
            if (_token is { } again && again.Expires > time.GetUtcNow())
            {
                return again.Token;
            }

            await credentials.Ready.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = ConsoleClientCredentials.ClientId,
                ["client_secret"] = credentials.Secret,
            });
            using var response = await _http.PostAsync(new Uri(BaseAddress(), "/connect/token"), form, ct);
            response.EnsureSuccessStatusCode();
            var doc = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            var token = doc.GetProperty("access_token").GetString() ?? throw new InvalidOperationException("token response without access_token");
            var lifetime = doc.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) ? seconds : 300;
            _token = (token, time.GetUtcNow().AddSeconds(Math.Max(lifetime - 60, 10)));
            return token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    /// <summary>This host's own address, as a loopback URL (a wildcard listener is reached on 127.0.0.1).</summary>
    private Uri BaseAddress()
    {
        if (_base is not null)
        {
            return _base;
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var first = addresses.Select(a => new Uri(a.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)))
            .OrderBy(u => u.Scheme == "http" ? 0 : 1)
            .FirstOrDefault() ?? throw new InvalidOperationException("The host has no listening address yet.");
        _base = new Uri(first.GetLeftPart(UriPartial.Authority) + "/");
        return _base;
    }

    public void Dispose()
    {
        _http.Dispose();
        _tokenLock.Dispose();
    }
}

/// <summary>A value or the API's problem.</summary>
internal sealed record ApiResult<T>(T? Value, ApiProblem? Problem)
{
    public bool Ok => Problem is null;
}

/// <summary>The essentials of an RFC 9457 problem document, for showing to staff.</summary>
internal sealed record ApiProblem(int Status, string Title, string? Detail);
