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
