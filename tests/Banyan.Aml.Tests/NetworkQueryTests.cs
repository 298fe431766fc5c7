using System.Text.Json;

namespace Banyan.Aml.Tests;

[Collection(AmlHostCollection.Name)]
public sealed class NetworkQueryTests(AmlHostFixture host)
{
    [Fact]
    public async Task The_network_takes_days_reports_totals_and_is_reachable_from_the_case()
    {
        var (till, account, customer) = (LiveSupport.NewId(), LiveSupport.NewId(), host.NextCustomer());
        await LiveSupport.CreateAccountsAsync(host.Services, till, account);
        await LiveSupport.RegisterAsync(host.Api, till, null, "external", name: "Branch till", channel: "cash");
        await LiveSupport.RegisterAsync(host.Api, account, customer, "individual");
        await LiveSupport.TransferAsync(host.Services, [(till, account, 4_500_000), (till, account, 4_700_000), (till, account, 4_900_000)]);
        var caseId = (await LiveSupport.CaseOfAsync(host.Api, customer))!.Value.GetProperty("case").GetProperty("id").GetInt64();

        var (status, byCustomer) = await host.Api.GetJsonAsync($"v1/aml/network/{customer}?days=7&depth=1");
        var (caseStatus, byCase) = await host.Api.GetJsonAsync($"v1/aml/cases/{caseId}/network?days=7&depth=1");

        Assert.Equal((200, 200), (status, caseStatus));
        Assert.Equal(7, byCustomer.GetProperty("days").GetInt32());
        var totals = byCustomer.GetProperty("totals");
        Assert.Equal(3, totals.GetProperty("transfers").GetInt64());
        Assert.Equal(14_100_000, totals.GetProperty("amount_minor").GetProperty("CNY").GetInt64());
        Assert.Equal((2, 1), (totals.GetProperty("nodes").GetInt32(), totals.GetProperty("edges").GetInt32()));
        Assert.Equal(byCustomer.GetProperty("edges").GetRawText(), byCase.GetProperty("edges").GetRawText());
        Assert.Equal(caseId, byCase.GetProperty("case_id").GetInt64());
        Assert.Equal("customer:" + customer, byCase.GetProperty("root").GetString());
    }

    [Fact]
    public async Task Out_of_range_days_or_days_with_since_are_refused_and_an_unknown_case_is_not_found()
    {
        var (account, customer) = (LiveSupport.NewId(), host.NextCustomer());
        await LiveSupport.RegisterAsync(host.Api, account, customer, "individual");

        var (zero, problem) = await host.Api.GetJsonAsync($"v1/aml/network/{customer}?days=0");
        var (tooMany, _) = await host.Api.GetJsonAsync($"v1/aml/network/{customer}?days=367");
        var (both, bothProblem) = await host.Api.GetJsonAsync($"v1/aml/network/{customer}?days=5&since=2026-01-01");
        var (missing, _) = await host.Api.GetJsonAsync("v1/aml/cases/999999999/network");

        Assert.Equal((400, 400, 400, 404), (zero, tooMany, both, missing));
        Assert.True(problem.GetProperty("errors").TryGetProperty("days", out _));
        Assert.True(bothProblem.GetProperty("errors").TryGetProperty("since", out _));
    }

    [Fact]
    public async Task Nodes_carry_what_the_registry_knows_of_each_party_and_unregistered_accounts_say_so()
    {
        var (till, account, stranger, customer) = (LiveSupport.NewId(), LiveSupport.NewId(), LiveSupport.NewId(), host.NextCustomer());
        await LiveSupport.CreateAccountsAsync(host.Services, till, account, stranger);
        await LiveSupport.RegisterAsync(host.Api, till, null, "external", name: "Branch till", channel: "cash", country: "CN");
        await LiveSupport.RegisterAsync(host.Api, account, customer, "business", name: "Kind Test Ltd", country: "SG");
        await LiveSupport.TransferAsync(host.Services, [(till, account, 120_000), (account, stranger, 50_000)]);

        var (status, view) = await host.Api.GetJsonAsync($"v1/aml/network/{customer}?days=7&depth=1");

        Assert.Equal(200, status);
        var nodes = view.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("id").GetString()!);
        Assert.Equal(3, nodes.Count);
        var root = nodes["customer:" + customer];
        Assert.Equal(("customer", "business", "SG", "transfer", "Kind Test Ltd"),
            (root.GetProperty("kind").GetString(), root.GetProperty("party_kind").GetString(), root.GetProperty("country").GetString(),
             root.GetProperty("channel").GetString(), root.GetProperty("name").GetString()));
        var cash = nodes["account:" + till];
        Assert.Equal(("account", "external", "cash"), (cash.GetProperty("kind").GetString(), cash.GetProperty("party_kind").GetString(), cash.GetProperty("channel").GetString()));
        var unknown = nodes["account:" + stranger];
        Assert.Equal(("account", "unregistered"), (unknown.GetProperty("kind").GetString(), unknown.GetProperty("party_kind").GetString()));
        Assert.Equal(JsonValueKind.Null, unknown.GetProperty("channel").ValueKind);
    }
}
