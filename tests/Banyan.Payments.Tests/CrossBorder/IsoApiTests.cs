using System.Globalization;
using System.Text;
using Banyan.Payments.Contracts;
using Banyan.Payments.CrossBorder;
using Banyan.Payments.CrossBorder.Iso;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Tests.CrossBorder;

[Collection(XbHostCollection.Name)]
public sealed class IsoApiTests(XbHostFixture fixture)
{
    private const string Pain001 = "v1/payments/cross-border/pain001";
    private const string Inbound = "v1/payments/cross-border/inbound";

    private XbHost Host => fixture.Host;

    [Fact]
    public async Task A_pain001_creates_one_payment_per_transfer_and_resubmitting_it_creates_none()
    {
        var payer = await CrossBorderApiTests.FundedAsync(Host, "corp", "CNY", 500_000_00);
        var message = new Pain001("PAIN-" + Guid.NewGuid().ToString("N")[..10], Host.Clock.GetUtcNow(), "Corp Ltd",
        [
            new Pain001Batch("B1", new DateOnly(2026, 11, 23), "Corp", IsoText.LedgerId(payer), null,
            [
                new Pain001Tx(null, "E1", new IsoAmount(Currencies.Get("CNY"), 20_000_00), "DEUTDEFFXXX", "Lieferant GmbH", "DE", "DE89370400440532013000", "PO 1", ""),
                new Pain001Tx(null, "E2", new IsoAmount(Currencies.Get("JPY"), 300_000), "MHCBJPJTXXX", "Shiire KK", "JP", "1234567", null, ""),
            ], ""),
        ]);
        var xml = Pain001Builder.Write(message);

        var (status, body) = await Host.Api.PostXmlAsync(Pain001, xml);
        var (againStatus, again) = await Host.Api.PostXmlAsync(Pain001, xml);

        Assert.True(status == 200, body.ToString());
        var payments = body.GetProperty("payments").EnumerateArray().ToList();
        Assert.Equal(2, payments.Count);
        Assert.All(payments, p => Assert.Equal("sent", p.GetProperty("status").GetString()));
        Assert.Equal(20_000_00, payments[0].GetProperty("quote").GetProperty("send_amount").GetInt64());
        Assert.Equal(300_000, payments[1].GetProperty("quote").GetProperty("receive_amount").GetInt64());
        Assert.Equal(200, againStatus);
        Assert.Equal(payments.Select(p => p.GetProperty("uetr").GetString()), again.GetProperty("payments").EnumerateArray().Select(p => p.GetProperty("uetr").GetString()));
        var spent = payments.Sum(p => p.GetProperty("quote").GetProperty("total_debit").GetInt64());
        Assert.Equal(500_000_00 - spent, (await Host.Get<ICustomerAccounts>().FindAsync(payer, default))!.Posted);
    }

    [Fact]
    public async Task A_pain001_with_one_bad_transfer_is_refused_with_its_path_and_changes_nothing()
    {
        var payer = await CrossBorderApiTests.FundedAsync(Host, "corp2", "CNY", 1_000_00);
        var before = await CountsAsync();
        var badCurrency = IsoMessageTests.ValidPain001(IsoText.LedgerId(payer), currency: "USD");
        var (status, problem) = await Host.Api.PostXmlAsync(Pain001, badCurrency);
        Assert.Equal(400, status);
        Assert.EndsWith("payments/invalid-iso20022", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal("/Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Amt/InstdAmt/@Ccy", problem.GetProperty("path").GetString());

        var (unknownStatus, unknown) = await Host.Api.PostXmlAsync(Pain001, IsoMessageTests.ValidPain001(IsoText.LedgerId(payer), currency: "XXX"));
        Assert.Equal(400, unknownStatus);
        Assert.Equal("/Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Amt/InstdAmt/@Ccy", unknown.GetProperty("path").GetString());

        var (tooMuch, _) = await Host.Api.PostXmlAsync(Pain001, IsoMessageTests.ValidPain001(IsoText.LedgerId(payer), currency: "CNY", amount: "1.001"));
        var (noCorridor, corridorProblem) = await Host.Api.PostXmlAsync(Pain001, IsoMessageTests.ValidPain001(IsoText.LedgerId(payer), country: "BR"));
        var (notXml, notXmlProblem) = await Host.Api.PostXmlAsync(Pain001, "<Document><unclosed></Document>");
        var (wrongType, _) = await Host.Api.PostXmlAsync(Pain001, IsoMessageTests.ValidPain001(IsoText.LedgerId(payer)), "application/json");

        Assert.Equal(400, tooMuch);
        Assert.Equal("/Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Cdtr/PstlAdr/Ctry", corridorProblem.GetProperty("path").GetString());
        Assert.Equal(400, noCorridor);
        Assert.Equal(400, notXml);
        Assert.Equal("/", notXmlProblem.GetProperty("path").GetString());
        Assert.Equal(415, wrongType);
        Assert.Equal(before, await CountsAsync());
        Assert.Equal(1_000_00, (await Host.Get<ICustomerAccounts>().FindAsync(payer, default))!.Posted);
    }

    [Fact]
    public async Task An_inbound_pacs008_credits_the_customer_once()
    {
        var account = (await Host.Get<ICustomerAccounts>().OpenAsync("inbound-" + Guid.NewGuid().ToString("N")[..8], Currencies.Get("EUR"), default)).AccountId;
        var uetr = Guid.NewGuid().ToString();
        var tx = IsoMessageTests.SampleTx(uetr, new IsoAmount(Currencies.Get("EUR"), 750_00)) with { CreditorAccount = IsoText.LedgerId(account) };
        var xml = Pacs008Builder.Write(new Pacs008("IN-1", Host.Clock.GetUtcNow(), "INDA", [tx]));

        var (status, body) = await Host.Api.PostXmlAsync(Inbound, xml);
        var (again, _) = await Host.Api.PostXmlAsync(Inbound, xml);
        var wrongCurrency = Pacs008Builder.Write(new Pacs008("IN-2", Host.Clock.GetUtcNow(), "INDA",
            [tx with { Uetr = Guid.NewGuid().ToString(), Settlement = new IsoAmount(Currencies.Get("USD"), 1_00) }]));
        var (refused, problem) = await Host.Api.PostXmlAsync(Inbound, wrongCurrency);

        Assert.True(status == 200, body.ToString());
        Assert.Equal("credited", body.GetProperty("items")[0].GetProperty("status").GetString());
        Assert.Equal(200, again);
        Assert.Equal(400, refused);
        Assert.Equal("/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/IntrBkSttlmAmt/@Ccy", problem.GetProperty("path").GetString());
        Assert.Equal(750_00, (await Host.Get<ICustomerAccounts>().FindAsync(account, default))!.Posted);
    }

    [Fact]
    public async Task A_status_report_for_an_unknown_uetr_is_refused_with_its_path()
    {
        var (status, problem) = await Host.Api.PostXmlAsync(Inbound, Pacs002Builder.Write(Pacs002Builder.For(Guid.NewGuid().ToString(), "ACSC", null, Host.Clock.GetUtcNow())));
        Assert.Equal(400, status);
        Assert.Equal("/Document/FIToFIPmtStsRpt/TxInfAndSts[1]/OrgnlUETR", problem.GetProperty("path").GetString());
    }

    [Fact]
    public async Task A_camt053_statement_lists_the_period_bookings_with_balances_and_uetrs()
    {
        var payer = await CrossBorderApiTests.FundedAsync(Host, "stmt", "CNY", 10_000_00);
        var (_, quote) = await Host.Api.PostJsonAsync("v1/payments/cross-border/quotes", CrossBorderApiTests.QuoteBody(payer, "GB", sendAmount: 1_000_00));
        var (_, payment) = await Host.Api.PostJsonAsync($"v1/payments/cross-border/quotes/{quote.GetProperty("id").GetString()}/accept", new { });
        var from = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var to = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

        var (status, xml) = await Host.Api.GetTextAsync($"v1/payments/accounts/{payer}/camt053?from={from}&to={to}");

        Assert.True(status == 200, xml);
        var statement = Camt053Builder.Read(IsoXml.Load(Encoding.UTF8.GetBytes(xml)));
        Assert.Equal(IsoText.LedgerId(payer), statement.AccountId);
        Assert.Equal(0, statement.Opening);
        Assert.Equal(10_000_00 - quote.GetProperty("total_debit").GetInt64(), statement.Closing);
        Assert.Equal(3, statement.Entries.Count);
        Assert.True(statement.Entries[0].Credit);
        Assert.Equal([payment.GetProperty("uetr").GetString(), payment.GetProperty("uetr").GetString()], statement.Entries.Skip(1).Select(e => e.Uetr));

        var (later, laterXml) = await Host.Api.GetTextAsync($"v1/payments/accounts/{payer}/camt053?from={to}&to={DateTimeOffset.UtcNow.AddHours(2):yyyy-MM-ddTHH:mm:ssZ}");
        var after = Camt053Builder.Read(IsoXml.Load(Encoding.UTF8.GetBytes(laterXml)));
        Assert.Equal(200, later);
        Assert.Equal(statement.Closing, after.Opening);
        Assert.Empty(after.Entries);
        var (bad, _) = await Host.Api.GetTextAsync($"v1/payments/accounts/{payer}/camt053?from=yesterday");
        Assert.Equal(400, bad);
    }

    private async Task<(int, int, int)> CountsAsync()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        return (await db.Set<XbQuoteRow>().CountAsync(), await db.Set<XbPaymentRow>().CountAsync(), await db.Set<XbEventRow>().CountAsync());
    }
}
