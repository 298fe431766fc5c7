using System.Security.Claims;
using Banyan.StaffConsole.Api;
using Banyan.StaffConsole.Staff;

namespace Banyan.Console.Tests;

public sealed class UnitTests
{
    private static ClaimsPrincipal TokenOf(string client) =>
        new(new ClaimsIdentity([new Claim("client_id", client), new Claim("sub", client), new Claim("scope", "aml")], "Bearer"));

    [Fact]
    public void The_staff_actor_header_is_honoured_for_the_console_client_and_becomes_the_actor()
    {
        var rewritten = ActorPropagation.Rewrite(TokenOf(ConsoleClientCredentials.ClientId), "alice");
        Assert.NotNull(rewritten);
        Assert.Equal("console:alice", rewritten.FindFirst("client_id")!.Value);
        Assert.Equal("console:alice", rewritten.FindFirst("sub")!.Value);
        Assert.Equal(ConsoleClientCredentials.ClientId, rewritten.FindFirst(ActorPropagation.ActingClientClaim)!.Value);
        Assert.Equal("aml", rewritten.FindFirst("scope")!.Value);
    }

    [Theory]
    [InlineData("banyan-bootstrap", "alice")]
    [InlineData("banyan-console", "Alice Smith")]
    [InlineData("banyan-console", "../admin")]
    [InlineData("banyan-console", null)]
    public void Any_other_client_or_a_malformed_name_cannot_claim_to_be_staff(string client, string? staff) =>
        Assert.Null(ActorPropagation.Rewrite(TokenOf(client), staff));

    [Fact]
    public void Roles_map_to_pages_as_documented()
    {
        Assert.True(StaffRoles.Allows([StaffRoles.AmlAnalyst], StaffPermission.WorkAmlCase));
        Assert.False(StaffRoles.Allows([StaffRoles.AmlAnalyst], StaffPermission.ViewCredit));
        Assert.False(StaffRoles.Allows([StaffRoles.Operator], StaffPermission.ViewAudit));
        Assert.True(StaffRoles.Allows([StaffRoles.RiskOfficer], StaffPermission.ViewCredit));
        Assert.All(Enum.GetValues<StaffPermission>(), p => Assert.True(StaffRoles.Allows([StaffRoles.Admin], p)));
    }

    [Fact]
    public void Ledger_counters_are_read_from_prometheus_text()
    {
        const string text = "# TYPE x counter\nbanyan_ledger_transfers_created_total{otel_scope_name=\"Banyan.Ledger\"} 120\nbanyan_ledger_batch_duration_milliseconds_sum 30.5\nbanyan_ledger_batch_duration_milliseconds_count 10\nother 5\n";
        var (created, sum, count) = DashboardFeed.ParseMetrics(text);
        Assert.Equal(120, created);
        Assert.Equal(30.5, sum);
        Assert.Equal(10, count);
    }

    [Fact]
    public void Base32_decoding_round_trips_the_platform_encoding()
    {
        var secret = Banyan.Platform.Security.Totp.NewSecret();
        Assert.Equal(secret, StaffSignIn.Base32Decode(Banyan.Platform.Security.Totp.Base32(secret)));
    }
}
