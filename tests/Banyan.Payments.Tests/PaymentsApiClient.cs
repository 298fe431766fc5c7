using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Server;

namespace Banyan.Payments.Tests;

/// <summary>
/// A real payments host with an authorised HTTP client, and the status + JSON body helpers the HTTP tests
/// share. Subclasses choose how the host starts.
/// </summary>
public abstract class PaymentsApiClient : IAsyncLifetime
{
    private PaymentsHost _host = null!;

    /// <summary>The client with the bootstrap client's token, based at the host's address.</summary>
    protected HttpClient Api { get; private set; } = null!;

    /// <summary>Starts the host the tests run against.</summary>
    private protected abstract Task<PaymentsHost> StartHostAsync();

    public async Task InitializeAsync()
    {
        _host = await StartHostAsync();
        Api = await _host.App.CreateAuthorizedClientAsync();
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await _host.DisposeAsync();
    }

    protected async Task<(int Status, JsonElement Body)> PostAsync(string path, object body)
    {
        using var response = await Api.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);
        return await ReadAsync(response);
    }

    protected async Task<(int Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await Api.GetAsync(new Uri(path, UriKind.Relative));
        return await ReadAsync(response);
    }

    protected static async Task<(int Status, JsonElement Body)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
