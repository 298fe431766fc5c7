using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Banyan.OpenBanking.Tests;

/// <summary>What one webhook POST carried.</summary>
internal sealed record ReceivedWebhook(int Call, string Id, string Timestamp, string Signature, byte[] Body);

/// <summary>A partner's webhook receiver: a real Kestrel listener on 127.0.0.1 answering with a scripted status per call.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private WebApplication _app = null!;
    private int _calls;

    private WebhookReceiver(Func<int, int> status) => Status = status;

    /// <summary>Call number (1-based) → the HTTP status to answer.</summary>
    public Func<int, int> Status { get; set; }

    public string Url { get; private set; } = "";

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public static async Task<WebhookReceiver> StartAsync(Func<int, int> status)
    {
        var receiver = new WebhookReceiver(status);
        // Its own content root, so no appsettings of the Banyan host under test leaks in.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var call = Interlocked.Increment(ref receiver._calls);
            receiver._received.Enqueue(new ReceivedWebhook(call, http.Request.Headers["webhook-id"].ToString(), http.Request.Headers["webhook-timestamp"].ToString(),
                http.Request.Headers["webhook-signature"].ToString(), buffer.ToArray()));
            return Results.StatusCode(receiver.Status(call));
        });
        await app.StartAsync();
        receiver._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address.TrimEnd('/') + "/hook";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
