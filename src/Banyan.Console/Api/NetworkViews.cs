namespace Banyan.StaffConsole.Api;

// Views of GET /v1/aml/network/{customer_id} and GET /v1/aml/accounts/{id} (Banyan.Aml), in their own file.

internal sealed class NetworkNodeView
{
    public string Id { get; set; } = "";
    public string Kind { get; set; } = "";
    public string? Name { get; set; }
    public int Depth { get; set; }
    public int OpenCases { get; set; }
    public List<string> RiskFlags { get; set; } = [];
    /// <summary>The registry's kind of the party (<c>individual</c>, <c>business</c>, <c>external</c>, <c>unregistered</c>); absent from older AML APIs.</summary>
    public string? PartyKind { get; set; }

    /// <summary>
    /// The external accounts of a graph from the nodes' <c>party_kind</c> (external and unregistered accounts are
    /// outside the bank), or <see langword="null"/> when the API does not send it and the page must ask the registry.
    /// </summary>
    public static HashSet<string>? ExternalFromPartyKind(IReadOnlyList<NetworkNodeView> nodes)
    {
        var accounts = nodes.Where(n => n.Kind == "account").ToList();
        if (accounts.Count == 0 || accounts.Any(n => n.PartyKind is null)) return accounts.Count == 0 ? [] : null;
        return [.. accounts.Where(n => n.PartyKind is "external" or "unregistered").Select(n => n.Id)];
    }
}

internal sealed class NetworkEdgeView
{
    public string From { get; set; } = "";
    public string To { get; set; } = "";
    public string Currency { get; set; } = "";
    public long Count { get; set; }
    public long AmountMinor { get; set; }
    public DateTimeOffset LastAt { get; set; }
}

internal sealed class NetworkView
{
    public string Root { get; set; } = "";
    public int Depth { get; set; }
    public DateOnly Since { get; set; }
    public List<NetworkNodeView> Nodes { get; set; } = [];
    public List<NetworkEdgeView> Edges { get; set; } = [];
    public bool Truncated { get; set; }
}

internal sealed class MonitoredAccountView
{
    public string AccountId { get; set; } = "";
    public string? CustomerId { get; set; }
    public string Kind { get; set; } = "";
    public string? Country { get; set; }
    public string? Name { get; set; }
}
