using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Contracts;
using Banyan.Payments.CrossBorder;
using Banyan.Platform;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Tests.CrossBorder;

[Collection(XbHostCollection.Name)]
public sealed class LifecycleTests(XbHostFixture fixture)
{
    private XbHost Host => fixture.Host;

    [Fact]
    public async Task Start_up_finishes_a_posted_payment_and_rejects_one_that_never_reached_the_ledger()
    {
        var payer = await CrossBorderApiTests.FundedAsync(Host, "crash", "CNY", 10_000_00);
        var quotes = Host.Get<XbQuotes>();
        var posted = await InterruptedAsync(await quotes.CreateAsync(Input(payer, 1_000_00), default), postChain: true);
        var unposted = await InterruptedAsync(await quotes.CreateAsync(Input(payer, 2_000_00), default), postChain: false);

        await Host.Get<XbPayments>().ResumeAsync(default);

        var tracking = Host.Get<XbTracking>();
        var finished = (await tracking.ViewAsync(posted, default))!;
        var refused = (await tracking.ViewAsync(unposted, default))!;
        Assert.Equal("sent", finished.Status);
        Assert.Equal("rejected", refused.Status);
        Assert.Equal("interrupted", refused.Reason);
        Assert.Equal(10_000_00 - 1_000_00 - finished.Quote.Fee, (await Host.Get<ICustomerAccounts>().FindAsync(payer, default))!.Posted);
    }

    [Fact]
    public async Task A_quote_belongs_to_its_client_and_unknown_uetrs_are_not_found()
    {
        var payer = await CrossBorderApiTests.FundedAsync(Host, "owner", "CNY", 10_000_00);
        var (_, quote) = await Host.Api.PostJsonAsync("v1/payments/cross-border/quotes", CrossBorderApiTests.QuoteBody(payer, "FR", sendAmount: 100_00));
        var quoteId = quote.GetProperty("id").GetString()!;
        var (_, payment) = await Host.Api.PostJsonAsync($"v1/payments/cross-border/quotes/{quoteId}/accept", new { });
        var uetr = payment.GetProperty("uetr").GetString();

        // The tests have one OAuth client, so another initiator is simulated at the service: the quote is bound to its creator.
        var (other, refusal) = await Host.Get<XbPayments>().AcceptAsync("someone-else", quoteId, default);
        Assert.Null(other);
        Assert.Equal(AcceptRefusal.NotFound, refusal);
        var (status, _) = await Host.Api.GetJsonAsync($"v1/payments/cross-border/{Guid.NewGuid()}");
        Assert.Equal(404, status);
        var (mine, _) = await Host.Api.GetJsonAsync($"v1/payments/cross-border/{uetr}");
        Assert.Equal(200, mine);
    }

    [Fact]
    public async Task The_bench_quotes_accepts_and_credits_every_payment()
    {
        var figures = await CrossBorderBench.RunAsync(Host.Services, 25, default);
        Assert.Equal(25, figures.Payments);
        Assert.True(figures.P99Milliseconds >= figures.P50Milliseconds);
        Assert.InRange(figures.MeanTotalCostPercent, 0.01m, 1m);
        Assert.Equal(1m, figures.ShareWithinG20Cost);
    }

    private async Task<string> InterruptedAsync(XbQuoteRow quote, bool postChain)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var row = new XbPaymentRow { QuoteId = quote.Id, Uetr = Guid.NewGuid().ToString(), Status = XbStatus.Initiated, CreatedAtUnixMs = Host.Clock.GetUtcNow().ToUnixTimeMilliseconds() };
        db.Add(row);
        await db.SaveChangesAsync();
        if (postChain)
        {
            Assert.Equal(CreateTransferResult.Created, await Host.Get<XbPayments>().PostChainAsync(XbPayments.OutboundChain(row, quote)));
        }

        return row.Uetr;
    }

    private static QuoteInput Input(UInt128 payer, long amount) =>
        new("crash-test", payer, "NL", amount, null, "B", "NL91ABNA0417164300", "INGBNL2AXXX", null, "E" + amount.ToString(CultureInfo.InvariantCulture));
}

/// <summary>Refuses payments to one creditor name, as a sanctions screening would.</summary>
internal sealed class RefusingScreening : IReleaseScreening
{
    public ValueTask<ScreeningDecision> ScreenAsync(ScreeningSubject subject, CancellationToken cancellationToken) =>
        ValueTask.FromResult(subject.CreditorName == "Blocked Party" ? new ScreeningDecision(false, "screening: hit on Blocked Party") : new ScreeningDecision(true, "screening: clear"));
}

internal sealed class TestScreeningModule : BanyanModule
{
    public override string Name => "testscreening";

    public override void ConfigureServices(IServiceCollection services, ModuleContext context) => services.AddSingleton<IReleaseScreening, RefusingScreening>();
}

public sealed class ConfiguredHostTests
{
    [Fact]
    public async Task Premium_customers_get_a_smaller_spread_and_a_screening_refusal_moves_nothing()
    {
        await using var host = await XbHost.StartAsync(["--Banyan:Payments:CrossBorder:CustomerTiers:vip-1=premium"], [new TestScreeningModule()]);
        var accounts = host.Get<ICustomerAccounts>();
        var vip = await accounts.OpenAsync("vip-1", Currencies.Cny, default);
        var plain = await accounts.OpenAsync("plain-1", Currencies.Cny, default);
        await accounts.DepositAsync(vip.AccountId, 10_000_00, "v", default);
        await accounts.DepositAsync(plain.AccountId, 10_000_00, "p", default);
        var quotes = host.Get<XbQuotes>();
        var premium = await quotes.CreateAsync(new QuoteInput("t", vip.AccountId, "US", 1_000_00, null, "B", "12345", "CHASUS33XXX", null, null), default);
        var standard = await quotes.CreateAsync(new QuoteInput("t", plain.AccountId, "US", 1_000_00, null, "Blocked Party", "12345", "CHASUS33XXX", null, null), default);

        Assert.Equal("premium", premium.Tier);
        Assert.Equal(15 + 10, premium.SpreadBps);
        Assert.Equal(40 + 10, standard.SpreadBps);
        Assert.True(premium.Delivered > standard.Delivered);

        var (refused, _) = await host.Get<XbPayments>().AcceptAsync("t", standard.Id, default);
        Assert.Equal("rejected", refused!.Status);
        Assert.Equal("screening_refused", refused.Reason);
        Assert.Equal(10_000_00, (await accounts.FindAsync(plain.AccountId, default))!.Posted);
        var (released, _) = await host.Get<XbPayments>().AcceptAsync("t", premium.Id, default);
        Assert.Equal("sent", released!.Status);
        var view = await host.Get<XbTracking>().ViewAsync(released.Uetr, default);
        Assert.Contains(view!.Timeline, e => e.Detail == "screening: clear");
    }
}
