using Banyan.StaffConsole.Staff;

namespace Banyan.Console.Tests;

public sealed class PageLogicTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_network_puts_the_largest_flow_at_the_top_and_scales_edges_within_their_currency()
    {
        var placed = NetworkLayout.Place("customer:c",
            [("customer:c", "C", NodeStyle.Customer), ("account:small", "S", NodeStyle.Counterparty), ("account:big", "B", NodeStyle.External), ("account:yen", "Y", NodeStyle.Flagged)],
            [("account:small", "customer:c", "CNY", 1, 1_000, At), ("account:big", "customer:c", "CNY", 2, 10_000, At), ("customer:c", "account:yen", "JPY", 1, 50, At)]);
        Assert.Equal(3, placed.Count);
        // "big" and "yen" are each the largest of their currency (ratio 1); ties go by id, then "small" (ratio 0.1).
        Assert.Equal(["account:big", "account:yen", "account:small"], placed.Select(p => p.Id));
        Assert.Equal((NetworkLayout.Size / 2, NetworkLayout.Size / 2 - NetworkLayout.Radius), (Math.Round(placed[0].X, 6), Math.Round(placed[0].Y, 6)));
        Assert.Equal(9, placed[0].Edges.Single().Width, 6);
        Assert.Equal(9, placed[1].Edges.Single().Width, 6);
        Assert.Equal(1.8, placed[2].Edges.Single().Width, 6);
        Assert.True(placed[0].Edges.Single().Incoming);
        Assert.False(placed[1].Edges.Single().Incoming);
    }

    [Fact]
    public void The_network_draws_at_most_24_counterparties()
    {
        var nodes = Enumerable.Range(0, 40).Select(i => ($"account:{i:D2}", $"{i}", NodeStyle.Counterparty)).Prepend(("customer:c", "C", NodeStyle.Customer)).ToList();
        var edges = Enumerable.Range(0, 40).Select(i => ($"account:{i:D2}", "customer:c", "CNY", 1L, 100L + i, At)).ToList();
        var placed = NetworkLayout.Place("customer:c", nodes, edges);
        Assert.Equal(NetworkLayout.MaxDrawn, placed.Count);
        Assert.Equal("account:39", placed[0].Id);
    }

    [Theory]
    [InlineData(false, 0, "", false, "Counterparty")]
    [InlineData(false, 0, "", true, "External")]
    [InlineData(false, 1, "", true, "Flagged")]
    [InlineData(false, 0, "STRUCTURING", false, "Flagged")]
    [InlineData(false, 1, "SANCTIONS_HIT", true, "Sanctioned")]
    [InlineData(true, 3, "SANCTIONS_HIT", false, "Customer")]
    public void Node_styles_rank_sanctions_over_flags_over_external(bool root, int openCases, string flags, bool external, string expected) =>
        Assert.Equal(expected, NetworkLayout.StyleOf(root, openCases, flags.Length == 0 ? [] : [flags], external).ToString());

    [Theory]
    [InlineData("new.officer", "New Officer", "risk_officer", "")]
    [InlineData("New Officer", "New Officer", "risk_officer", "user_name_invalid")]
    [InlineData("../admin", "x", "admin", "user_name_invalid")]
    [InlineData("ok", " ", "admin", "display_name_invalid")]
    [InlineData("ok", "Ok", "", "roles_invalid")]
    [InlineData("ok", "Ok", "superuser", "roles_invalid")]
    public void A_new_staff_user_needs_a_propagatable_name_a_display_name_and_known_roles(string user, string display, string role, string error)
    {
        var errors = StaffAdministration.Validate(user, display, role.Length == 0 ? [] : [role]);
        Assert.Equal(error.Length == 0 ? [] : [error], errors);
    }

    [Fact]
    public void Models_partners_and_staff_pages_follow_the_roles_matrix()
    {
        Assert.True(StaffRoles.Allows([StaffRoles.RiskOfficer], StaffPermission.ApproveModel));
        Assert.False(StaffRoles.Allows([StaffRoles.ComplianceOfficer], StaffPermission.ApproveModel));
        Assert.False(StaffRoles.Allows([StaffRoles.AmlAnalyst], StaffPermission.ViewModels));
        Assert.True(StaffRoles.Allows([StaffRoles.Operator], StaffPermission.ViewPartners));
        Assert.True(StaffRoles.Allows([StaffRoles.ComplianceOfficer], StaffPermission.ViewPartners));
        Assert.False(StaffRoles.Allows([StaffRoles.RiskOfficer], StaffPermission.ViewPartners));
        Assert.False(StaffRoles.Allows([StaffRoles.Operator, StaffRoles.RiskOfficer, StaffRoles.AmlAnalyst, StaffRoles.ComplianceOfficer], StaffPermission.ManageStaff));
        Assert.True(StaffRoles.Allows([StaffRoles.Admin], StaffPermission.ManageStaff));
    }
}

public sealed class NetworkPartyKindTests
{
    private static Banyan.StaffConsole.Api.NetworkNodeView Node(string id, string kind, string? partyKind) => new() { Id = id, Kind = kind, PartyKind = partyKind };

    [Fact]
    public void External_and_unregistered_accounts_are_external_from_party_kind_without_registry_calls()
    {
        var external = Banyan.StaffConsole.Api.NetworkNodeView.ExternalFromPartyKind(
            [Node("customer:C1", "customer", "individual"), Node("account:1", "account", "external"), Node("account:2", "account", "unregistered"), Node("account:3", "account", "individual")]);
        Assert.NotNull(external);
        Assert.Equal(["account:1", "account:2"], external.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_api_without_party_kind_leaves_the_decision_to_the_registry_lookups()
    {
        Assert.Null(Banyan.StaffConsole.Api.NetworkNodeView.ExternalFromPartyKind([Node("customer:C1", "customer", null), Node("account:1", "account", null)]));
    }
}
