using System.Globalization;
using System.Text.Json;
using Banyan.Ledger;
using Banyan.Payments.Contracts;
using Banyan.Payments.CrossBorder;
using Banyan.Payments.CrossBorder.Iso;
using Banyan.Platform.Money;
using Banyan.Server;
using Banyan.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.Tests.CrossBorder;

/// <summary>
/// Cross-border on PostgreSQL: the module's tables AND the ledger's journal (<c>Banyan:Ledger:Journal=postgres</c>)
/// in one temporary database (BANYAN_TEST_POSTGRES; skipped with the reason when unset outside CI, failing under CI=true).
/// </summary>
public sealed class CrossBorderPostgresTests
{
    private const string Quotes = "v1/payments/cross-border/quotes";

    [SkippableFact]
    public async Task A_CNY_to_EUR_payment_on_postgres_posts_every_leg_and_a_restart_keeps_the_UETR_timeline()
    {
        await using var database = await TemporaryPostgresDatabase.CreateAsync("banyan_xb");
        var directory = Path.Combine(Path.GetTempPath(), "banyan-xb-pg-" + Guid.NewGuid().ToString("N"));
        var clock = new ManualClock(XbHost.Start);
        try
        {
            string uetr;
            UInt128 payer;
            UInt128[] legIds;
            JsonElement before;
            await using (var app = await StartAsync(directory, database.ConnectionString, clock))
            {
                Assert.Equal(LedgerRole.Leader, app.Services.GetRequiredService<LedgerEngine>().Cluster.Role);
                await using (var scope = app.Services.CreateAsyncScope()) Assert.True(scope.ServiceProvider.GetRequiredService<DbContext>().Database.IsNpgsql());
                using var api = await app.CreateAuthorizedClientAsync();
                payer = await FundedAsync(app, 1_000_000_00);
                (uetr, legIds) = await PayAndCreditAsync(app, api, clock, payer);
                (_, before) = await api.GetJsonAsync($"v1/payments/cross-border/{uetr}");
            }

            await using (var app = await StartAsync(directory, database.ConnectionString, clock))
            {
                using var api = await app.CreateAuthorizedClientAsync();
                var (status, after) = await api.GetJsonAsync($"v1/payments/cross-border/{uetr}");

                Assert.Equal(200, status);
                Assert.Equal("credited", after.GetProperty("status").GetString());
                Assert.Equal(Timeline(before), Timeline(after));
                Assert.Equal(["initiated", "screening", "fx_locked", "sent", "credited"], Timeline(after).Select(t => t.Status));
                // The ledger came back from the PostgreSQL journal with every leg and the payer's balance.
                var legs = await app.Services.GetRequiredService<LedgerEngine>().LookupTransfersAsync(legIds);
                Assert.Equal(3, legs.Length);
                Assert.All(legs, t => Assert.Equal(Guid.Parse(uetr), XbChart.UetrOf(t.UserData128)));
                var fee = (long)legs[1].Amount;
                Assert.Equal(1_000_000_00 - 10_000_00 - fee, (await app.Services.GetRequiredService<ICustomerAccounts>().FindAsync(payer, default))!.Posted);
            }
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Quote → accept → pacs.002 ACSC; checks the three legs in the ledger and returns the UETR and leg ids.</summary>
    private static async Task<(string Uetr, UInt128[] Legs)> PayAndCreditAsync(WebApplication app, HttpClient api, ManualClock clock, UInt128 payer)
    {
        var (quoted, quote) = await api.PostJsonAsync(Quotes, CrossBorderApiTests.QuoteBody(payer, "DE", sendAmount: 10_000_00));
        Assert.True(quoted == 201, quote.ToString());
        Assert.Equal("EUR", quote.GetProperty("destination_currency").GetString());
        var fee = quote.GetProperty("fee").GetInt64();
        var delivered = quote.GetProperty("receive_amount").GetInt64();
        var (accepted, payment) = await api.PostJsonAsync($"{Quotes}/{quote.GetProperty("id").GetString()}/accept", new { });
        Assert.True(accepted == 200, payment.ToString());
        Assert.Equal("sent", payment.GetProperty("status").GetString());
        var uetr = payment.GetProperty("uetr").GetString()!;

        clock.Advance(TimeSpan.FromMinutes(3));
        var (inbound, credited) = await api.PostXmlAsync("v1/payments/cross-border/inbound", Pacs002Builder.Write(Pacs002Builder.For(uetr, "ACSC", null, clock.GetUtcNow())));
        Assert.True(inbound == 200, credited.ToString());
        Assert.Equal("credited", credited.GetProperty("items")[0].GetProperty("status").GetString());

        var (_, tracked) = await api.GetJsonAsync($"v1/payments/cross-border/{uetr}");
        var legs = tracked.GetProperty("legs").EnumerateArray().ToList();
        Assert.Equal(["principal", "fee", "delivery"], legs.Select(l => l.GetProperty("leg").GetString()));
        var ids = legs.Select(l => UInt128.Parse(l.GetProperty("ledger_transfer_id").GetString()!, CultureInfo.InvariantCulture)).ToArray();
        var transfers = await app.Services.GetRequiredService<LedgerEngine>().LookupTransfersAsync(ids);
        Assert.Equal(3, transfers.Length);
        Assert.Equal([156u, 156u, 978u], transfers.Select(t => t.Ledger));
        Assert.Equal((10_000_00L, fee, delivered), ((long)transfers[0].Amount, (long)transfers[1].Amount, (long)transfers[2].Amount));
        Assert.Equal(payer, transfers[0].DebitAccountId);
        Assert.Equal(payer, transfers[1].DebitAccountId);
        Assert.Equal(XbChart.Nostro(Currencies.Get("EUR")), transfers[2].CreditAccountId);
        return (uetr, ids);
    }

    private static List<(string? Status, string At)> Timeline(JsonElement payment) =>
        payment.GetProperty("timeline").EnumerateArray().Select(e => (e.GetProperty("status").GetString(), e.GetProperty("at").GetRawText())).ToList();

    private static async Task<UInt128> FundedAsync(WebApplication app, long amount)
    {
        var accounts = app.Services.GetRequiredService<ICustomerAccounts>();
        var account = await accounts.OpenAsync("pg-payer", Currencies.Cny, default);
        var deposit = await accounts.DepositAsync(account.AccountId, amount, "pg-fund", default);
        Assert.True(deposit.Succeeded, deposit.Detail);
        return account.AccountId;
    }

    private static async Task<WebApplication> StartAsync(string directory, string connection, ManualClock clock)
    {
        Directory.CreateDirectory(directory);
        var app = BanyanServer.Build(
            ["--urls", "http://127.0.0.1:0", "--data", directory, "--ConnectionStrings:Banyan=" + connection, "--Banyan:Ledger:Journal=postgres",
             "--Banyan:Ledger:AccountCapacity=16384", "--Banyan:Ledger:TransferCapacity=65536"],
            [new TestClockModule(clock), .. Modules.All()]);
        await app.StartAsync();
        return app;
    }
}
