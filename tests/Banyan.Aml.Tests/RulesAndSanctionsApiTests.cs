using System.Text;
using System.Text.Json;
using Banyan.Aml.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.Tests;

/// <summary>A host of its own: these tests change the active rule set and the sanctions list, which the other host tests must not see.</summary>
[CollectionDefinition(Name)]
public sealed class AmlMutableHostCollection : ICollectionFixture<AmlHostFixture>
{
    public const string Name = "aml host (rules and sanctions)";
}

[Collection(AmlMutableHostCollection.Name)]
public sealed class RulesAndSanctionsApiTests(AmlHostFixture host)
{
    private static async Task<(int Status, JsonElement Body)> PostCsvAsync(HttpClient api, string csv)
    {
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await api.PostAsync(new Uri("v1/aml/sanctions", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task An_activated_rule_set_changes_the_live_thresholds_and_every_alert_records_its_version()
    {
        var (status, created) = await host.Api.PostJsonAsync("v1/aml/rules", """{"id":"cn-strict","version":1,"parameters":{"structuring_min_deposits":4}}""");
        Assert.Equal(201, status);
        Assert.False(created.GetProperty("active").GetBoolean());
        var (activated, _) = await host.Api.PostJsonAsync("v1/aml/rules/cn-strict/versions/1/activate", "{}");
        Assert.Equal(200, activated);

        var (till, three, four) = (LiveSupport.NewId(), LiveSupport.NewId(), LiveSupport.NewId());
        var (c3, c4) = (host.NextCustomer(), host.NextCustomer());
        await LiveSupport.CreateAccountsAsync(host.Services, till, three, four);
        await LiveSupport.RegisterAsync(host.Api, till, null, "external", channel: "cash");
        await LiveSupport.RegisterAsync(host.Api, three, c3, "individual");
        await LiveSupport.RegisterAsync(host.Api, four, c4, "individual");
        await LiveSupport.TransferAsync(host.Services, [(till, three, 4_500_000), (till, three, 4_600_000), (till, three, 4_700_000)]);
        await LiveSupport.TransferAsync(host.Services, [(till, four, 4_500_000), (till, four, 4_600_000), (till, four, 4_700_000), (till, four, 4_800_000)]);

        Assert.Empty(LiveSupport.Alerts(await LiveSupport.CaseOfAsync(host.Api, c3), "STRUCTURING"));
        var alert = Assert.Single(LiveSupport.Alerts(await LiveSupport.CaseOfAsync(host.Api, c4), "STRUCTURING"));
        Assert.Equal("cn-strict@1", alert.GetProperty("rule_set").GetString());
        var (_, list) = await host.Api.GetJsonAsync("v1/aml/rules");
        Assert.Equal("cn-strict@1", list.GetProperty("active").GetString());
    }

    [Fact]
    public async Task Rule_set_versions_are_immutable_validated_and_not_activated_before_they_take_effect()
    {
        var (ok, _) = await host.Api.PostJsonAsync("v1/aml/rules", """{"id":"later","version":1,"effective_from":"2199-01-01T00:00:00Z"}""");
        var (again, conflict) = await host.Api.PostJsonAsync("v1/aml/rules", """{"id":"later","version":1}""");
        var (invalid, problem) = await host.Api.PostJsonAsync("v1/aml/rules", """{"id":"later","version":2,"parameters":{"fan_in_min_distinct":"five"}}""");
        var (early, _) = await host.Api.PostJsonAsync("v1/aml/rules/later/versions/1/activate", "{}");
        var (missing, _) = await host.Api.PostJsonAsync("v1/aml/rules/nope/versions/9/activate", "{}");

        Assert.Equal((201, 409, 400, 409, 404), (ok, again, invalid, early, missing));
        Assert.Contains("versions are immutable", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty("rule_set", out _));
        var (_, list) = await host.Api.GetJsonAsync("v1/aml/rules");
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), r => r.GetProperty("id").GetString() == "later" && r.GetProperty("version").GetInt32() == 2);
        Assert.False(list.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "later").GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task A_new_sanctions_list_is_used_at_once_by_the_endpoint_the_di_contract_and_the_live_rules()
    {
        var (first, v1) = await PostCsvAsync(host.Api, "name,aliases,country,list\nKarim Haddad Trading,,IR,UN\n");
        Assert.Equal(201, first);
        var screening = host.Services.GetRequiredService<ISanctionsScreening>();
        Assert.False((await screening.ScreenAsync(new ScreeningRequest("Olga Zaitseva"))).Hit);

        var (second, v2) = await PostCsvAsync(host.Api, "name,aliases,country,list\nKarim Haddad Trading,,IR,UN\n\"Zaitseva, Olga\",Olga Zaytseva,RU,EU\n");
        Assert.Equal(201, second);
        Assert.True(v2.GetProperty("version").GetInt64() > v1.GetProperty("version").GetInt64());

        var result = await screening.ScreenAsync(new ScreeningRequest("olga ZAITSEVA", "RU"));
        Assert.True(result.Hit);
        Assert.Equal(v2.GetProperty("version").GetInt64(), result.ListVersion);
        Assert.True(result.CountryMatches);
        var (status, viaHttp) = await host.Api.PostJsonAsync("v1/aml/screen", """{"name":"Zaitseva Olgga","date_of_birth":"1971-02-03"}""");
        Assert.Equal(200, status);
        Assert.True(viaHttp.GetProperty("hit").GetBoolean());
        Assert.Equal("EU", viaHttp.GetProperty("list").GetString());
        var (_, near) = await host.Api.PostJsonAsync("v1/aml/screen", """{"name":"Olga Petrova"}""");
        Assert.False(near.GetProperty("hit").GetBoolean());

        var (account, nostro, customer) = (LiveSupport.NewId(), LiveSupport.NewId(), host.NextCustomer());
        await LiveSupport.CreateAccountsAsync(host.Services, account, nostro);
        await LiveSupport.RegisterAsync(host.Api, account, customer, "business", name: "Harbour Logistics");
        await LiveSupport.RegisterAsync(host.Api, nostro, null, "external", name: "Olga Zaytseva", channel: "wire", country: "RU");
        await LiveSupport.TransferAsync(host.Services, [(account, nostro, 1_000_000)]);
        var alert = Assert.Single(LiveSupport.Alerts(await LiveSupport.CaseOfAsync(host.Api, customer), "SANCTIONS_MATCH"));
        Assert.Contains("Olga Zaytseva", alert.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sanctions_upload_with_a_bad_line_is_refused_whole_and_the_old_list_stays()
    {
        var (loaded, _) = await PostCsvAsync(host.Api, "name,aliases,country,list\nKarim Haddad Trading,,IR,UN\n\"Zaitseva, Olga\",Olga Zaytseva,RU,EU\n");
        Assert.Equal(201, loaded);
        var (_, before) = await host.Api.GetJsonAsync("v1/aml/sanctions");
        var (status, problem) = await PostCsvAsync(host.Api, "name,aliases,country,list\nGood Name,,IR,UN\n\"open quote,,IR,UN\n");
        Assert.Equal(400, status);
        Assert.True(problem.GetProperty("errors").TryGetProperty("lines[3]", out _));
        var (_, after) = await host.Api.GetJsonAsync("v1/aml/sanctions");
        Assert.Equal(before.ToString(), after.ToString());
        var (empty, _) = await host.Api.PostJsonAsync("v1/aml/screen", """{"name":""}""");
        Assert.Equal(400, empty);
    }
}
