using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Banyan.Payments.Contracts;
using Banyan.Payments.CrossBorder.Iso;
using Banyan.Platform;
using Banyan.Platform.Http;
using Banyan.Platform.Money;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Banyan.Payments.CrossBorder;

/// <summary>
/// The cross-border part of <c>banyan demo</c>, over the real API: a CNY → EUR payment is quoted (cost and delivery shown
/// before acceptance), accepted, credited by a simulated correspondent's pacs.002 and tracked by its UETR.
/// </summary>
internal static class CrossBorderDemo
{
    public static async Task RunAsync(DemoContext demo, CancellationToken ct)
    {
        var console = demo.Console;
        var accounts = demo.Services.GetRequiredService<ICustomerAccounts>();
        var payer = await accounts.OpenAsync("demo-xb-li-wei", Currencies.Cny, ct);
        var funded = await accounts.DepositAsync(payer.AccountId, 50_000_00, "demo-xb-" + Guid.NewGuid().ToString("N")[..12], ct);
        Ensure(funded.Succeeded, "funding the demo account: " + funded.Reason);

        var quote = await PostAsync(demo.Api, "v1/payments/cross-border/quotes", new
        {
            debit_account_id = payer.AccountId.ToString(CultureInfo.InvariantCulture), destination_country = "DE", send_amount = 10_000_00L,
            creditor = new { name = "Müller Maschinenbau GmbH", account = "DE89370400440532013000", agent_bic = "DEUTDEFFXXX" }, remittance = "Invoice 2026-118",
        }, ct);
        console.MarkupLine("[bold]Cross-border:[/] CNY → EUR, quoted before acceptance (G20 transparency; illustrative rates and corridor table)");
        var table = new Table().AddColumns("quote", "value");
        table.AddRow("send", Text(quote, "send_amount", "CNY")).AddRow("fee", Text(quote, "fee", "CNY")).AddRow("beneficiary receives", Text(quote, "receive_amount", "EUR"))
            .AddRow("rate (mid)", $"{quote.GetProperty("rate").GetString()} ({quote.GetProperty("mid_rate").GetString()})")
            .AddRow("total cost", $"{Text(quote, "total_cost", "CNY")} = {quote.GetProperty("total_cost_percent").GetDecimal()}%")
            .AddRow("expected delivery", quote.GetProperty("expected_delivery").GetDateTimeOffset().ToString("u", CultureInfo.InvariantCulture))
            .AddRow("valid until", quote.GetProperty("expires_at").GetDateTimeOffset().ToString("u", CultureInfo.InvariantCulture));
        console.Write(table);

        var payment = await PostAsync(demo.Api, $"v1/payments/cross-border/quotes/{quote.GetProperty("id").GetString()}/accept", new { }, ct);
        var uetr = payment.GetProperty("uetr").GetString()!;
        console.MarkupLineInterpolated($"Accepted: UETR [bold]{uetr}[/], status {payment.GetProperty("status").GetString()}; pacs.008 at GET /v1/payments/cross-border/{uetr}/pacs008");

        using var report = new StringContent(Pacs002Builder.Write(Pacs002Builder.For(uetr, "ACSC", null, (demo.Services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow())), Encoding.UTF8, "application/xml");
        using (var response = await demo.Api.PostAsync(new Uri("v1/payments/cross-border/inbound", UriKind.Relative), report, ct))
        {
            Ensure(response.IsSuccessStatusCode, "the correspondent's pacs.002 was refused: " + await response.Content.ReadAsStringAsync(ct));
        }

        var tracked = await demo.Api.GetFromJsonAsync<JsonElement>(new Uri($"v1/payments/cross-border/{uetr}", UriKind.Relative), BanyanJson.Options, ct);
        foreach (var step in tracked.GetProperty("timeline").EnumerateArray())
        {
            console.MarkupLineInterpolated($"  {step.GetProperty("at").GetDateTimeOffset():HH:mm:ss.fff}  [bold]{step.GetProperty("status").GetString()}[/]  {step.GetProperty("detail").GetString()}");
        }

        foreach (var leg in tracked.GetProperty("legs").EnumerateArray())
        {
            console.MarkupLineInterpolated($"  ledger leg {leg.GetProperty("leg").GetString()}: {leg.GetProperty("currency").GetString()} {leg.GetProperty("amount").GetInt64()} minor units, posted {leg.GetProperty("posted").GetBoolean()}");
        }

        var g20 = tracked.GetProperty("report");
        console.MarkupLineInterpolated($"G20 check: cost {g20.GetProperty("total_cost_percent").GetDecimal()}% (≤ 1%: {g20.GetProperty("meets_g20_cost").GetBoolean()}), credited in {g20.GetProperty("end_to_end_seconds").GetInt64()} s (≤ 1 h: {g20.GetProperty("meets_g20_speed").GetBoolean()})");
        Ensure(tracked.GetProperty("status").GetString() == XbStatus.Credited, "the demo payment was not credited");
    }

    private static async Task<JsonElement> PostAsync(HttpClient api, string path, object body, CancellationToken ct)
    {
        using var response = await api.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, BanyanJson.Options, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Ensure(response.IsSuccessStatusCode, $"POST {path} failed: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string Text(JsonElement quote, string field, string currency) => Currencies.Get(currency).Format(quote.GetProperty(field).GetInt64());

    private static void Ensure(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Cross-border demo: " + message);
        }
    }
}
