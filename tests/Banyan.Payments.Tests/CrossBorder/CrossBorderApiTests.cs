using System.Globalization;
using System.Text.Json;
using Banyan.Ledger;
using Banyan.Payments.Contracts;
using Banyan.Payments.CrossBorder;
using Banyan.Payments.CrossBorder.Iso;
using Banyan.Platform.Money;

namespace Banyan.Payments.Tests.CrossBorder;

[Collection(XbHostCollection.Name)]
public sealed class CrossBorderApiTests(XbHostFixture fixture)
{
    private XbHost Host => fixture.Host;

    private const string Quotes = "v1/payments/cross-border/quotes";

    [Fact]
    public async Task A_CNY_to_EUR_payment_is_quoted_accepted_tracked_by_UETR_and_every_leg_is_in_the_ledger()
    {
        var host = Host;
        var payer = await FundedAsync(host, "alice", "CNY", 1_000_000_00);

        var (status, quote) = await host.Api.PostJsonAsync(Quotes, QuoteBody(payer, "DE", sendAmount: 10_000_00));
        Assert.Equal(201, status);
        Assert.Equal("EUR", quote.GetProperty("destination_currency").GetString());
        var fee = quote.GetProperty("fee").GetInt64();
        var delivered = quote.GetProperty("receive_amount").GetInt64();
        Assert.True(fee > 0 && delivered > 0);
        Assert.Equal(10_000_00 + fee, quote.GetProperty("total_debit").GetInt64());
        Assert.True(quote.GetProperty("total_cost").GetInt64() == fee + quote.GetProperty("fx_margin").GetInt64());
        Assert.True(quote.TryGetProperty("expected_delivery", out _));
        Assert.Equal(host.Clock.GetUtcNow().AddMinutes(5), quote.GetProperty("expires_at").GetDateTimeOffset());

        var (acceptStatus, payment) = await host.Api.PostJsonAsync($"{Quotes}/{quote.GetProperty("id").GetString()}/accept", new { });
        Assert.Equal(200, acceptStatus);
        var uetr = payment.GetProperty("uetr").GetString()!;
        Assert.True(IsoText.IsUuid4(uetr));
        Assert.Equal("sent", payment.GetProperty("status").GetString());

        host.Clock.Advance(TimeSpan.FromMinutes(7));
        var (inboundStatus, inbound) = await host.Api.PostXmlAsync("v1/payments/cross-border/inbound", Pacs002Builder.Write(Pacs002Builder.For(uetr, "ACSC", null, host.Clock.GetUtcNow())));
        Assert.Equal(200, inboundStatus);
        Assert.Equal("credited", inbound.GetProperty("items")[0].GetProperty("status").GetString());

        var (trackStatus, tracked) = await host.Api.GetJsonAsync($"v1/payments/cross-border/{uetr}");
        Assert.Equal(200, trackStatus);
        Assert.Equal("credited", tracked.GetProperty("status").GetString());
        var timeline = tracked.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("status").GetString()).ToList();
        Assert.Equal(["initiated", "screening", "fx_locked", "sent", "credited"], timeline);
        Assert.Contains("released unscreened", tracked.GetProperty("timeline")[1].GetProperty("detail").GetString(), StringComparison.Ordinal);
        var report = tracked.GetProperty("report");
        Assert.Equal(420, report.GetProperty("end_to_end_seconds").GetInt64());
        Assert.True(report.GetProperty("meets_g20_speed").GetBoolean());
        Assert.True(report.GetProperty("total_cost_percent").GetDecimal() > 0);

        // The ledger holds the three legs, linked to the payment by its UETR.
        var legs = tracked.GetProperty("legs").EnumerateArray().ToList();
        Assert.Equal(["principal", "fee", "delivery"], legs.Select(l => l.GetProperty("leg").GetString()));
        Assert.All(legs, l => Assert.True(l.GetProperty("posted").GetBoolean()));
        var ids = legs.Select(l => UInt128.Parse(l.GetProperty("ledger_transfer_id").GetString()!, CultureInfo.InvariantCulture)).ToArray();
        var transfers = await host.Get<LedgerEngine>().LookupTransfersAsync(ids);
        Assert.Equal(3, transfers.Length);
        Assert.All(transfers, t => Assert.Equal(Guid.Parse(uetr), XbChart.UetrOf(t.UserData128)));
        Assert.Equal([156u, 156u, 978u], transfers.Select(t => t.Ledger));
        Assert.Equal(10_000_00, (long)transfers[0].Amount);
        Assert.Equal(fee, (long)transfers[1].Amount);
        Assert.Equal(delivered, (long)transfers[2].Amount);
        Assert.Equal(XbChart.Nostro(Currencies.Get("EUR")), transfers[2].CreditAccountId);
        Assert.Equal(1_000_000_00 - 10_000_00 - fee, (await host.Get<ICustomerAccounts>().FindAsync(payer, default))!.Posted);

        var (xmlStatus, xml) = await host.Api.GetTextAsync($"v1/payments/cross-border/{uetr}/pacs008");
        Assert.Equal(200, xmlStatus);
        var pacs = Pacs008Builder.Read(IsoXml.Load(System.Text.Encoding.UTF8.GetBytes(xml)));
        Assert.Equal(uetr, pacs.Transactions[0].Uetr);
        Assert.Equal(new IsoAmount(Currencies.Get("EUR"), delivered), pacs.Transactions[0].Settlement);
    }

    [Fact]
    public async Task An_expired_quote_cannot_be_accepted_and_nothing_moves()
    {
        var host = Host;
        var payer = await FundedAsync(host, "bob", "CNY", 100_000_00);
        var (_, fresh) = await host.Api.PostJsonAsync(Quotes, QuoteBody(payer, "SG", sendAmount: 1_000_00));
        var (_, stale) = await host.Api.PostJsonAsync(Quotes, QuoteBody(payer, "SG", sendAmount: 2_000_00));

        host.Clock.Advance(TimeSpan.FromSeconds(299));
        var (okStatus, _) = await host.Api.PostJsonAsync($"{Quotes}/{fresh.GetProperty("id").GetString()}/accept", new { });
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        var (status, problem) = await host.Api.PostJsonAsync($"{Quotes}/{stale.GetProperty("id").GetString()}/accept", new { });

        Assert.Equal(200, okStatus);
        Assert.Equal(409, status);
        Assert.EndsWith("payments/quote-expired", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        var (_, view) = await host.Api.GetJsonAsync($"{Quotes}/{stale.GetProperty("id").GetString()}");
        Assert.Equal("expired", view.GetProperty("status").GetString());
        Assert.Equal(100_000_00 - 1_000_00 - fresh.GetProperty("fee").GetInt64(), (await host.Get<ICustomerAccounts>().FindAsync(payer, default))!.Posted);
    }

    [Fact]
    public async Task Accepting_twice_returns_the_same_payment_and_moves_money_once()
    {
        var host = Host;
        var payer = await FundedAsync(host, "carol", "USD", 50_000_00);
        var (_, quote) = await host.Api.PostJsonAsync(Quotes, QuoteBody(payer, "JP", receiveAmount: 100_000));
        var path = $"{Quotes}/{quote.GetProperty("id").GetString()}/accept";
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => host.Api.PostJsonAsync(path, new { })));
        Assert.All(results, r => Assert.Equal(200, r.Status));
        Assert.Single(results.Select(r => r.Body.GetProperty("uetr").GetString()).Distinct());
        Assert.Equal(100_000, quote.GetProperty("receive_amount").GetInt64());
        Assert.Equal(50_000_00 - quote.GetProperty("total_debit").GetInt64(), (await host.Get<ICustomerAccounts>().FindAsync(payer, default))!.Posted);
    }

    [Fact]
    public async Task A_payment_beyond_the_balance_is_rejected_and_changes_nothing()
    {
        var host = Host;
        var payer = await FundedAsync(host, "dave", "CNY", 1_000_00);
        var (qs, quote) = await host.Api.PostJsonAsync(Quotes, QuoteBody(payer, "HK", sendAmount: 1_000_00));
        Assert.True(qs == 201, quote.ToString());
        var (status, payment) = await host.Api.PostJsonAsync($"{Quotes}/{quote.GetProperty("id").GetString()}/accept", new { });
        Assert.True(status == 200, payment.ToString());
        Assert.Equal("rejected", payment.GetProperty("status").GetString());
        Assert.Equal("insufficient_funds", payment.GetProperty("reason").GetString());
        Assert.All(payment.GetProperty("legs").EnumerateArray(), l => Assert.False(l.GetProperty("posted").GetBoolean()));
        Assert.Equal(1_000_00, (await host.Get<ICustomerAccounts>().FindAsync(payer, default))!.Posted);
    }

    [Fact]
    public async Task A_rejection_by_the_correspondent_returns_principal_and_fee_through_linked_legs()
    {
        var host = Host;
        var payer = await FundedAsync(host, "erin", "GBP", 20_000_00);
        var (_, quote) = await host.Api.PostJsonAsync(Quotes, QuoteBody(payer, "AU", sendAmount: 5_000_00));
        var (_, payment) = await host.Api.PostJsonAsync($"{Quotes}/{quote.GetProperty("id").GetString()}/accept", new { });
        var uetr = payment.GetProperty("uetr").GetString()!;
        Assert.True((await host.Get<ICustomerAccounts>().FindAsync(payer, default))!.Posted < 20_000_00);

        var (status, _) = await host.Api.PostXmlAsync("v1/payments/cross-border/inbound", Pacs002Builder.Write(Pacs002Builder.For(uetr, "RJCT", "AC01", host.Clock.GetUtcNow())));
        var (_, tracked) = await host.Api.GetJsonAsync($"v1/payments/cross-border/{uetr}");
        var (againStatus, problem) = await host.Api.PostXmlAsync("v1/payments/cross-border/inbound", Pacs002Builder.Write(Pacs002Builder.For(uetr, "ACSC", null, host.Clock.GetUtcNow())));

        Assert.Equal(200, status);
        Assert.Equal("rejected", tracked.GetProperty("status").GetString());
        Assert.Equal(6, tracked.GetProperty("legs").GetArrayLength());
        Assert.Equal(20_000_00, (await host.Get<ICustomerAccounts>().FindAsync(payer, default))!.Posted);
        Assert.Equal(400, againStatus);
        Assert.EndsWith("/TxSts", problem.GetProperty("path").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Corridors_list_23_countries_in_the_twelve_currencies()
    {
        var host = Host;
        var (status, body) = await host.Api.GetJsonAsync("v1/payments/cross-border/corridors");
        Assert.Equal(200, status);
        Assert.True(body.GetProperty("illustrative").GetBoolean());
        var corridors = body.GetProperty("corridors").EnumerateArray().ToList();
        Assert.Equal(23, corridors.Select(c => c.GetProperty("country").GetString()).Distinct().Count());
        Assert.All(corridors, c => Assert.True(Currencies.TryGet(c.GetProperty("currency").GetString(), out _)));
    }

    [Fact]
    public async Task Quote_requests_with_bad_fields_are_validation_problems()
    {
        var host = Host;
        var payer = await FundedAsync(host, "frank", "CNY", 1_000_00);
        var (status, problem) = await host.Api.PostJsonAsync(Quotes, new
        {
            debit_account_id = payer.ToString(CultureInfo.InvariantCulture), destination_country = "ZZ", send_amount = 100,
            creditor = new { name = "X", account = "DE89370400440532013000", agent_bic = "nope" },
        });
        Assert.Equal(400, status);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("destination_country", out _));
        Assert.True(errors.TryGetProperty("creditor.agent_bic", out _));
    }

    [Fact]
    public async Task Endpoints_require_the_payments_scope()
    {
        var host = Host;
        using var other = await host.ClientWithScopeAsync("ledger");
        var (status, _) = await other.GetJsonAsync("v1/payments/cross-border/corridors");
        Assert.Equal(403, status);
    }

    internal static object QuoteBody(UInt128 payer, string country, long? sendAmount = null, long? receiveAmount = null) => new
    {
        debit_account_id = payer.ToString(CultureInfo.InvariantCulture),
        destination_country = country,
        send_amount = sendAmount,
        receive_amount = receiveAmount,
        creditor = new { name = "Beneficiary GmbH", account = "DE89370400440532013000", agent_bic = "DEUTDEFFXXX" },
        remittance = "invoice 2026-118",
        end_to_end_id = "E2E-" + Guid.NewGuid().ToString("N")[..12],
    };

    internal static async Task<UInt128> FundedAsync(XbHost host, string customer, string currency, long amount)
    {
        var accounts = host.Get<ICustomerAccounts>();
        customer += "-" + Guid.NewGuid().ToString("N")[..8];
        var account = await accounts.OpenAsync(customer, Currencies.Get(currency), default);
        var deposit = await accounts.DepositAsync(account.AccountId, amount, "fund-" + customer + currency, default);
        Assert.True(deposit.Succeeded, deposit.Detail);
        return account.AccountId;
    }
}
