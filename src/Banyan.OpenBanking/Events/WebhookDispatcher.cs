using System.Net.Http.Headers;
using System.Text;
using Banyan.OpenBanking.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.OpenBanking.Events;

/// <summary>
/// Delivers due outbox deliveries over HTTP (IHttpClientFactory client <see cref="ClientName"/>). Each delivery
/// is claimed by a conditional update that pushes its due time past the request timeout, so two dispatchers
/// (two hosts on one database) never send the same attempt twice; a dispatcher that dies mid-attempt leaves
/// the claim to expire and the attempt is made again (at-least-once: receivers dedupe by <c>webhook-id</c>).
/// </summary>
internal sealed class WebhookDispatcher(
    IServiceScopeFactory scopes, EventOutbox outbox, IHttpClientFactory clients, IDataProtectionProvider protection,
    WebhookOptions options, TimeProvider time, ILogger<WebhookDispatcher> log) : BackgroundService
{
    public const string ClientName = "banyan-webhooks";
    public const string SecretPurpose = "Banyan.OpenBanking.WebhookSecret.v1";
    private const int Batch = 32;
    private const int Parallelism = 4;
    private const int MaxErrorLength = 256;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int sent;
            try
            {
                sent = await DispatchDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A failing round (database briefly unavailable, a row gone) must not stop the host: the
                // deliveries stay due, claimed ones come back when their lease ends, and the next round tries again.
                log.LogWarning(ex, "Webhook dispatch round failed");
                sent = 0;
            }

            if (sent == 0)
            {
                await WaitAsync(stoppingToken);
            }
        }
    }

    /// <summary>One round: claims and attempts up to <see cref="Batch"/> due deliveries; returns how many it attempted.</summary>
    internal async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        List<DeliveryRow> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            due = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<DeliveryRow>().AsNoTracking()
                .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAtUnixMs <= now)
                .OrderBy(d => d.NextAttemptAtUnixMs).Take(Batch).ToListAsync(cancellationToken);
        }

        var attempted = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (delivery, ct) =>
        {
            if (await ClaimAsync(delivery, ct))
            {
                await AttemptAsync(delivery, ct);
                Interlocked.Increment(ref attempted);
            }
        });
        return attempted;
    }

    private async Task<bool> ClaimAsync(DeliveryRow delivery, CancellationToken cancellationToken)
    {
        var lease = (time.GetUtcNow() + options.Timeout + TimeSpan.FromSeconds(30)).ToUnixTimeMilliseconds();
        await using var scope = scopes.CreateAsyncScope();
        var claimed = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<DeliveryRow>()
            .Where(d => d.Id == delivery.Id && d.Status == DeliveryStatus.Pending && d.NextAttemptAtUnixMs == delivery.NextAttemptAtUnixMs)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAtUnixMs, lease), cancellationToken);
        return claimed == 1;
    }

    private async Task AttemptAsync(DeliveryRow claimed, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var delivery = await db.Set<DeliveryRow>().SingleAsync(d => d.Id == claimed.Id, cancellationToken);
        var e = await db.Set<EventRow>().AsNoTracking().SingleAsync(x => x.Id == delivery.EventId, cancellationToken);
        var endpoint = await db.Set<WebhookEndpointRow>().AsNoTracking().FirstOrDefaultAsync(w => w.Id == delivery.EndpointId, cancellationToken);
        var started = time.GetUtcNow();
        var (status, error) = endpoint is null ? (null, "the webhook endpoint was deleted") : await SendAsync(endpoint, e, started, cancellationToken);

        var attempt = checked(delivery.Attempts + 1);
        var succeeded = status is >= 200 and < 300;
        long? next = succeeded || endpoint is null || attempt >= options.MaxAttempts
            ? null
            : (started + options.Backoff(attempt, Random.Shared.NextDouble())).ToUnixTimeMilliseconds();
        delivery.Attempts = attempt;
        delivery.Status = succeeded ? DeliveryStatus.Delivered : next is null ? DeliveryStatus.Failed : DeliveryStatus.Pending;
        delivery.NextAttemptAtUnixMs = next ?? delivery.NextAttemptAtUnixMs;
        delivery.UpdatedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        db.Add(new DeliveryAttemptRow
        {
            DeliveryId = delivery.Id, EventId = e.Id, Attempt = attempt, AttemptedAtUnixMs = started.ToUnixTimeMilliseconds(),
            StatusCode = status, Error = error, NextAttemptAtUnixMs = next,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<(int? Status, string? Error)> SendAsync(WebhookEndpointRow endpoint, EventRow e, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(e.Body);
        var secret = protection.CreateProtector(SecretPurpose).Unprotect(endpoint.ProtectedSecret);
        var timestamp = at.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.Add(WebhookSignature.IdHeader, e.Id);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, e.Id, timestamp, body));
        using var deadline = new CancellationTokenSource(options.Timeout, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            // Headers only: the receiver's body is not read (nor stored), which also bounds what a receiver can make us buffer.
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return (code, code is >= 200 and < 300 ? null : $"HTTP {code}");
        }
        catch (HttpRequestException ex)
        {
            return (null, Truncate(ex.Message));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no response within {options.Timeout.TotalSeconds:0.###} s");
        }
    }

    private async Task WaitAsync(CancellationToken stoppingToken)
    {
        using var poll = new CancellationTokenSource(options.PollInterval, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, poll.Token);
        try
        {
            await outbox.WakeUps.WaitToReadAsync(linked.Token);
            outbox.WakeUps.TryRead(out _);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The poll interval passed: look for retries that became due.
        }
    }

    private static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
}
