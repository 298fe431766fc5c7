using System.Net.Http.Headers;
using System.Text.Json;

namespace Banyan.Ledger.Client;

/// <summary>
/// OAuth2 client-credentials tokens from the host's <c>/connect/token</c>, cached and refreshed a
/// minute before expiry. Thread-safe: concurrent callers share one fetch.
/// </summary>
internal sealed class TokenProvider(HttpClient http, LedgerClientOptions options, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _refreshAt;

    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        var token = Volatile.Read(ref _token);
        if (token is not null && time.GetUtcNow() < _refreshAt) return token;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_token is not null && time.GetUtcNow() < _refreshAt) return _token;
            return await FetchAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets <paramref name="rejected"/> after a 401, so the next call fetches a new token.</summary>
    public void Invalidate(string rejected) => Interlocked.CompareExchange(ref _token, null, rejected);

    private async Task<string> FetchAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.BaseAddress, "connect/token"))
        {
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "client_credentials"),
                new("client_id", options.ClientId),
                new("client_secret", options.ClientSecret),
                new("scope", options.Scope),
            ]),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new LedgerClientException("the token endpoint could not be reached: " + e.Message, inner: e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LedgerClientException("the token request timed out", inner: e);
        }
        using var _ = response;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new LedgerClientException($"token request failed ({(int)response.StatusCode}): {Truncate(body)}", (int)response.StatusCode);
        }
        using var json = JsonDocument.Parse(body);
        var token = json.RootElement.GetProperty("access_token").GetString()
            ?? throw new LedgerClientException("token response has no access_token");
        var lifetime = json.RootElement.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt32(out var s) ? TimeSpan.FromSeconds(s) : TimeSpan.FromMinutes(5);
        _refreshAt = time.GetUtcNow() + (lifetime > RefreshMargin * 2 ? lifetime - RefreshMargin : lifetime / 2);
        Volatile.Write(ref _token, token);
        return token;
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300];

    public void Dispose() => _gate.Dispose();
}
