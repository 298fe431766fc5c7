using System.Globalization;
using System.Text.Json;

namespace Banyan.Ledger.Http.Tests;

/// <summary>The JSON contract of <c>/v1/ledger</c> against a real host.</summary>
[Collection(LedgerHostCollection.Name)]
public sealed class LedgerApiTests(LedgerHostFixture host)
{
    private static string Account(ulong id, uint ledger = 1, ushort code = 10, string flags = "[]") =>
        $$"""{"id":"{{id}}","ledger":{{ledger}},"code":{{code}},"flags":{{flags}}}""";

    private static string Transfer(ulong id, ulong debit, ulong credit, ulong amount, string flags = "[]", ulong pendingId = 0, uint ledger = 1) =>
        $$"""{"id":"{{id}}","debit_account_id":"{{debit}}","credit_account_id":"{{credit}}","amount":"{{amount}}","pending_id":"{{pendingId}}","ledger":{{ledger}},"code":1,"flags":{{flags}}}""";

    private async Task<(ulong Bank, ulong Customer, ulong Merchant)> OpenAccountsAsync()
    {
        var (bank, customer, merchant) = (host.NextId(), host.NextId(), host.NextId());
        var (status, body, _) = await host.Api.PostJsonAsync("v1/ledger/accounts",
            $"[{Account(bank)},{Account(customer, flags: "[\"debits_must_not_exceed_credits\"]")},{Account(merchant)}]");
        Assert.Equal(200, status);
        Assert.Equal(["created", "created", "created"], body.Statuses());
        return (bank, customer, merchant);
    }

    private async Task<JsonElement> GetAccountAsync(ulong id)
    {
        var (status, body, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts/{id}");
        Assert.Equal(200, status);
        return body;
    }

    private static UInt128 Balance(JsonElement account, string field) =>
        UInt128.Parse(account.GetProperty(field).GetString()!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Created_account_is_read_back_with_its_fields_and_four_zero_balances()
    {
        var id = host.NextId();
        var (status, body, contentType) = await host.Api.PostJsonAsync("v1/ledger/accounts",
            $$"""[{"id":"{{id}}","ledger":7,"code":300,"flags":["history","credits_must_not_exceed_debits"],"user_data_128":"340282366920938463463374607431768211454","user_data_64":"18446744073709551615","user_data_32":42}]""");
        Assert.Equal(200, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal(["created"], body.Statuses());

        var account = await GetAccountAsync(id);
        Assert.Equal(id.ToString(CultureInfo.InvariantCulture), account.GetProperty("id").GetString());
        Assert.Equal(7, account.GetProperty("ledger").GetInt32());
        Assert.Equal(300, account.GetProperty("code").GetInt32());
        Assert.Equal(["credits_must_not_exceed_debits", "history"], account.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!).ToArray());
        Assert.Equal("340282366920938463463374607431768211454", account.GetProperty("user_data_128").GetString());
        Assert.Equal("18446744073709551615", account.GetProperty("user_data_64").GetString());
        Assert.Equal(42, account.GetProperty("user_data_32").GetInt32());
        foreach (var field in new[] { "debits_pending", "debits_posted", "credits_pending", "credits_posted" })
        {
            Assert.Equal(UInt128.Zero, Balance(account, field));
        }
        Assert.True(ulong.Parse(account.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Transfer_moves_money_and_is_read_back()
    {
        var (bank, customer, _) = await OpenAccountsAsync();
        var id = host.NextId();
        var (status, body, _) = await host.Api.PostJsonAsync("v1/ledger/transfers", $"[{Transfer(id, bank, customer, 10_000)}]");
        Assert.Equal(200, status);
        Assert.Equal(["created"], body.Statuses());

        Assert.Equal((UInt128)10_000, Balance(await GetAccountAsync(bank), "debits_posted"));
        Assert.Equal((UInt128)10_000, Balance(await GetAccountAsync(customer), "credits_posted"));
        var (getStatus, transfer, _) = await host.Api.GetJsonAsync($"v1/ledger/transfers/{id}");
        Assert.Equal(200, getStatus);
        Assert.Equal(bank.ToString(CultureInfo.InvariantCulture), transfer.GetProperty("debit_account_id").GetString());
        Assert.Equal(customer.ToString(CultureInfo.InvariantCulture), transfer.GetProperty("credit_account_id").GetString());
        Assert.Equal("10000", transfer.GetProperty("amount").GetString());
        Assert.Empty(transfer.GetProperty("flags").EnumerateArray());
    }

    [Fact]
    public async Task Transfer_exceeding_credits_is_rejected_and_changes_nothing()
    {
        var (bank, customer, merchant) = await OpenAccountsAsync();
        await host.Api.PostJsonAsync("v1/ledger/transfers", $"[{Transfer(host.NextId(), bank, customer, 500)}]");
        var before = (await GetAccountAsync(customer)).GetRawText();

        var (status, body, _) = await host.Api.PostJsonAsync("v1/ledger/transfers", $"[{Transfer(host.NextId(), customer, merchant, 501)}]");

        Assert.Equal(200, status);
        Assert.Equal(["exceeds_credits"], body.Statuses());
        Assert.Equal(before, (await GetAccountAsync(customer)).GetRawText());
    }

    [Fact]
    public async Task Each_event_gets_its_own_result_in_order_and_a_failed_link_fails_its_chain()
    {
        var (bank, customer, merchant) = await OpenAccountsAsync();
        var missing = host.NextId();
        var body = $"[{Transfer(host.NextId(), bank, customer, 100)},"
            + $"{Transfer(host.NextId(), bank, customer, 5, "[\"linked\"]")},"
            + $"{Transfer(host.NextId(), customer, merchant, 1_000)},"
            + $"{Transfer(host.NextId(), bank, missing, 1)},"
            + $"{Transfer(host.NextId(), customer, merchant, 60)}]";

        var (status, results, _) = await host.Api.PostJsonAsync("v1/ledger/transfers", body);

        Assert.Equal(200, status);
        Assert.Equal(["created", "linked_event_failed", "exceeds_credits", "credit_account_not_found", "created"], results.Statuses());
        var account = await GetAccountAsync(customer);
        Assert.Equal((UInt128)100, Balance(account, "credits_posted"));
        Assert.Equal((UInt128)60, Balance(account, "debits_posted"));
    }

    [Fact]
    public async Task Resending_a_transfer_answers_exists_and_a_changed_amount_is_named()
    {
        var (bank, customer, _) = await OpenAccountsAsync();
        var id = host.NextId();
        await host.Api.PostJsonAsync("v1/ledger/transfers", $"[{Transfer(id, bank, customer, 70)}]");

        var (_, same, _) = await host.Api.PostJsonAsync("v1/ledger/transfers", $"[{Transfer(id, bank, customer, 70)}]");
        var (_, changed, _) = await host.Api.PostJsonAsync("v1/ledger/transfers", $"[{Transfer(id, bank, customer, 71)}]");

        Assert.Equal(["exists"], same.Statuses());
        Assert.Equal(["exists_with_different_amount"], changed.Statuses());
        Assert.Equal((UInt128)70, Balance(await GetAccountAsync(customer), "credits_posted"));
    }

    [Fact]
    public async Task Two_phase_transfer_reserves_then_posts_part_and_releases_the_rest()
    {
        var (bank, customer, merchant) = await OpenAccountsAsync();
        await host.Api.PostJsonAsync("v1/ledger/transfers", $"[{Transfer(host.NextId(), bank, customer, 1_000)}]");
        var hold = host.NextId();
        var (_, pending, _) = await host.Api.PostJsonAsync("v1/ledger/transfers", $"[{Transfer(hold, customer, merchant, 400, "[\"pending\"]")}]");
        Assert.Equal(["created"], pending.Statuses());
        Assert.Equal((UInt128)400, Balance(await GetAccountAsync(customer), "debits_pending"));

        var post = host.NextId();
        var (_, posted, _) = await host.Api.PostJsonAsync("v1/ledger/transfers",
            $$"""[{"id":"{{post}}","pending_id":"{{hold}}","amount":"250","flags":["post_pending_transfer"]}]""");

        Assert.Equal(["created"], posted.Statuses());
        var account = await GetAccountAsync(customer);
        Assert.Equal(UInt128.Zero, Balance(account, "debits_pending"));
        Assert.Equal((UInt128)250, Balance(account, "debits_posted"));
        var (_, transfer, _) = await host.Api.GetJsonAsync($"v1/ledger/transfers/{post}");
        Assert.Equal("250", transfer.GetProperty("amount").GetString());
        Assert.Equal(["post_pending_transfer"], transfer.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!).ToArray());
    }

    [Fact]
    public async Task Lookup_returns_the_found_records_in_request_order()
    {
        var (bank, customer, merchant) = await OpenAccountsAsync();
        var t1 = host.NextId();
        var t2 = host.NextId();
        await host.Api.PostJsonAsync("v1/ledger/transfers", $"[{Transfer(t1, bank, customer, 1)},{Transfer(t2, bank, merchant, 2)}]");

        var (status, accounts, _) = await host.Api.PostJsonAsync("v1/ledger/accounts/lookup", $"[\"{merchant}\",\"{host.NextId()}\",\"{bank}\"]");
        var (_, transfers, _) = await host.Api.PostJsonAsync("v1/ledger/transfers/lookup", $"[\"{t2}\",\"{t1}\",\"{host.NextId()}\"]");

        Assert.Equal(200, status);
        Assert.Equal([merchant.ToString(CultureInfo.InvariantCulture), bank.ToString(CultureInfo.InvariantCulture)],
            accounts.EnumerateArray().Select(a => a.GetProperty("id").GetString()!).ToArray());
        Assert.Equal([t2.ToString(CultureInfo.InvariantCulture), t1.ToString(CultureInfo.InvariantCulture)],
            transfers.EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToArray());
    }

    [Theory]
    [InlineData("accounts")]
    [InlineData("transfers")]
    public async Task Absent_record_is_a_404_problem(string kind)
    {
        var (status, body, contentType) = await host.Api.GetJsonAsync($"v1/ledger/{kind}/{host.NextId()}");
        Assert.Equal(404, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(404, body.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("accounts/abc")]
    [InlineData("transfers/-1")]
    [InlineData("accounts/340282366920938463463374607431768211456")]
    public async Task Malformed_id_in_the_path_is_a_400_problem(string path)
    {
        var (status, _, contentType) = await host.Api.GetJsonAsync("v1/ledger/" + path);
        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", contentType);
    }

    [Theory]
    [InlineData("accounts")]
    [InlineData("transfers")]
    [InlineData("accounts/lookup")]
    [InlineData("transfers/lookup")]
    public async Task Empty_array_is_an_empty_result(string path)
    {
        var (status, body, _) = await host.Api.PostJsonAsync("v1/ledger/" + path, "[]");
        Assert.Equal(200, status);
        Assert.Equal(0, body.GetArrayLength());
    }

    [Fact]
    public async Task A_full_batch_of_8190_transfers_is_applied()
    {
        var (bank, customer, _) = await OpenAccountsAsync();
        var events = Enumerable.Range(0, 8190).Select(_ => Transfer(host.NextId(), bank, customer, 1));
        var (status, body, _) = await host.Api.PostJsonAsync("v1/ledger/transfers", "[" + string.Join(',', events) + "]");
        Assert.Equal(200, status);
        Assert.All(body.Statuses(), s => Assert.Equal("created", s));
        Assert.Equal((UInt128)8190, Balance(await GetAccountAsync(customer), "credits_posted"));
    }

    [Fact]
    public async Task OpenApi_document_describes_the_ledger_routes()
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        var document = await anonymous.GetStringAsync(new Uri("openapi/v1.json", UriKind.Relative));
        foreach (var path in new[] { "/v1/ledger/accounts", "/v1/ledger/transfers", "/v1/ledger/accounts/{id}", "/v1/ledger/transfers/{id}",
            "/v1/ledger/accounts/lookup", "/v1/ledger/transfers/lookup", "/v1/ledger/transfers/bulk", "/v1/ledger/accounts/bulk" })
        {
            Assert.Contains($"\"{path}\"", document, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Idempotency_key_replays_the_first_response_instead_of_answering_exists()
    {
        var (bank, customer, _) = await OpenAccountsAsync();
        var body = $"[{Transfer(host.NextId(), bank, customer, 3)}]";
        var key = Guid.NewGuid().ToString("N");

        async Task<(string Text, bool Replayed)> SendAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("v1/ledger/transfers", UriKind.Relative))
            {
                Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await host.Api.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadAsStringAsync(), response.Headers.Contains("Idempotent-Replayed"));
        }

        var first = await SendAsync();
        var second = await SendAsync();

        Assert.Contains("\"created\"", first.Text, StringComparison.Ordinal);
        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal((UInt128)3, Balance(await GetAccountAsync(customer), "credits_posted"));
    }

    [Fact]
    public async Task Metrics_endpoint_exports_the_ledger_meter()
    {
        var (bank, customer, _) = await OpenAccountsAsync();
        await host.Api.PostJsonAsync("v1/ledger/transfers", $"[{Transfer(host.NextId(), bank, customer, 1)}]");

        var metrics = await host.Api.GetStringAsync(new Uri("metrics", UriKind.Relative));

        Assert.Contains("banyan_ledger_transfers_created", metrics, StringComparison.Ordinal);
        Assert.Contains("banyan_ledger_journal_durable_sequence", metrics, StringComparison.Ordinal);
    }
}
