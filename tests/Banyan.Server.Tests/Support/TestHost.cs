using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Banyan.Server.Tests.Support;

/// <summary>A real host on Kestrel (127.0.0.1, free port) over its own temporary data directory.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    private readonly bool _ownsDirectory;

    private TestHost(WebApplication app, string dataDirectory, bool ownsDirectory, TestModule module, CapturingLoggerProvider logs)
    {
        App = app;
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        Module = module;
        Logs = logs;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public WebApplication App { get; }

    public string DataDirectory { get; }

    public TestModule Module { get; }

    public HttpClient Client { get; }

    public CapturingLoggerProvider Logs { get; }

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "banyan-test-" + Guid.NewGuid().ToString("N"));

    /// <summary>Starts a host. <paramref name="dataDirectory"/> is reused (and kept) when given, to test restarts.</summary>
    public static async Task<TestHost> StartAsync(string[]? extraArgs = null, string? dataDirectory = null, IReadOnlyList<IBanyanModule>? extraModules = null, TimeProvider? time = null)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= NewDataDirectory();
        var module = new TestModule();
        var logs = new CapturingLoggerProvider();
        string[] args = ["--data", dataDirectory, "--urls", "http://127.0.0.1:0", .. extraArgs ?? []];
        var app = BanyanServer.Build(BanyanHostOptions.Parse(args), [module, .. extraModules ?? []], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new TestHost(app, dataDirectory, owns, module, logs);
    }

    public BootstrapFile ReadBootstrapFile() =>
        JsonSerializer.Deserialize<BootstrapFile>(File.ReadAllText(Path.Combine(DataDirectory, "bootstrap-client.json")))!;

    public async Task<HttpResponseMessage> RequestTokenAsync(string clientId, string secret, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        return await Client.PostAsync(new Uri("/connect/token", UriKind.Relative), new FormUrlEncodedContent(form));
    }

    /// <summary>A client whose requests carry a token from the bootstrap client (all scopes unless <paramref name="scope"/> narrows them).</summary>
    public async Task<HttpClient> AuthorizedClientAsync(string? scope = null)
    {
        var file = ReadBootstrapFile();
        using var response = await RequestTokenAsync(file.ClientId, file.ClientSecret, scope);
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        var client = new HttpClient { BaseAddress = Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsDirectory)
        {
            TryDelete(DataDirectory);
        }
    }

    public static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; failing the test over it would hide the real result.
        }
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTime : TimeProvider
{
    private long _ticks = DateTimeOffset.UtcNow.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

internal sealed record BootstrapFile(
    [property: System.Text.Json.Serialization.JsonPropertyName("client_id")] string ClientId,
    [property: System.Text.Json.Serialization.JsonPropertyName("client_secret")] string ClientSecret,
    [property: System.Text.Json.Serialization.JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: System.Text.Json.Serialization.JsonPropertyName("scopes")] string[] Scopes);

/// <summary>Keeps every formatted log line (with its scopes) so tests can assert what is never logged.</summary>
[ProviderAlias("Capturing")]
internal sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new System.Text.StringBuilder();
            owner._scopes.ForEachScope((scope, sb) => sb.Append(" | ").Append(scope is IEnumerable<KeyValuePair<string, object>> pairs ? string.Join(",", pairs.Select(p => $"{p.Key}={p.Value}")) : scope), scopes);
            owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}{scopes}");
        }
    }
}
