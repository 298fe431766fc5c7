using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Banyan.Aml.Live;
using Banyan.Ledger;
using Banyan.Platform;
using Banyan.Platform.Http;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Banyan.Aml.Demo;

/// <summary>
/// The real-time part of the AML demo, over the real HTTP API: upload the sanctions list and screen a name, register
/// ledger accounts, post cash deposits and transfers through <c>/v1/ledger/transfers</c>, and show the alert the
/// monitor raised from the journal stream and the customer's counterparty network.
/// </summary>
internal static class LiveWalkthrough
{
    private const uint DemoTag = 0x414D4C44; // "AMLD"

    public static async Task RunAsync(DemoContext demo, string sanctionsCsv, CancellationToken ct)
    {
        var console = demo.Console;
        await SanctionsAsync(demo, sanctionsCsv, ct);
        if (demo.Services.GetService<LiveMonitor>() is not { } monitor || demo.Services.GetService<LedgerEngine>() is not { } ledger)
        {
            console.MarkupLine("Real-time monitoring is not running in this host (no ledger module); skipped.");
            return;
        }
        var run = (ulong)Random.Shared.NextInt64(1, 1L << 40) << 20; // fresh ids on every demo run against the same data
        string Id(ulong n) => (((UInt128)DemoTag << 96) | run | n).ToString(CultureInfo.InvariantCulture);
        var (till, account) = (Id(1), Id(2));
        var senders = Enumerable.Range(0, 5).Select(i => Id(10 + (ulong)i)).ToList();
        var customer = "DEMO-" + run.ToString("x", CultureInfo.InvariantCulture);
        await PostAsync(demo, "/v1/ledger/accounts", new[] { till, account }.Concat(senders).Select(id => new { id, ledger = 156, code = 1 }).ToArray(), ct);
        await PostAsync(demo, "/v1/aml/accounts", new { account_id = till, kind = "external", channel = "cash", country = "CN", name = "Branch 12 cash desk" }, ct);
        await PostAsync(demo, "/v1/aml/accounts", new { account_id = account, customer_id = customer, kind = "individual", country = "CN", name = "Chen Jie", declared_monthly_income_minor = 1_200_000 }, ct);
        for (var i = 0; i < senders.Count; i++)
            await PostAsync(demo, "/v1/aml/accounts", new { account_id = senders[i], kind = "external", country = i == 0 ? "IR" : "CN", name = $"Counterparty {i + 1}" }, ct);
        console.MarkupLineInterpolated($"Registered ledger account {account} as customer {customer} (individual), a cash till and {senders.Count} counterparties  [grey](POST /v1/aml/accounts)[/]");

        long[] deposits = [4_650_000, 4_820_000, 4_900_000];
        var transfers = deposits.Select((amount, i) => new { id = Id(100 + (ulong)i), debit_account_id = till, credit_account_id = account, amount = amount.ToString(CultureInfo.InvariantCulture), ledger = 156, code = 1 })
            .Concat(senders.Select((s, i) => new { id = Id(200 + (ulong)i), debit_account_id = s, credit_account_id = account, amount = "800000", ledger = 156, code = 1 })).ToArray();
        var posted = System.Diagnostics.Stopwatch.StartNew();
        await PostAsync(demo, "/v1/ledger/transfers", transfers, ct);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(TimeSpan.FromMinutes(1));
            await monitor.WaitForSequenceAsync(ledger.JournalHead.Sequence, timeout.Token);
        }
        console.MarkupLineInterpolated($"POST /v1/ledger/transfers: 3 cash deposits (46,500.00 / 48,200.00 / 49,000.00 CNY) and 5 incoming transfers; the monitor stored its alerts {posted.Elapsed.TotalMilliseconds:N0} ms after the post was sent");
        await ShowCaseAsync(demo, customer, ct);
        await ShowNetworkAsync(demo, customer, ct);
    }

    private static async Task SanctionsAsync(DemoContext demo, string path, CancellationToken ct)
    {
        var csv = await File.ReadAllTextAsync(path, ct);
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        var list = await SendAsync(demo.Api.PostAsync(new Uri("/v1/aml/sanctions", UriKind.Relative), content, ct), ct);
        var name = csv.Split('\n').Skip(1).First(l => l.Length > 0).Split(',')[0].Trim('"');
        var probe = string.Join(' ', name.Split(' ').Reverse()).ToUpperInvariant();
        var screen = await SendAsync(demo.Api.PostAsJsonAsync(new Uri("/v1/aml/screen", UriKind.Relative), new { name = probe }, BanyanJson.Options, ct), ct);
        demo.Console.MarkupLineInterpolated($"POST /v1/aml/sanctions: list version {list.GetProperty("version").GetInt64()} with {list.GetProperty("entries").GetInt32()} entries swapped in without restart; POST /v1/aml/screen \"{probe}\": hit={screen.GetProperty("hit").GetBoolean()}, matched \"{screen.GetProperty("matched_name").GetString()}\" score {screen.GetProperty("score").GetDouble():0.000}");
    }

    private static async Task ShowCaseAsync(DemoContext demo, string customer, CancellationToken ct)
    {
        string? after = null;
        while (true)
        {
            var page = await SendAsync(demo.Api.GetAsync(new Uri("/v1/aml/cases?status=open&limit=200" + (after is null ? "" : "&after=" + after), UriKind.Relative), ct), ct);
            var mine = page.GetProperty("items").EnumerateArray().FirstOrDefault(c => c.GetProperty("party").GetString() == "customer:" + customer);
            if (mine.ValueKind == JsonValueKind.Object)
            {
                var id = mine.GetProperty("id").GetInt64();
                var detail = await SendAsync(demo.Api.GetAsync(new Uri($"/v1/aml/cases/{id}", UriKind.Relative), ct), ct);
                foreach (var alert in detail.GetProperty("alerts").EnumerateArray())
                    demo.Console.MarkupLineInterpolated($"  case {id}: [bold]{alert.GetProperty("typology").GetString()}[/] (real time, rule set {alert.GetProperty("rule_set").GetString()}): {alert.GetProperty("reason").GetString()}");
                return;
            }
            if (page.GetProperty("next_after").ValueKind == JsonValueKind.Null) throw new InvalidOperationException("the real-time monitor opened no case for the demo's structuring deposits");
            after = page.GetProperty("next_after").GetInt64().ToString(CultureInfo.InvariantCulture);
        }
    }

    private static async Task ShowNetworkAsync(DemoContext demo, string customer, CancellationToken ct)
    {
        var network = await SendAsync(demo.Api.GetAsync(new Uri($"/v1/aml/network/{customer}?depth=2", UriKind.Relative), ct), ct);
        var table = new Table().AddColumns("from", "to", "transfers", "amount (CNY minor)");
        var names = network.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("id").GetString()!, n => n.GetProperty("name").GetString() ?? n.GetProperty("id").GetString()!);
        foreach (var edge in network.GetProperty("edges").EnumerateArray())
            table.AddRow(Markup.Escape(names[edge.GetProperty("from").GetString()!]), Markup.Escape(names[edge.GetProperty("to").GetString()!]),
                edge.GetProperty("count").GetInt64().ToString(CultureInfo.InvariantCulture), edge.GetProperty("amount_minor").GetInt64().ToString("N0", CultureInfo.InvariantCulture));
        var root = network.GetProperty("nodes").EnumerateArray().First();
        demo.Console.MarkupLineInterpolated($"GET /v1/aml/network/{customer}: {network.GetProperty("nodes").GetArrayLength()} nodes, {network.GetProperty("edges").GetArrayLength()} edges; root has {root.GetProperty("open_cases").GetInt32()} open case(s), risk flags {string.Join(", ", root.GetProperty("risk_flags").EnumerateArray().Select(f => f.GetString()))}");
        demo.Console.Write(table);
    }

    private static async Task PostAsync(DemoContext demo, string path, object body, CancellationToken ct)
    {
        var result = await SendAsync(demo.Api.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, BanyanJson.Options, ct), ct);
        // The ledger answers 200 with a status per event: a refused event is a demo bug, not something to skip.
        if (result.ValueKind == JsonValueKind.Array && result.EnumerateArray().FirstOrDefault(r => r.GetProperty("status").GetString() != "created") is { ValueKind: JsonValueKind.Object } failed)
            throw new InvalidOperationException($"POST {path}: event {failed.GetProperty("index").GetInt32()} was {failed.GetProperty("status").GetString()}");
    }

    private static async Task<JsonElement> SendAsync(Task<HttpResponseMessage> call, CancellationToken ct)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} failed with {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetBytes(text));
        return doc.RootElement.Clone();
    }
}
