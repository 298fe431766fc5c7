using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Platform;
using Banyan.Platform.Http;
using Spectre.Console;

namespace Banyan.Gateway;

/// <summary>
/// The gateway part of <c>banyan demo</c>, over real HTTP: the demo client (as a partner) gets a small
/// plan, fires a burst at the protected echo endpoint, and sees 429s with Retry-After and detector
/// blocks with reasons; then the operator view (decisions, usage). The plan and blocks are restored at the end.
/// </summary>
internal static class GatewayDemo
{
    private const int BurstCalls = 24;

    public static async Task RunAsync(DemoContext demo, CancellationToken ct)
    {
        var api = demo.Api;
        var console = demo.Console;
        var echo = await GetAsync(api, "/v1/gateway/echo", ct);
        var partner = echo.GetProperty("partner").GetString()!;
        var limitsPath = $"/v1/gateway/partners/{Uri.EscapeDataString(partner)}/limits";
        var original = await GetAsync(api, limitsPath, ct);
        var small = new PartnerLimitsView(5, 600, 10_000, 1_000_000);
        try
        {
            await SendAsync(api.PutAsJsonAsync(new Uri(limitsPath, UriKind.Relative), small, BanyanJson.Options, ct));
            console.MarkupLineInterpolated($"Partner [bold]{partner}[/] now on a plan of {small.PerSecond}/s, {small.PerMinute}/min (PUT {limitsPath})");
            await BurstAsync(demo, ct);
            await ShowDecisionsAsync(demo, partner, ct);
            var usage = await GetAsync(api, $"/v1/gateway/usage?partner={Uri.EscapeDataString(partner)}", ct);
            console.MarkupLineInterpolated($"GET /v1/gateway/usage: {usage.GetProperty("billable_calls").GetInt64()} billable call(s) in {usage.GetProperty("month").GetString()} (blocked and limited calls are not billed)");
        }
        finally
        {
            var restore = original.Deserialize<PartnerLimitsView>(BanyanJson.Options)!;
            await SendAsync(api.PutAsJsonAsync(new Uri(limitsPath, UriKind.Relative), restore, BanyanJson.Options, ct));
            await SendAsync(api.PostAsync(new Uri($"/v1/gateway/partners/{Uri.EscapeDataString(partner)}/release", UriKind.Relative), null, ct));
            console.MarkupLine("Plan restored and quarantines lifted (POST …/release).");
        }
    }

    private static async Task BurstAsync(DemoContext demo, CancellationToken ct)
    {
        var calls = Enumerable.Range(0, BurstCalls).Select(i => demo.Api.GetAsync(new Uri($"/v1/gateway/echo/{i}", UriKind.Relative), ct)).ToArray();
        var responses = await Task.WhenAll(calls);
        try
        {
            var counts = responses.GroupBy(r => (int)r.StatusCode).OrderBy(g => g.Key).Select(g => $"{g.Count()} x {g.Key}");
            demo.Console.MarkupLineInterpolated($"Burst of {BurstCalls} concurrent GET /v1/gateway/echo: {string.Join(", ", counts)}");
            if (responses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests) is { } limited)
            {
                var problem = await limited.Content.ReadFromJsonAsync<JsonElement>(ct);
                demo.Console.MarkupLineInterpolated($"  429 Retry-After: {limited.Headers.RetryAfter} — {problem.GetProperty("detail").GetString()}");
            }

            if (responses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.Forbidden) is { } blocked)
            {
                var problem = await blocked.Content.ReadFromJsonAsync<JsonElement>(ct);
                demo.Console.MarkupLineInterpolated($"  403 {problem.GetProperty("type").GetString()} — {problem.GetProperty("detail").GetString()}");
            }
        }
        finally
        {
            foreach (var response in responses) response.Dispose();
        }
    }

    private static async Task ShowDecisionsAsync(DemoContext demo, string partner, CancellationToken ct)
    {
        var page = await GetAsync(demo.Api, $"/v1/gateway/decisions?partner={Uri.EscapeDataString(partner)}&limit=5", ct);
        var table = new Table().AddColumns("id", "at", "outcome", "endpoint", "reasons");
        foreach (var d in page.GetProperty("items").EnumerateArray())
        {
            table.AddRow(
                d.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture),
                d.GetProperty("at").GetDateTimeOffset().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture),
                d.GetProperty("outcome").GetString()!,
                Markup.Escape(d.GetProperty("endpoint").GetString()!),
                Markup.Escape(string.Join("; ", d.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()))));
        }

        demo.Console.MarkupLine("GET /v1/gateway/decisions (newest 5, also in the audit log under category gateway):");
        demo.Console.Write(table);
    }

    private static async Task<JsonElement> GetAsync(HttpClient api, string path, CancellationToken ct) =>
        await SendAsync(api.GetAsync(new Uri(path, UriKind.Relative), ct));

    private static async Task<JsonElement> SendAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
