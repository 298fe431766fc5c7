using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Payments.Contracts;
using Banyan.Payments.Retail;
using Banyan.Payments.Wallets;
using Banyan.Platform;
using Banyan.Platform.Money;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Banyan.Payments.Demo;

/// <summary>Demo data (idempotent: every step has a fixed id) and the walk-through over the real API.</summary>
internal static class PaymentsDemo
{
    private static readonly DateTimeOffset CampaignStart = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset CampaignEnd = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task SeedAsync(IServiceProvider services, CancellationToken ct)
    {
        var catalog = services.GetRequiredService<Catalog>();
        var cny = Currencies.Cny;
        var rewards = await catalog.CreateProgrammeAsync(new ProgrammeRequest("Banyan Rewards", cny, 100, new Dictionary<string, int> { ["5411"] = 200, ["5812"] = 300 }, 365, false), ct);
        await catalog.CreateProgrammeAsync(new ProgrammeRequest("Care points", cny, 100, new Dictionary<string, int> { ["8050"] = 500, ["5912"] = 200 }, 730, true), ct);
        await catalog.RegisterMerchantAsync(new MerchantRequest("demo-grocer", "Fresh Market Xuhui", "5411", cny, 38, rewards.Id), ct);
        await catalog.RegisterMerchantAsync(new MerchantRequest("demo-noodles", "Lanzhou Noodle House", "5812", cny, 60, rewards.Id), ct);
        await catalog.RegisterMerchantAsync(new MerchantRequest("demo-pharmacy", "Kangjian Pharmacy", "5912", cny, 38, null), ct);
        await catalog.RegisterMerchantAsync(new MerchantRequest("demo-care-home", "Sunset Care Centre", "8050", cny, 20, null), ct);
        await catalog.CreateCouponAsync(new CouponRequest("WELCOME10", cny, "percent_off", 1_000, 1_500, 5_000, CampaignStart, CampaignEnd, 1, 1_000_000), ct);
        await catalog.CreateCouponAsync(new CouponRequest("LUNCH5", cny, "amount_off", 500, 0, 3_000, CampaignStart, CampaignEnd, 3, 200_000), ct);

        var accounts = services.GetRequiredService<ICustomerAccounts>();
        var alice = await accounts.OpenAsync("demo-alice", cny, ct);
        await accounts.DepositAsync(alice.AccountId, 200_000, "demo-seed-alice", ct);
        // An earlier purchase earned Alice the points she redeems in the walk-through.
        await services.GetRequiredService<TapToPay>().PayAsync(new TapRequest("demo", "demo-seed-1", "demo-grocer", 12_000, cny, alice.AccountId, null, 0), ct);

        var wallets = services.GetRequiredService<WalletBook>();
        var li = await wallets.OpenAsync("demo-grandpa-li", "verified", elderly: true, ct);
        var wang = await wallets.OpenAsync("demo-grandma-wang", "phone", elderly: true, ct);
        await wallets.OpenAsync("demo-student-zhao", "phone", elderly: false, ct);
        var programmes = services.GetRequiredService<WalletProgrammes>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        await programmes.GrantAsync(li.AccountId, "demo-health-voucher-li", 20_000, ["5912", "8050"], now.AddDays(30), ct);
        await programmes.PayPensionsAsync("demo-pension-2026-11", [new PensionPayee(li.AccountId, 350_000), new PensionPayee(wang.AccountId, 280_000)], ct);
    }

    public static async Task RunAsync(DemoContext demo, CancellationToken ct)
    {
        var console = demo.Console;
        var api = demo.Api;
        var accounts = await GetAsync(api, "v1/payments/accounts?customer_id=demo-alice", ct);
        var alice = accounts[0].GetProperty("account_id").GetString()!;
        var points = await GetAsync(api, "v1/payments/points/demo-alice", ct);
        console.MarkupLineInterpolated($"Alice has [bold]{Yuan(accounts[0].GetProperty("available").GetInt64())}[/] and {points[0].GetProperty("usable").GetInt64()} Banyan Rewards points.");

        var runId = Guid.NewGuid().ToString("N")[..8];
        console.MarkupLine("[bold]POST /v1/payments/tap[/] — ¥168.00 at Fresh Market with coupon WELCOME10 and 100 points:");
        var (status, tap) = await PostAsync(api, "v1/payments/tap", new { payment_id = "demo-" + runId, merchant_id = "demo-grocer", amount = 16_800, currency = "CNY", account_id = alice, coupon = "WELCOME10", redeem_points = 100 }, ct);
        Show(console, status, tap);

        console.MarkupLine("Using WELCOME10 a second time (one use per customer):");
        var (again, problem) = await PostAsync(api, "v1/payments/tap", new { payment_id = "demo-again-" + runId, merchant_id = "demo-grocer", amount = 9_900, currency = "CNY", account_id = alice, coupon = "WELCOME10" }, ct);
        Show(console, again, problem);

        var (_, wallet) = await PostAsync(api, "v1/payments/wallets", new { holder_id = "demo-grandpa-li", tier = "verified", elderly = true }, ct);
        var walletId = wallet.GetProperty("account_id").GetString()!;
        console.MarkupLineInterpolated($"Grandpa Li's e-CNY wallet (verified tier): balance {Yuan(wallet.GetProperty("balance").GetInt64())} after the pension run, headroom {Yuan(wallet.GetProperty("headroom").GetInt64())} under the {Yuan(wallet.GetProperty("balance_limit").GetInt64())} limit the ledger enforces.");
        console.MarkupLine("[bold]POST /v1/payments/tap[/] — ¥300.00 at Kangjian Pharmacy from the wallet (health voucher first, elderly discount, care points):");
        var (walletStatus, walletTap) = await PostAsync(api, "v1/payments/tap", new { payment_id = "demo-li-" + runId, merchant_id = "demo-pharmacy", amount = 30_000, currency = "CNY", account_id = walletId }, ct);
        Show(console, walletStatus, walletTap);
        await UpgradeAsync(demo, runId, ct);
        await CloseCouponAsync(demo, runId, alice, ct);
    }

    /// <summary>A phone-only wallet upgraded after identity verification: the ledger's headroom grows by the difference of the caps.</summary>
    private static async Task UpgradeAsync(DemoContext demo, string runId, CancellationToken ct)
    {
        var (_, wallet) = await PostAsync(demo.Api, "v1/payments/wallets", new { holder_id = "demo-student-" + runId, tier = "phone" }, ct);
        var id = wallet.GetProperty("account_id").GetString()!;
        demo.Console.MarkupLineInterpolated($"A new phone-only wallet: balance limit {Yuan(wallet.GetProperty("balance_limit").GetInt64())}, per payment {Yuan(wallet.GetProperty("per_payment_limit").GetInt64())}.");
        demo.Console.MarkupLine("[bold]POST /v1/payments/wallets/{id}/upgrade[/] — identity verified:");
        var (status, change) = await PostAsync(demo.Api, $"v1/payments/wallets/{id}/upgrade", new { verification_reference = "demo-kyc-" + runId }, ct);
        if (status != 200) throw new InvalidOperationException($"The upgrade answered {status}: {change}");
        var upgraded = change.GetProperty("wallet");
        demo.Console.MarkupLineInterpolated($"  [green]{change.GetProperty("from_tier").GetString()} → {change.GetProperty("to_tier").GetString()}[/]: balance limit {Yuan(upgraded.GetProperty("balance_limit").GetInt64())} (headroom {Yuan(upgraded.GetProperty("headroom").GetInt64())} in the ledger, one transfer {change.GetProperty("transfer_id").GetString()}), per payment {Yuan(upgraded.GetProperty("per_payment_limit").GetInt64())}; audited.");
    }

    /// <summary>A flash campaign closed early: what is left of its budget goes back to marketing, and the coupon stops working.</summary>
    private static async Task CloseCouponAsync(DemoContext demo, string runId, string alice, CancellationToken ct)
    {
        var code = "FLASH-" + runId;
        var now = (demo.Services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        await PostAsync(demo.Api, "v1/payments/coupons", new { code, currency = "CNY", kind = "amount_off", value = 300, valid_from = now.AddDays(-1), valid_until = now.AddDays(7), budget = 50_000 }, ct);
        demo.Console.MarkupLineInterpolated($"[bold]POST /v1/payments/coupons/{code}/close[/] — the campaign is cancelled:");
        var (_, closed) = await PostAsync(demo.Api, $"v1/payments/coupons/{code}/close", new { }, ct);
        demo.Console.MarkupLineInterpolated($"  [green]closed[/] ({closed.GetProperty("reason").GetString()}): {Yuan(closed.GetProperty("returned").GetInt64())} of its budget returned to marketing in one ledger transfer; closing again moves nothing.");
        var (status, problem) = await PostAsync(demo.Api, "v1/payments/tap", new { payment_id = "demo-flash-" + runId, merchant_id = "demo-noodles", amount = 3_000, currency = "CNY", account_id = alice, coupon = code }, ct);
        Show(demo.Console, status, problem);
    }

    private static void Show(IAnsiConsole console, int status, JsonElement body)
    {
        if (status == 422)
        {
            console.MarkupLineInterpolated($"  [yellow]422 declined[/]: reason [bold]{body.GetProperty("reason").GetString()}[/] — {body.GetProperty("detail").GetString()} (nothing changed)");
            return;
        }

        if (status != 200) throw new InvalidOperationException($"The payments API answered {status}: {body}");
        console.MarkupLineInterpolated($"  [green]completed[/]: coupon {Yuan(body.GetProperty("coupon_subsidy").GetInt64())}, elderly discount {Yuan(body.GetProperty("discount").GetInt64())}, points {body.GetProperty("points_redeemed").GetInt64()}, conditional funds {Yuan(body.GetProperty("conditional_funds_used").GetInt64())}, customer paid {Yuan(body.GetProperty("paid_by_customer").GetInt64())}; earned {body.GetProperty("points_earned").GetInt64()} points, {body.GetProperty("care_points_earned").GetInt64()} care points; merchant nets {Yuan(body.GetProperty("merchant_net").GetInt64())}");
        var table = new Table().Border(TableBorder.Simple).AddColumns("leg (one linked batch)", "code", "debit account", "credit account", "amount");
        foreach (var leg in body.GetProperty("legs").EnumerateArray())
        {
            table.AddRow(leg.GetProperty("role").GetString()!, leg.GetProperty("code").GetInt32().ToString(CultureInfo.InvariantCulture),
                Label(leg.GetProperty("debit_account_id").GetString()!), Label(leg.GetProperty("credit_account_id").GetString()!), Yuan(leg.GetProperty("amount").GetInt64()));
        }

        console.Write(table);
    }

    private static string Yuan(long fen) => Currencies.Cny.Format(fen);

    /// <summary>An account id as a person reads it: its kind in the payments chart and its sequence (docs/payments.md).</summary>
    private static string Label(string id)
    {
        var value = UInt128.Parse(id, CultureInfo.InvariantCulture);
        var kind = Accounts.PaymentsChart.KindOf(value);
        var sequence = Accounts.PaymentsChart.SequenceOf(value).ToString(CultureInfo.InvariantCulture);
        return kind switch
        {
            null => id,
            >= Accounts.PaymentAccountKind.Settlement => $"{Snake(kind.Value)} ({(Currencies.TryGetByLedger((uint)Accounts.PaymentsChart.SequenceOf(value), out var c) ? c.Code : sequence)})",
            _ => $"{Snake(kind.Value)} #{sequence}",
        };
    }

    private static string Snake(Accounts.PaymentAccountKind kind) =>
        string.Concat(kind.ToString().Select((ch, i) => char.IsUpper(ch) && i > 0 ? " " + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));

    private static async Task<JsonElement> GetAsync(HttpClient api, string path, CancellationToken ct)
    {
        using var response = await api.GetAsync(new Uri(path, UriKind.Relative), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<(int, JsonElement)> PostAsync(HttpClient api, string path, object body, CancellationToken ct)
    {
        using var response = await api.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
