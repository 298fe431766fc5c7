using System.Text.Json;
using static Banyan.Aml.Tests.AmlHttp;

namespace Banyan.Aml.Tests;

[Collection(AmlHostCollection.Name)]
public sealed class CaseApiTests(AmlHostFixture host)
{
    private const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private Task<long> ImportOneCaseAsync(string customer) => ImportOneCaseAsync(host, customer);

    internal static async Task<long> ImportOneCaseAsync(AmlHostFixture host, string customer)
    {
        var body = string.Join('\n',
            AlertLine("ALR-00000001", "STRUCTURING", "A-" + customer, customer, "T1-" + customer, "T2-" + customer),
            AlertLine("ALR-00000002", "RAPID_MOVEMENT", "A-" + customer, customer, "T3-" + customer)) + "\n";
        var (status, result) = await host.Api.PostJsonAsync("v1/aml/alerts/import", body, "application/x-ndjson");
        Assert.Equal(200, status);
        Assert.Equal(2, result.GetProperty("imported").GetInt32());
        return Assert.Single(result.GetProperty("case_ids").EnumerateArray()).GetInt64();
    }

    private static string[] Actions(JsonElement detail) =>
        detail.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()!).ToArray();

    [Fact]
    public Task A_case_is_worked_end_to_end_from_import_to_suspicious_transaction_report() => WorkEndToEndAsync(host);

    internal static async Task WorkEndToEndAsync(AmlHostFixture host)
    {
        var customer = host.NextCustomer();
        var id = await ImportOneCaseAsync(host, customer);
        var api = host.Api;
        Assert.Equal(200, (await api.PostJsonAsync($"v1/aml/cases/{id}/assign", """{"assignee":"analyst.li"}""")).Status);
        Assert.Equal(200, (await api.PostJsonAsync($"v1/aml/cases/{id}/comments", """{"text":"Deposits just under the threshold, three branches."}""")).Status);
        Assert.Equal(200, (await api.PostJsonAsync($"v1/aml/cases/{id}/evidence", $$"""{"name":"branch-cctv.pdf","sha256":"{{Sha}}","note":"CCTV stills"}""")).Status);
        Assert.Equal(200, (await api.PostJsonAsync($"v1/aml/cases/{id}/escalate", """{"reason":"pattern across branches"}""")).Status);
        var (closed, detail) = await api.PostJsonAsync($"v1/aml/cases/{id}/close", """{"disposition":"suspicious_reported","reason":"filed with the FIU"}""");
        Assert.Equal(200, closed);
        Assert.Equal("closed", detail.GetProperty("case").GetProperty("status").GetString());
        Assert.Equal("analyst.li", detail.GetProperty("case").GetProperty("assignee").GetString());

        var (strStatus, str) = await api.GetJsonAsync($"v1/aml/cases/{id}/str");
        Assert.Equal(200, strStatus);
        Assert.Equal(customer, str.GetProperty("customer_id").GetString());
        Assert.Equal(["RAPID_MOVEMENT", "STRUCTURING"], str.GetProperty("typologies").EnumerateArray().Select(t => t.GetString()!).ToArray());
        Assert.Equal(3, str.GetProperty("transaction_ids").GetArrayLength());
        Assert.Contains("Deposits just under the threshold", str.GetProperty("narrative").GetString(), StringComparison.Ordinal);
        Assert.Equal(Sha, str.GetProperty("evidence")[0].GetProperty("sha256").GetString());

        var (_, final) = await api.GetJsonAsync($"v1/aml/cases/{id}");
        Assert.Equal(["alerts_added", "assigned", "commented", "evidence_added", "escalated", "closed", "str_exported"], Actions(final));
        Assert.All(final.GetProperty("history").EnumerateArray(), e => Assert.Equal(AmlHostFixture.ClientId, e.GetProperty("actor").GetString()));
        Assert.Equal(2, final.GetProperty("alerts").GetArrayLength());
        Assert.Equal(1, final.GetProperty("comments").GetArrayLength());
    }

    [Fact]
    public async Task Alerts_of_the_same_customer_join_the_open_case_and_a_reimport_stores_nothing_twice()
    {
        var customer = host.NextCustomer();
        var id = await ImportOneCaseAsync(customer);
        var more = AlertLine("ALR-00000009", "FAN_IN", "A2-" + customer, customer, "T9-" + customer);
        var (status, result) = await host.Api.PostJsonAsync("v1/aml/alerts/import", more + "\n" + AlertLine("ALR-00000001", "STRUCTURING", "A-" + customer, customer, "T1-" + customer, "T2-" + customer));
        Assert.Equal(200, status);
        Assert.Equal(1, result.GetProperty("imported").GetInt32());
        Assert.Equal(1, result.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, result.GetProperty("cases_opened").GetInt32());
        Assert.Equal(id, Assert.Single(result.GetProperty("case_ids").EnumerateArray()).GetInt64());
        var (_, detail) = await host.Api.GetJsonAsync($"v1/aml/cases/{id}");
        Assert.Equal(3, detail.GetProperty("alerts").GetArrayLength());
    }

    [Fact]
    public async Task A_closed_case_refuses_comments_evidence_assignment_and_a_second_close_and_changes_nothing()
    {
        var id = await ImportOneCaseAsync(host.NextCustomer());
        Assert.Equal(200, (await host.Api.PostJsonAsync($"v1/aml/cases/{id}/close", """{"disposition":"false_positive","reason":"salary"}""")).Status);
        var (_, before) = await host.Api.GetJsonAsync($"v1/aml/cases/{id}");
        var attempts = new[]
        {
            ("comments", """{"text":"late note"}"""),
            ("evidence", $$"""{"name":"x.pdf","sha256":"{{Sha}}"}"""),
            ("assign", """{"assignee":"someone"}"""),
            ("escalate", """{"reason":"too late"}"""),
            ("close", """{"disposition":"no_action","reason":"again"}"""),
        };
        foreach (var (path, body) in attempts)
        {
            var (status, problem) = await host.Api.PostJsonAsync($"v1/aml/cases/{id}/{path}", body);
            Assert.Equal(409, status);
            Assert.EndsWith("/conflict", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(409, (await host.Api.GetJsonAsync($"v1/aml/cases/{id}/str")).Status);
        var (_, after) = await host.Api.GetJsonAsync($"v1/aml/cases/{id}");
        Assert.Equal(before.GetRawText(), after.GetRawText());
    }

    [Fact]
    public async Task Escalating_twice_is_a_conflict()
    {
        var id = await ImportOneCaseAsync(host.NextCustomer());
        Assert.Equal(200, (await host.Api.PostJsonAsync($"v1/aml/cases/{id}/escalate", """{"reason":"r"}""")).Status);
        Assert.Equal(409, (await host.Api.PostJsonAsync($"v1/aml/cases/{id}/escalate", """{"reason":"r"}""")).Status);
    }

    [Theory]
    [InlineData("close", """{"disposition":"maybe","reason":"x"}""", "disposition")]
    [InlineData("close", """{"disposition":"no_action"}""", "reason")]
    [InlineData("evidence", """{"name":"a.pdf","sha256":"abc"}""", "sha256")]
    [InlineData("comments", """{"text":""}""", "text")]
    [InlineData("assign", """{"assignee":42}""", "assignee")]
    public async Task Invalid_command_bodies_are_400_and_change_nothing(string path, string body, string field)
    {
        var id = await ImportOneCaseAsync(host.NextCustomer());
        var (_, before) = await host.Api.GetJsonAsync($"v1/aml/cases/{id}");
        var (status, problem) = await host.Api.PostJsonAsync($"v1/aml/cases/{id}/{path}", body);
        Assert.Equal(400, status);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        var (_, after) = await host.Api.GetJsonAsync($"v1/aml/cases/{id}");
        Assert.Equal(before.GetRawText(), after.GetRawText());
    }

    [Fact]
    public async Task Malformed_json_body_is_400_and_an_unknown_case_is_404()
    {
        var id = await ImportOneCaseAsync(host.NextCustomer());
        Assert.Equal(400, (await host.Api.PostJsonAsync($"v1/aml/cases/{id}/comments", "{not json")).Status);
        Assert.Equal(404, (await host.Api.PostJsonAsync("v1/aml/cases/999999999/comments", """{"text":"x"}""")).Status);
        Assert.Equal(404, (await host.Api.GetJsonAsync("v1/aml/cases/999999999")).Status);
    }

    [Fact]
    public async Task An_import_with_one_bad_line_imports_nothing_and_names_the_line()
    {
        var customer = host.NextCustomer();
        var body = AlertLine("ALR-1", "STRUCTURING", "A-" + customer, customer, "T1") + "\n" + """{"alert_id":"ALR-2","typology":"X","subject_account":"A","transaction_ids":[],"score":7,"reason":"r"}""";
        var (status, problem) = await host.Api.PostJsonAsync("v1/aml/alerts/import", body);
        Assert.Equal(400, status);
        Assert.True(problem.GetProperty("errors").TryGetProperty("lines[2].score", out _), problem.GetRawText());
        var (_, page) = await host.Api.GetJsonAsync("v1/aml/cases?limit=200");
        Assert.DoesNotContain(page.GetProperty("items").EnumerateArray(), c => c.GetProperty("party").GetString() == "customer:" + customer);
    }

    [Fact]
    public async Task Cases_are_paged_by_id_with_a_cursor_and_filtered_by_status()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++) ids.Add(await ImportOneCaseAsync(host.NextCustomer()));
        var seen = new List<long>();
        long? after = ids[0] - 1;
        while (after is not null && seen.Count < 1000)
        {
            var (status, page) = await host.Api.GetJsonAsync($"v1/aml/cases?limit=2&after={after}");
            Assert.Equal(200, status);
            Assert.True(page.GetProperty("items").GetArrayLength() <= 2);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()));
            after = page.GetProperty("next_after").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_after").GetInt64();
        }
        Assert.Equal(seen.Order().Distinct(), seen);
        Assert.Subset(seen.ToHashSet(), ids.ToHashSet());

        Assert.Equal(200, (await host.Api.PostJsonAsync($"v1/aml/cases/{ids[2]}/escalate", """{"reason":"r"}""")).Status);
        var (_, escalated) = await host.Api.GetJsonAsync($"v1/aml/cases?status=escalated&after={ids[0] - 1}&limit=200");
        var escalatedIds = escalated.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToList();
        Assert.Contains(ids[2], escalatedIds);
        Assert.DoesNotContain(ids[1], escalatedIds);
        Assert.Equal(400, (await host.Api.GetJsonAsync("v1/aml/cases?limit=0")).Status);
        Assert.Equal(400, (await host.Api.GetJsonAsync("v1/aml/cases?status=weird")).Status);
        Assert.Equal(400, (await host.Api.GetJsonAsync("v1/aml/cases?after=-3")).Status);
    }

    [Fact]
    public async Task Without_a_token_the_api_is_401_and_with_another_scope_403()
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        Assert.Equal(401, (await anonymous.GetJsonAsync("v1/aml/cases")).Status);
        Assert.Equal(401, (await anonymous.PostJsonAsync("v1/aml/alerts/import", AlertLine("A", "B", "C", null, "T"))).Status);
        using var ledger = await host.ClientWithScopeAsync("ledger");
        Assert.Equal(403, (await ledger.GetJsonAsync("v1/aml/cases")).Status);
        Assert.Equal(403, (await ledger.PostJsonAsync("v1/aml/cases/1/close", """{"disposition":"no_action","reason":"x"}""")).Status);
    }

    [Fact]
    public async Task Racing_closes_of_one_case_let_exactly_one_win_and_the_rest_conflict()
    {
        var id = await ImportOneCaseAsync(host.NextCustomer());
        var attempts = Enumerable.Range(0, 6).Select(i =>
            host.Api.PostJsonAsync($"v1/aml/cases/{id}/close", $$"""{"disposition":"no_action","reason":"attempt {{i}}"}"""));
        var statuses = (await Task.WhenAll(attempts)).Select(r => r.Status).ToList();
        Assert.Equal(1, statuses.Count(s => s == 200));
        Assert.All(statuses.Where(s => s != 200), s => Assert.Equal(409, s));
        var (_, detail) = await host.Api.GetJsonAsync($"v1/aml/cases/{id}");
        Assert.Single(Actions(detail), a => a == "closed");
    }

    [Fact]
    public async Task Concurrent_imports_for_one_customer_open_a_single_case()
    {
        var customer = host.NextCustomer();
        var imports = Enumerable.Range(0, 4).Select(i => host.Api.PostJsonAsync("v1/aml/alerts/import",
            AlertLine($"ALR-{i}", "FAN_OUT", "A-" + customer, customer, $"T{i}-" + customer)));
        var results = await Task.WhenAll(imports);
        Assert.All(results, r => Assert.Equal(200, r.Status));
        var caseIds = results.Select(r => Assert.Single(r.Body.GetProperty("case_ids").EnumerateArray()).GetInt64()).Distinct().ToList();
        var id = Assert.Single(caseIds);
        var (_, detail) = await host.Api.GetJsonAsync($"v1/aml/cases/{id}");
        Assert.Equal(4, detail.GetProperty("alerts").GetArrayLength());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_case_endpoints_with_the_aml_scope()
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        var (status, doc) = await anonymous.GetJsonAsync("openapi/v1.json");
        Assert.Equal(200, status);
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/v1/aml/alerts/import", "/v1/aml/cases", "/v1/aml/cases/{id}", "/v1/aml/cases/{id}/close", "/v1/aml/cases/{id}/str" })
            Assert.True(paths.TryGetProperty(path, out _), "missing " + path);
        var list = paths.GetProperty("/v1/aml/cases").GetProperty("get");
        Assert.Equal("aml", list.GetProperty("security")[0].GetProperty("oauth2")[0].GetString());
    }
}
