using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Banyan.Payments.Tests;

/// <summary>The /v1/payments API on a real host over HTTP (Kestrel on 127.0.0.1), with the bootstrap client's token.</summary>
public sealed class PaymentsApiTests : PaymentsApiClient
{
    private protected override Task<PaymentsHost> StartHostAsync() => PaymentsHost.StartAsync();

    [Fact]
    public async Task A_tap_over_http_returns_the_receipt_and_a_decline_is_a_422_problem_with_a_reason()
    {
        var (account, merchant) = await SetUpAsync(funds: 10_000);
        var (ok, receipt) = await PostAsync("v1/payments/tap", new { payment_id = "h1", merchant_id = merchant, amount = 6_000, currency = "CNY", account_id = account, coupon = "HTTP10", redeem_points = 0 });
        Assert.Equal(200, ok);
        Assert.Equal(1_000, receipt.GetProperty("coupon_subsidy").GetInt64());
        Assert.Equal(5_000, receipt.GetProperty("paid_by_customer").GetInt64());
        Assert.Contains(receipt.GetProperty("legs").EnumerateArray(), l => l.GetProperty("role").GetString() == "coupon_subsidy");

        var (declined, problem) = await PostAsync("v1/payments/tap", new { payment_id = "h2", merchant_id = merchant, amount = 9_000, currency = "CNY", account_id = account });
        Assert.Equal(422, declined);
        Assert.Equal("insufficient_funds", problem.GetProperty("reason").GetString());
        Assert.Equal("https://banyan.dev/problems/unprocessable", problem.GetProperty("type").GetString());
        var (_, after) = await GetAsync($"v1/payments/accounts/{account}");
        Assert.Equal(5_000, after.GetProperty("posted").GetInt64());
    }

    [Fact]
    public async Task Malformed_input_unknown_merchants_and_clashing_registrations_are_problem_documents_and_change_nothing()
    {
        var (account, merchant) = await SetUpAsync(funds: 10_000);
        var cases = new (string Path, string Body, int Status)[]
        {
            ("v1/payments/tap", "{not json", 400),
            ("v1/payments/tap", $$"""{"payment_id":"x","merchant_id":"{{merchant}}","amount":-5,"currency":"CNY","account_id":"{{account}}"}""", 400),
            ("v1/payments/tap", $$"""{"payment_id":"x","merchant_id":"{{merchant}}","amount":5,"currency":"XXX","account_id":"{{account}}"}""", 400),
            ("v1/payments/tap", $$"""{"payment_id":"x","merchant_id":"{{merchant}}","amount":5,"currency":"CNY","account_id":"abc"}""", 400),
            ("v1/payments/tap", $$"""{"payment_id":"x","merchant_id":"nobody","amount":5,"currency":"CNY","account_id":"{{account}}"}""", 404),
            ("v1/payments/merchants", $$"""{"merchant_id":"{{merchant}}","name":"Other name","mcc":"5411","currency":"CNY"}""", 409),
            ("v1/payments/merchants", """{"merchant_id":"m-bad","name":"Bad","mcc":"54x1","currency":"CNY"}""", 400),
            ("v1/payments/coupons", """{"code":"BAD","currency":"CNY","kind":"free_lunch","value":1,"valid_from":"2026-01-01T00:00:00Z","valid_until":"2027-01-01T00:00:00Z","budget":100}""", 400),
        };
        foreach (var (path, body, status) in cases)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await Api.PostAsync(new Uri(path, UriKind.Relative), content);
            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.StartsWith("https://banyan.dev/problems/", json.RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
        }

        var (_, after) = await GetAsync($"v1/payments/accounts/{account}");
        Assert.Equal(10_000, after.GetProperty("posted").GetInt64());
        var (missing, _) = await GetAsync("v1/payments/merchants/m-bad");
        Assert.Equal(404, missing);
    }

    [Fact]
    public async Task Without_the_payments_scope_the_api_refuses_with_a_problem()
    {
        using var anonymous = new HttpClient { BaseAddress = Api.BaseAddress };
        using var response = await anonymous.GetAsync(new Uri("v1/payments/accounts?customer_id=x", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Wallets_pensions_and_transfers_work_over_http()
    {
        var (_, wallet) = await PostAsync("v1/payments/wallets", new { holder_id = "grandma", tier = "phone", elderly = true });
        var walletId = wallet.GetProperty("account_id").GetString();
        Assert.Equal(1_000_000, wallet.GetProperty("balance_limit").GetInt64());
        var (run, result) = await PostAsync("v1/payments/pension-runs", new { run_id = "p-2026-11", payments = new[] { new { wallet_account_id = walletId, amount = 300_000 } } });
        Assert.Equal((200, 1), (run, result.GetProperty("paid").GetInt32()));
        var (over, problem) = await PostAsync($"v1/payments/wallets/{walletId}/top-ups", new { top_up_id = "big", amount = 800_000 });
        Assert.Equal((422, "wallet_balance_limit"), (over, problem.GetProperty("reason").GetString()));

        var (_, a) = await PostAsync("v1/payments/accounts", new { customer_id = "api-a", currency = "CNY" });
        var (_, b) = await PostAsync("v1/payments/accounts", new { customer_id = "api-b", currency = "CNY" });
        await PostAsync($"v1/payments/accounts/{a.GetProperty("account_id").GetString()}/deposits", new { deposit_id = "d1", amount = 5_000 });
        var (moved, _) = await PostAsync("v1/payments/transfers", new { transfer_id = "t1", debit_account_id = a.GetProperty("account_id").GetString(), credit_account_id = b.GetProperty("account_id").GetString(), amount = 2_000 });
        Assert.Equal(200, moved);
        var (_, list) = await GetAsync("v1/payments/accounts?customer_id=api-b");
        Assert.Equal(2_000, list[0].GetProperty("posted").GetInt64());
    }

    [Fact]
    public async Task The_openapi_document_names_and_summarises_every_payments_operation_under_scope_payments()
    {
        using var anonymous = new HttpClient { BaseAddress = Api.BaseAddress };
        using var response = await anonymous.GetAsync(new Uri("openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var operations = doc.RootElement.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/v1/payments/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Path: p.Name, Op: o.Value)))
            .ToList();
        Assert.True(operations.Count >= 19, $"only {operations.Count} payments operations");
        Assert.Contains(operations, o => o.Path == "/v1/payments/tap");
        Assert.All(operations, o =>
        {
            Assert.True(o.Op.TryGetProperty("operationId", out _), o.Path + " has no name");
            Assert.True(o.Op.TryGetProperty("summary", out _), o.Path + " has no summary");
            Assert.Equal("payments", o.Op.GetProperty("security")[0].GetProperty("oauth2")[0].GetString());
        });
    }

    private async Task<(string Account, string Merchant)> SetUpAsync(long funds)
    {
        var customer = "c-" + Guid.NewGuid().ToString("N")[..8];
        var (_, account) = await PostAsync("v1/payments/accounts", new { customer_id = customer, currency = "CNY" });
        var id = account.GetProperty("account_id").GetString()!;
        Assert.Equal(200, (await PostAsync($"v1/payments/accounts/{id}/deposits", new { deposit_id = "seed", amount = funds })).Status);
        var merchant = "m-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(200, (await PostAsync("v1/payments/merchants", new { merchant_id = merchant, name = "Corner shop", mcc = "5411", currency = "CNY", fee_bps = 50 })).Status);
        await PostAsync("v1/payments/coupons", new { code = "HTTP10", currency = "CNY", kind = "amount_off", value = 1_000, valid_from = DateTimeOffset.UtcNow.AddDays(-1), valid_until = DateTimeOffset.UtcNow.AddDays(1), budget = 100_000, per_customer_limit = 100 });
        return (id, merchant);
    }
}
