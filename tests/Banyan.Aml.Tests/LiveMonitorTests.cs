using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.Tests;

[Collection(AmlHostCollection.Name)]
public sealed class LiveMonitorTests(AmlHostFixture host)
{
    [Fact]
    public async Task Three_cash_deposits_posted_to_the_ledger_raise_a_structuring_alert_in_a_case()
    {
        var (till, account, customer) = (LiveSupport.NewId(), LiveSupport.NewId(), host.NextCustomer());
        await LiveSupport.CreateAccountsAsync(host.Services, till, account);
        await LiveSupport.RegisterAsync(host.Api, till, null, "external", channel: "cash");
        await LiveSupport.RegisterAsync(host.Api, account, customer, "individual", name: "Wang Fang", income: 800_000);

        var ids = await LiveSupport.TransferAsync(host.Services, [(till, account, 4_500_000), (till, account, 4_700_000), (till, account, 4_900_000)]);

        var alerts = LiveSupport.Alerts(await LiveSupport.CaseOfAsync(host.Api, customer), "STRUCTURING");
        var alert = Assert.Single(alerts);
        Assert.Equal(account.ToString(), alert.GetProperty("subject_account").GetString());
        Assert.Equal("live", alert.GetProperty("source").GetString());
        Assert.Equal("default@0", alert.GetProperty("rule_set").GetString());
        Assert.Equal(ids.Select(i => i.ToString()).ToArray(), alert.GetProperty("transaction_ids").EnumerateArray().Select(t => t.GetString()).ToArray());
        Assert.Contains("141,000.00 CNY", alert.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fourth_deposit_extends_the_same_alert_instead_of_raising_another()
    {
        var (till, account, customer) = (LiveSupport.NewId(), LiveSupport.NewId(), host.NextCustomer());
        await LiveSupport.CreateAccountsAsync(host.Services, till, account);
        await LiveSupport.RegisterAsync(host.Api, till, null, "external", channel: "cash");
        await LiveSupport.RegisterAsync(host.Api, account, customer, "individual");
        await LiveSupport.TransferAsync(host.Services, [(till, account, 4_500_000), (till, account, 4_700_000), (till, account, 4_900_000)]);

        await LiveSupport.TransferAsync(host.Services, [(till, account, 4_800_000)]);

        var detail = await LiveSupport.CaseOfAsync(host.Api, customer);
        var alert = Assert.Single(LiveSupport.Alerts(detail, "STRUCTURING"));
        Assert.Equal(4, alert.GetProperty("transaction_ids").GetArrayLength());
        Assert.Contains(detail!.Value.GetProperty("history").EnumerateArray(), e => e.GetProperty("action").GetString() == "alert_extended");
    }

    [Fact]
    public async Task Transfers_in_another_currency_and_between_unregistered_accounts_raise_nothing()
    {
        var (till, account, customer) = (LiveSupport.NewId(), LiveSupport.NewId(), host.NextCustomer());
        var engine = host.Services.GetRequiredService<Banyan.Ledger.LedgerEngine>();
        var usd = new[] { new Banyan.Ledger.Account { Id = till, Ledger = 840, Code = 1 }, new Banyan.Ledger.Account { Id = account, Ledger = 840, Code = 1 } };
        Assert.All(await engine.CreateAccountsAsync(usd), r => Assert.Equal(Banyan.Ledger.CreateAccountResult.Created, r));
        await LiveSupport.RegisterAsync(host.Api, till, null, "external", channel: "cash");
        await LiveSupport.RegisterAsync(host.Api, account, customer, "individual");

        await LiveSupport.TransferAsync(host.Services, [(till, account, 4_500_000), (till, account, 4_700_000), (till, account, 4_900_000)], ledger: 840);

        Assert.Null(await LiveSupport.CaseOfAsync(host.Api, customer));
    }

    [Fact]
    public async Task Fan_in_shows_in_the_network_view_with_flows_and_the_open_case()
    {
        var (account, customer) = (LiveSupport.NewId(), host.NextCustomer());
        var senders = Enumerable.Range(0, 6).Select(_ => LiveSupport.NewId()).ToArray();
        await LiveSupport.CreateAccountsAsync(host.Services, [account, .. senders]);
        await LiveSupport.RegisterAsync(host.Api, account, customer, "individual", name: "Li Na");
        for (var i = 0; i < senders.Length; i++) await LiveSupport.RegisterAsync(host.Api, senders[i], null, "external", name: $"Sender {i}");

        await LiveSupport.TransferAsync(host.Services, senders.Select(s => (s, account, 300_000L)));

        Assert.Single(LiveSupport.Alerts(await LiveSupport.CaseOfAsync(host.Api, customer), "FAN_IN"));
        var (status, network) = await host.Api.GetJsonAsync($"v1/aml/network/{customer}?depth=2");
        Assert.Equal(200, status);
        var root = network.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == "customer:" + customer);
        Assert.Equal(1, root.GetProperty("open_cases").GetInt32());
        Assert.Contains("FAN_IN", root.GetProperty("risk_flags").EnumerateArray().Select(f => f.GetString()));
        var edges = network.GetProperty("edges").EnumerateArray().ToList();
        Assert.Equal(6, edges.Count);
        Assert.All(edges, e =>
        {
            Assert.Equal("customer:" + customer, e.GetProperty("to").GetString());
            Assert.Equal(300_000, e.GetProperty("amount_minor").GetInt64());
            Assert.Equal(1, e.GetProperty("count").GetInt64());
        });
        Assert.Equal(7, network.GetProperty("nodes").GetArrayLength());
    }

    [Fact]
    public async Task Registering_an_account_twice_with_other_details_is_a_conflict_and_changes_nothing()
    {
        var (account, customer) = (LiveSupport.NewId(), host.NextCustomer());
        await LiveSupport.RegisterAsync(host.Api, account, customer, "individual", name: "Zhao Lei");
        await LiveSupport.RegisterAsync(host.Api, account, customer, "individual", name: "Zhao Lei"); // same body: idempotent

        var (status, problem) = await host.Api.PostJsonAsync("v1/aml/accounts", JsonSerializer.Serialize(new { account_id = account.ToString(), customer_id = customer, kind = "business" }));
        var (invalid, errors) = await host.Api.PostJsonAsync("v1/aml/accounts", JsonSerializer.Serialize(new { account_id = "abc", kind = "individual", channel = "pigeon" }));

        Assert.Equal(409, status);
        Assert.Equal("conflict", problem.GetProperty("type").GetString()!.Split('/')[^1]);
        Assert.Equal(400, invalid);
        Assert.True(errors.GetProperty("errors").TryGetProperty("channel", out _));
        var (_, stored) = await host.Api.GetJsonAsync("v1/aml/accounts/" + account);
        Assert.Equal("individual", stored.GetProperty("kind").GetString());
    }
}
