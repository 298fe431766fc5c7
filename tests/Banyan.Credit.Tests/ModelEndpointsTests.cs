using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Credit.Registry;
using Banyan.Platform.Security;

namespace Banyan.Credit.Tests;

/// <summary>An audit log that keeps entries in memory, for asserting what the endpoints record.</summary>
internal sealed class RecordingAuditLog : IAuditLog
{
    private long sequence;

    public ConcurrentQueue<AuditEntry> Entries { get; } = new();

    public ValueTask<long> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        Entries.Enqueue(entry);
        return ValueTask.FromResult(Interlocked.Increment(ref sequence));
    }
}

public sealed class ModelEndpointsTests(ApiHost host) : IClassFixture<ApiHost>
{
    private const string Officer = "console:risk.officer";

    private HttpClient Admin => host.ClientFor("credit credit-admin", Officer);

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task Listing_shows_every_version_with_status_auc_and_approval()
    {
        var draft = host.Registry.Register(SmallModels.Fair);
        using var response = await host.Client.GetAsync("/v1/credit/models");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = (await JsonOf(response)).GetProperty("items").EnumerateArray().ToList();
        var item = items.Single(i => i.GetProperty("version").GetString() == draft.Version);
        Assert.Equal("draft", item.GetProperty("status").GetString());
        Assert.Equal(draft.CvAuc, item.GetProperty("cv_auc").GetDouble());
        Assert.True(item.GetProperty("fairness_meets_gap").GetBoolean());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("approved_by").ValueKind);
    }

    [Fact]
    public async Task A_version_carries_the_fairness_audit_stored_with_its_model()
    {
        var draft = host.Registry.Register(SmallModels.Fair);
        using var response = await host.Client.GetAsync($"/v1/credit/models/{draft.Version}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonOf(response);
        Assert.Equal(draft.Version, body.GetProperty("model").GetProperty("version").GetString());
        var fairness = body.GetProperty("fairness");
        var after = fairness.GetProperty("after");
        var groups = after.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("group").GetString()).ToList();
        Assert.Equal(["age>25", "age<=25"], groups);
        Assert.Equal(SmallModels.Fair.Fairness!.After.DemographicParityDifference, after.GetProperty("demographic_parity_difference").GetDouble());
        Assert.True(body.GetProperty("fairness_passes").GetBoolean());
    }

    [Theory]
    [InlineData("v999-00000000")]
    [InlineData("..%2F..%2Fregistry")]
    [InlineData("v1-ABCDEF12")]
    public async Task An_unknown_or_malformed_version_is_a_404_problem(string version)
    {
        using var response = await host.Client.GetAsync($"/v1/credit/models/{version}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Approval_records_the_authenticated_caller_as_approver_and_is_audited()
    {
        var draft = host.Registry.Register(SmallModels.Fair);
        using var response = await Admin.PostAsJsonAsync($"/v1/credit/models/{draft.Version}/approve", new { });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var body = await JsonOf(response);
        Assert.Equal(("approved", Officer), (body.GetProperty("status").GetString(), body.GetProperty("approved_by").GetString()));
        Assert.Equal(Officer, host.Registry.List().Single(e => e.Version == draft.Version).ApprovedBy);
        Assert.Contains(host.Audit.Entries, e => e is { Category: "credit_model", Action: "model_approved", Outcome: "succeeded" } && e.Subject == draft.Version && e.Actor == Officer);
    }

    [Fact]
    public async Task Approval_needs_the_credit_admin_scope_and_changes_nothing_without_it()
    {
        var draft = host.Registry.Register(SmallModels.Fair);
        using var response = await host.ClientFor("credit", "some-partner").PostAsJsonAsync($"/v1/credit/models/{draft.Version}/approve", new { });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(ModelStatus.Draft, host.Registry.List().Single(e => e.Version == draft.Version).Status);
    }

    [Fact]
    public async Task A_version_failing_its_fairness_gate_is_refused_without_an_override_reason()
    {
        var draft = host.Registry.Register(SmallModels.Unfair);
        using var refused = await Admin.PostAsJsonAsync($"/v1/credit/models/{draft.Version}/approve", new { });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ModelStatus.Draft, host.Registry.List().Single(e => e.Version == draft.Version).Status);
        Assert.Contains(host.Audit.Entries, e => e is { Action: "model_approved", Outcome: "refused" } && e.Subject == draft.Version);

        using var detail = await host.Client.GetAsync($"/v1/credit/models/{draft.Version}");
        Assert.False((await JsonOf(detail)).GetProperty("fairness_passes").GetBoolean());
    }

    [Fact]
    public async Task An_override_reason_lets_a_failing_version_through_and_is_recorded()
    {
        var draft = host.Registry.Register(SmallModels.Unfair);
        const string reason = "Committee minute 2026-41: gap within tolerance for pilot portfolio";
        using var response = await Admin.PostAsJsonAsync($"/v1/credit/models/{draft.Version}/approve", new { override_reason = reason });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(reason, (await JsonOf(response)).GetProperty("override_reason").GetString());
        Assert.Equal(reason, host.Registry.List().Single(e => e.Version == draft.Version).OverrideReason);
        Assert.Contains(host.Audit.Entries, e => e.Subject == draft.Version && e.Outcome == "succeeded" && e.Details!["override_reason"] == reason);
    }

    [Fact]
    public async Task An_overlong_override_reason_is_a_validation_problem_and_changes_nothing()
    {
        var draft = host.Registry.Register(SmallModels.Unfair);
        using var response = await Admin.PostAsJsonAsync($"/v1/credit/models/{draft.Version}/approve", new { override_reason = new string('x', 1001) });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ModelStatus.Draft, host.Registry.List().Single(e => e.Version == draft.Version).Status);
    }

    [Fact]
    public async Task Retiring_is_audited_and_a_second_retirement_or_approval_is_a_conflict()
    {
        var draft = host.Registry.Register(SmallModels.Fair);
        using var retired = await Admin.PostAsync($"/v1/credit/models/{draft.Version}/retire", null);
        Assert.Equal(HttpStatusCode.OK, retired.StatusCode);
        Assert.Equal(("retired", Officer), ((await JsonOf(retired)).GetProperty("status").GetString(), (await JsonOf(retired)).GetProperty("retired_by").GetString()));
        using var again = await Admin.PostAsync($"/v1/credit/models/{draft.Version}/retire", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using var approve = await Admin.PostAsJsonAsync($"/v1/credit/models/{draft.Version}/approve", new { });
        Assert.Equal(HttpStatusCode.Conflict, approve.StatusCode);
        Assert.Contains(host.Audit.Entries, e => e is { Action: "model_retired", Outcome: "succeeded" } && e.Subject == draft.Version);
    }
}
