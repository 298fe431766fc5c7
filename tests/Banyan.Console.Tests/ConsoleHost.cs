using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Banyan.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Console.Tests;

/// <summary>A real host on Kestrel (127.0.0.1, ephemeral port) with --demo data and a few AML alerts imported over the API.</summary>
internal sealed class ConsoleHost : IAsyncDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "banyan-console-" + Guid.NewGuid().ToString("N"));

    public WebApplication App { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public IReadOnlyList<long> CaseIds { get; private set; } = [];

    public static async Task<ConsoleHost> StartAsync()
    {
        var host = new ConsoleHost();
        host.App = BanyanServer.Build(["--demo", "--data", host._data, "--urls", "http://127.0.0.1:0"]);
        await host.App.StartAsync();
        var address = host.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.Address = new Uri(address.TrimEnd('/') + "/");
        host.CaseIds = await host.ImportAlertsAsync();
        return host;
    }

    private async Task<IReadOnlyList<long>> ImportAlertsAsync()
    {
        using var api = await App.CreateAuthorizedClientAsync();
        var lines = new StringBuilder()
            .AppendLine("""{"alert_id":"e2e-1","typology":"structuring","subject_account":"acc-101","reason":"nine cash deposits just under the threshold","score":0.91,"transaction_ids":["t1","t2"]}""")
            .AppendLine("""{"alert_id":"e2e-2","typology":"rapid_movement","subject_account":"acc-202","reason":"funds in and out within an hour","score":0.77,"transaction_ids":["t3"]}""")
            .AppendLine("""{"alert_id":"e2e-3","typology":"structuring","subject_account":"acc-303","reason":"split deposits across branches","score":0.66,"transaction_ids":["t4"]}""");
        using var content = new StringContent(lines.ToString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await api.PostAsync(new Uri("v1/aml/alerts/import", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("case_ids").EnumerateArray().Select(e => e.GetInt64())];
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still held open by SQLite is removed with the temp directory later.
        }
    }
}

/// <summary>The test classes that share one host (and so run one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleHostCollection : ICollectionFixture<ConsoleHostFixture>
{
    public const string Name = "console host";
}

/// <summary>One host for the collection: demo seeding (ledger, credit, lending) takes most of a minute.</summary>
public sealed class ConsoleHostFixture : IAsyncLifetime
{
    private Task<ConsoleHost>? _host;

    internal Task<ConsoleHost> HostAsync() => _host ??= ConsoleHost.StartAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await (await _host).DisposeAsync();
        }
    }
}
