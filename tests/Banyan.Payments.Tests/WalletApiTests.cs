using System.Net.Http.Json;
using System.Text.Json;

namespace Banyan.Payments.Tests;

/// <summary>Wallet tiers, wallets by holder and coupon closing over HTTP on a real host.</summary>
[Collection(WalletHostsCollection.Name)]
public sealed class WalletApiTests : PaymentsApiClient
{
    private protected override Task<PaymentsHost> StartHostAsync() => WalletTestHosts.StartAsync();

    [Fact]
    public async Task An_upgrade_over_http_raises_the_limits_is_idempotent_audited_and_a_blocked_downgrade_is_a_422()
    {
        var (_, wallet) = await PostAsync("v1/payments/wallets", new { holder_id = "api-up", tier = "phone", currency = "EUR" });
        var id = wallet.GetProperty("account_id").GetString()!;
        Assert.Equal(("EUR", 1_300_00L), (wallet.GetProperty("currency").GetString(), wallet.GetProperty("balance_limit").GetInt64()));
        Assert.Equal(200, (await PostAsync($"v1/payments/wallets/{id}/top-ups", new { top_up_id = "api-up-1", amount = 1_000_00 })).Status);

        var (status, change) = await PostAsync($"v1/payments/wallets/{id}/upgrade", new { verification_reference = "kyc-api-1" });
        var (repeat, same) = await PostAsync($"v1/payments/wallets/{id}/upgrade", new { verification_reference = "kyc-api-1" });

        Assert.Equal((200, 200), (status, repeat));
        Assert.Equal("verified", change.GetProperty("wallet").GetProperty("tier").GetString());
        Assert.Equal(65_000_00L, change.GetProperty("wallet").GetProperty("balance_limit").GetInt64());
        Assert.Equal(64_000_00L, change.GetProperty("wallet").GetProperty("headroom").GetInt64());
        Assert.Equal(change.GetProperty("transfer_id").GetString(), same.GetProperty("transfer_id").GetString());
        Assert.Equal(400, (await PostAsync($"v1/payments/wallets/{id}/upgrade", new { verification_reference = "kyc-api-2", tier = "phone" })).Status);
        Assert.Equal(409, (await PostAsync($"v1/payments/wallets/{id}/upgrade", new { verification_reference = "kyc-api-3" })).Status);
        Assert.Equal(404, (await PostAsync("v1/payments/wallets/123/upgrade", new { verification_reference = "kyc-api-4" })).Status);

        Assert.Equal(200, (await PostAsync($"v1/payments/wallets/{id}/top-ups", new { top_up_id = "api-up-2", amount = 1_000_00 })).Status);
        var (blocked, problem) = await PostAsync($"v1/payments/wallets/{id}/downgrade", new { reference = "down-api-1" });
        Assert.Equal(422, blocked);
        Assert.Equal("wallet_balance_above_tier_limit", problem.GetProperty("reason").GetString());
        var (_, now) = await GetAsync($"v1/payments/wallets/{id}");
        Assert.Equal(("verified", 2_000_00L, 63_000_00L), (now.GetProperty("tier").GetString(), now.GetProperty("balance").GetInt64(), now.GetProperty("headroom").GetInt64()));

        var (_, audit) = await GetAsync("v1/audit?category=wallet");
        var text = audit.GetRawText();
        Assert.Contains("tier_upgraded", text, StringComparison.Ordinal);
        Assert.Contains("tier_downgraded", text, StringComparison.Ordinal);
        Assert.Contains("kyc-api-1", text, StringComparison.Ordinal);
        Assert.Contains(id, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wallets_by_holder_are_paged_and_a_missing_holder_or_a_limit_out_of_range_is_a_400()
    {
        foreach (var currency in new[] { "CNY", "JPY", "USD" }) Assert.Equal(200, (await PostAsync("v1/payments/wallets", new { holder_id = "api-list", tier = "phone", currency })).Status);

        var (first, page1) = await GetAsync("v1/payments/wallets?holder_id=api-list&limit=2");
        var next = page1.GetProperty("next_after").GetString();
        var (second, page2) = await GetAsync($"v1/payments/wallets?holder_id=api-list&limit=2&after={next}");

        Assert.Equal((200, 200), (first, second));
        Assert.Equal(2, page1.GetProperty("items").GetArrayLength());
        Assert.Equal(1, page2.GetProperty("items").GetArrayLength());
        Assert.True(page2.GetProperty("next_after").ValueKind is JsonValueKind.Null or JsonValueKind.Undefined);
        var currencies = page1.GetProperty("items").EnumerateArray().Concat(page2.GetProperty("items").EnumerateArray()).Select(w => w.GetProperty("currency").GetString()).Order().ToList();
        Assert.Equal(["CNY", "JPY", "USD"], currencies);
        Assert.Equal(400, (await GetAsync("v1/payments/wallets?holder_id=api-list&limit=101")).Status);
        Assert.Equal(400, (await GetAsync("v1/payments/wallets?limit=5")).Status);
        Assert.Equal(400, (await GetAsync("v1/payments/wallets?holder_id=api-list&after=abc")).Status);
        Assert.Equal(400, (await PostAsync("v1/payments/wallets", new { holder_id = "api-list", tier = "phone", currency = "MYR" })).Status);
    }

    [Fact]
    public async Task Closing_a_coupon_over_http_returns_its_budget_once_and_an_unknown_code_is_a_404()
    {
        var body = new { code = "API-CLOSE", currency = "CNY", kind = "amount_off", value = 500, valid_from = "2020-01-01T00:00:00Z", valid_until = "2100-01-01T00:00:00Z", budget = 12_345 };
        Assert.Equal(200, (await PostAsync("v1/payments/coupons", body)).Status);

        var (status, closed) = await PostAsync("v1/payments/coupons/API-CLOSE/close", new { });
        var (again, same) = await PostAsync("v1/payments/coupons/API-CLOSE/close", new { });

        Assert.Equal((200, 200), (status, again));
        Assert.Equal(("closed", "cancelled", 12_345L), (closed.GetProperty("status").GetString(), closed.GetProperty("reason").GetString(), closed.GetProperty("returned").GetInt64()));
        Assert.Equal(closed.GetRawText(), same.GetRawText());
        var (_, coupon) = await GetAsync("v1/payments/coupons/API-CLOSE");
        Assert.Equal((0L, "closed", 12_345L), (coupon.GetProperty("budget_remaining").GetInt64(), coupon.GetProperty("status").GetString(), coupon.GetProperty("returned").GetInt64()));
        Assert.Equal(404, (await PostAsync("v1/payments/coupons/NOPE/close", new { })).Status);
    }

}
