using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Banyan.Platform;
using Banyan.Platform.Http;
using Spectre.Console;

namespace Banyan.Aml.Demo;

/// <summary>
/// The case part of the AML demo, over the real HTTP API: import the scan's alerts.jsonl, then work one
/// case (assign, comment, evidence, escalate, close as suspicious_reported) and export its STR.
/// </summary>
internal static class CaseWalkthrough
{
    public static async Task RunAsync(DemoContext demo, string alertsPath, CancellationToken cancellationToken)
    {
        var console = demo.Console;
        var api = demo.Api;
        var alerts = await File.ReadAllBytesAsync(alertsPath, cancellationToken);
        using var content = new ByteArrayContent(alerts);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
        var import = await SendAsync(api.PostAsync(new Uri("/v1/aml/alerts/import", UriKind.Relative), content, cancellationToken), cancellationToken);
        console.MarkupLineInterpolated($"POST /v1/aml/alerts/import: {import.GetProperty("imported").GetInt32()} alert(s) stored, {import.GetProperty("duplicates").GetInt32()} already known, {import.GetProperty("cases_opened").GetInt32()} case(s) opened");

        // A repeated demo against the same data finds every alert already stored: work the oldest open case instead.
        var open = await SendAsync(api.GetAsync(new Uri("/v1/aml/cases?status=open&limit=1", UriKind.Relative), cancellationToken), cancellationToken);
        var first = open.GetProperty("items").EnumerateArray().FirstOrDefault();
        if (first.ValueKind != JsonValueKind.Object)
        {
            console.MarkupLine("No open AML case left to work (every case of this demo bank was already worked).");
            return;
        }
        var id = first.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);
        console.MarkupLineInterpolated($"Working case {id} ({first.GetProperty("party").GetString()}, {first.GetProperty("alert_count").GetInt32()} alert(s))");
        var sha = Convert.ToHexStringLower(SHA256.HashData(alerts));
        await StepAsync(demo, $"/v1/aml/cases/{id}/assign", new { assignee = "demo.analyst" }, "assigned to demo.analyst", cancellationToken);
        await StepAsync(demo, $"/v1/aml/cases/{id}/comments", new { text = "Reviewed the alert reasons; the figures match the account statements." }, "comment added", cancellationToken);
        await StepAsync(demo, $"/v1/aml/cases/{id}/evidence", new { name = "alerts.jsonl", sha256 = sha, note = "the scan output the case came from" }, $"evidence alerts.jsonl sha256 {sha[..12]}…", cancellationToken);
        await StepAsync(demo, $"/v1/aml/cases/{id}/escalate", new { reason = "activity matches a laundering typology" }, "escalated", cancellationToken);
        await StepAsync(demo, $"/v1/aml/cases/{id}/close", new { disposition = "suspicious_reported", reason = "STR filed" }, "closed as suspicious_reported", cancellationToken);
        var str = await SendAsync(api.GetAsync(new Uri($"/v1/aml/cases/{id}/str", UriKind.Relative), cancellationToken), cancellationToken);
        var typologies = string.Join(", ", str.GetProperty("typologies").EnumerateArray().Select(t => t.GetString()));
        console.MarkupLineInterpolated($"GET /v1/aml/cases/{id}/str: {str.GetProperty("report_id").GetString()}, typologies {typologies}, {str.GetProperty("transaction_ids").GetArrayLength()} transaction(s)");
        var detail = await SendAsync(api.GetAsync(new Uri($"/v1/aml/cases/{id}", UriKind.Relative), cancellationToken), cancellationToken);
        var history = string.Join(" → ", detail.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
        console.MarkupLineInterpolated($"Audit trail: {history}");
    }

    private static async Task StepAsync(DemoContext demo, string path, object body, string said, CancellationToken cancellationToken)
    {
        await SendAsync(demo.Api.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, BanyanJson.Options, cancellationToken), cancellationToken);
        demo.Console.MarkupLineInterpolated($"  POST {path}: {said}");
    }

    private static async Task<JsonElement> SendAsync(Task<HttpResponseMessage> call, CancellationToken cancellationToken)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} failed with {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetBytes(text));
        return doc.RootElement.Clone();
    }
}
