namespace Banyan.StaffConsole.Staff;

/// <summary>How a counterparty is drawn: flagged (open case or risk flags), sanctioned (a sanctions flag), external (not the bank's customer).</summary>
internal enum NodeStyle
{
    Customer = 1,
    Counterparty,
    External,
    Flagged,
    Sanctioned,
}

/// <summary>One counterparty placed on the circle, with the edges to and from the centre.</summary>
internal sealed record PlacedNode(string Id, string Label, NodeStyle Style, double X, double Y, IReadOnlyList<PlacedEdge> Edges);

/// <summary>A flow between the centre and a counterparty; <c>Width</c> is the stroke width, by amount within its currency.</summary>
internal sealed record PlacedEdge(bool Incoming, string Currency, long Count, long AmountMinor, DateTimeOffset LastAt, double Width);

/// <summary>
/// The AML counterparty graph's own simple layout (decision 0662): the customer in the centre, the
/// counterparties evenly on a circle ordered by total amount (largest at the top, clockwise), edge width
/// 1–9 px by amount relative to the largest edge of the same currency (minor units of different
/// currencies are never compared). At most <see cref="MaxDrawn"/> counterparties are drawn; the table
/// lists all of them.
/// </summary>
internal static class NetworkLayout
{
    public const int MaxDrawn = 24;
    public const double Size = 480;
    public const double Radius = 180;

    public static IReadOnlyList<PlacedNode> Place(string root, IReadOnlyList<(string Id, string Label, NodeStyle Style)> nodes,
        IReadOnlyList<(string From, string To, string Currency, long Count, long AmountMinor, DateTimeOffset LastAt)> edges)
    {
        var maxByCurrency = edges.GroupBy(e => e.Currency, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(e => e.AmountMinor), StringComparer.Ordinal);
        var byNode = nodes.Where(n => n.Id != root)
            .Select(n => (Node: n, Edges: edges.Where(e => (e.From == root && e.To == n.Id) || (e.To == root && e.From == n.Id)).ToList()))
            .Where(x => x.Edges.Count > 0)
            .OrderByDescending(x => x.Edges.Max(e => (double)e.AmountMinor / Math.Max(1, maxByCurrency[e.Currency])))
            .ThenBy(x => x.Node.Id, StringComparer.Ordinal)
            .Take(MaxDrawn)
            .ToList();
        var centre = Size / 2;
        return [.. byNode.Select((x, i) =>
        {
            var angle = -Math.PI / 2 + 2 * Math.PI * i / byNode.Count;
            var placed = x.Edges.Select(e => new PlacedEdge(e.To == root, e.Currency, e.Count, e.AmountMinor, e.LastAt,
                1 + 8 * (double)e.AmountMinor / Math.Max(1, maxByCurrency[e.Currency]))).ToList();
            return new PlacedNode(x.Node.Id, x.Node.Label, x.Node.Style, centre + Radius * Math.Cos(angle), centre + Radius * Math.Sin(angle), placed);
        })];
    }

    /// <summary>Sanctioned wins over flagged, flagged over external.</summary>
    public static NodeStyle StyleOf(bool isRoot, int openCases, IReadOnlyList<string> riskFlags, bool external) =>
        isRoot ? NodeStyle.Customer
        : riskFlags.Any(f => f.Contains("sanction", StringComparison.OrdinalIgnoreCase)) ? NodeStyle.Sanctioned
        : openCases > 0 || riskFlags.Count > 0 ? NodeStyle.Flagged
        : external ? NodeStyle.External
        : NodeStyle.Counterparty;
}
