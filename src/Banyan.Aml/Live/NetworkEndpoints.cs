using System.Globalization;
using Banyan.Aml.Cases;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.Live;

/// <summary>
/// A party in the graph. <c>Kind</c> is the party's form (<c>customer</c> or <c>account</c>); <c>PartyKind</c> is what the registry
/// knows of it (<c>individual</c> or <c>business</c> for a customer, <c>external</c> for a registered counterparty account,
/// <c>unregistered</c> for a ledger account the registry does not hold), with the channel and country of its first registered
/// account, so a client needs no registry call per node (decision 0646).
/// </summary>
internal sealed record NetworkNode(string Id, string Kind, string? Name, int Depth, int OpenCases, IReadOnlyList<string> RiskFlags,
    string PartyKind, string? Channel, string? Country);

internal sealed record NetworkEdge(string From, string To, string Currency, long Count, long AmountMinor, DateTimeOffset LastAt);

/// <summary>Sums over the returned edges: transfers and minor units per currency (never added across currencies).</summary>
internal sealed record NetworkTotals(int Nodes, int Edges, long Transfers, IReadOnlyDictionary<string, long> AmountMinor);

internal sealed record NetworkView(string Root, int Depth, DateOnly Since, IReadOnlyList<NetworkNode> Nodes, IReadOnlyList<NetworkEdge> Edges, bool Truncated,
    int Days, long? CaseId, NetworkTotals Totals);

/// <summary>
/// <c>GET /v1/aml/network/{customer_id}</c> (decision 0410): the counterparty graph around a customer from the flows the
/// real-time path stored, breadth first up to <c>depth</c> hops, at most <see cref="MaxNodes"/> nodes and <see cref="MaxEdges"/> edges.
/// </summary>
internal static class NetworkEndpoints
{
    public const int MaxNodes = 500;
    public const int MaxEdges = 500;
    public const int MaxDepth = 3;
    public const int DefaultDays = 90;
    public const int MaxDays = 366;

    public static void Map(RouteGroupBuilder aml)
    {
        aml.MapGet("/network/{customerId}", GetAsync).WithName("GetAmlNetwork")
            .WithSummary("Counterparty graph of a customer: ?depth=1..3 (2)&days=1..366 (90) or &since=yyyy-MM-dd; nodes with open cases and risk flags, edges with count and amount, totals; ≤ 500 nodes and edges.")
            .Produces<NetworkView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        aml.MapGet("/cases/{id:long}/network", GetForCaseAsync).WithName("GetAmlCaseNetwork")
            .WithSummary("The counterparty graph of a case's party (its customer, or its subject account): the same query and response as /network/{customer_id}.")
            .Produces<NetworkView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> GetAsync(HttpContext http, string customerId, string? depth, string? since, string? days)
    {
        if (customerId.Length > CaseLimits.Id) return CaseBody.Invalid([("customer_id", $"must be 1..{CaseLimits.Id} characters")]);
        var db = http.RequestServices.GetRequiredService<DbContext>();
        if (!await db.Set<MonitoredAccountRow>().AnyAsync(r => r.CustomerId == customerId, http.RequestAborted))
            return BanyanProblems.NotFound($"customer {customerId} has no account registered for AML monitoring");
        return await ViewAsync(http, "customer:" + customerId, null, depth, since, days);
    }

    private static async Task<IResult> GetForCaseAsync(HttpContext http, long id, string? depth, string? since, string? days)
    {
        var db = http.RequestServices.GetRequiredService<DbContext>();
        var party = await db.Set<CaseRow>().AsNoTracking().Where(c => c.Id == id).Select(c => c.Party).FirstOrDefaultAsync(http.RequestAborted);
        return party is null ? BanyanProblems.NotFound($"no AML case {id}") : await ViewAsync(http, party, id, depth, since, days);
    }

    /// <summary>Validates the query (all of it, one 400 listing every problem) and walks the graph from <paramref name="root"/>.</summary>
    private static async Task<IResult> ViewAsync(HttpContext http, string root, long? caseId, string? depth, string? since, string? days)
    {
        var errors = new List<(string, string)>();
        var hops = 2;
        if (depth is not null && (!int.TryParse(depth, NumberStyles.None, CultureInfo.InvariantCulture, out hops) || hops is < 1 or > MaxDepth))
            errors.Add(("depth", $"must be an integer from 1 to {MaxDepth}"));
        var span = DefaultDays;
        if (days is not null && (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out span) || span is < 1 or > MaxDays))
            errors.Add(("days", $"must be an integer from 1 to {MaxDays}"));
        if (days is not null && since is not null) errors.Add(("since", "give either days or since, not both"));
        var request = new CaseRequest(http);
        var today = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(request.NowUnixMs).UtcDateTime);
        var from = today.AddDays(-span);
        if (since is not null && !DateOnly.TryParseExact(since, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out from))
            errors.Add(("since", "must be a date yyyy-MM-dd"));
        if (errors.Count > 0) return CaseBody.Invalid(errors);
        var day = from.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
        var (depths, edges, truncated) = await WalkAsync(request.Db, root, hops, day, http.RequestAborted);
        var nodes = await DescribeAsync(request.Db, depths, http.RequestAborted);
        var totals = new NetworkTotals(nodes.Count, edges.Count, edges.Sum(e => e.Count),
            edges.GroupBy(e => e.Currency).ToDictionary(g => g.Key, g => g.Aggregate(0L, (sum, e) => e.AmountMinor > long.MaxValue - sum ? long.MaxValue : sum + e.AmountMinor)));
        return TypedResults.Ok(new NetworkView(root, hops, from, nodes, edges, truncated, Math.Max(0, today.DayNumber - from.DayNumber), caseId, totals));
    }

    /// <summary>Breadth first over daily flow rows since <paramref name="day"/>, aggregating each (from, to, currency) into one edge.</summary>
    private static async Task<(Dictionary<string, int> Depths, List<NetworkEdge> Edges, bool Truncated)> WalkAsync(DbContext db, string root, int hops, int day, CancellationToken ct)
    {
        var depths = new Dictionary<string, int>(StringComparer.Ordinal) { [root] = 0 };
        var edges = new Dictionary<(string, string, string), NetworkEdge>();
        var frontier = new List<string> { root };
        var counted = new HashSet<long>(); // a row between two frontier levels comes back once per side
        var truncated = false;
        for (var level = 1; level <= hops && frontier.Count > 0 && !truncated; level++)
        {
            var next = new List<string>();
            foreach (var chunk in frontier.Chunk(200))
            {
                var rows = await db.Set<FlowRow>().AsNoTracking()
                    .Where(f => f.Day >= day && (chunk.Contains(f.FromParty) || chunk.Contains(f.ToParty)))
                    .OrderByDescending(f => f.AmountMinor).Take(MaxEdges * 4).ToListAsync(ct);
                foreach (var row in rows)
                {
                    if (counted.Contains(row.Id)) continue;
                    var key = (row.FromParty, row.ToParty, row.Currency);
                    var isNew = !edges.TryGetValue(key, out var edge);
                    if (isNew && edges.Count >= MaxEdges) { truncated = true; continue; }
                    var unseen = new[] { row.FromParty, row.ToParty }.Where(p => !depths.ContainsKey(p)).Distinct().ToList();
                    if (depths.Count + unseen.Count > MaxNodes) { truncated = true; continue; }
                    foreach (var party in unseen)
                    {
                        depths[party] = level;
                        next.Add(party);
                    }
                    counted.Add(row.Id);
                    edges[key] = edge is null
                        ? new NetworkEdge(row.FromParty, row.ToParty, row.Currency, row.Count, row.AmountMinor, DateTimeOffset.FromUnixTimeMilliseconds(row.LastAtUnixMs))
                        : edge with
                        {
                            Count = edge.Count + row.Count,
                            AmountMinor = row.AmountMinor > long.MaxValue - edge.AmountMinor ? long.MaxValue : edge.AmountMinor + row.AmountMinor,
                            LastAt = DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(edge.LastAt.ToUnixTimeMilliseconds(), row.LastAtUnixMs)),
                        };
                }
            }
            frontier = next;
        }
        return (depths, edges.Values.OrderByDescending(e => e.AmountMinor).ToList(), truncated);
    }

    /// <summary>Names from the registry; open cases and the typologies of their alerts as risk flags.</summary>
    private static async Task<List<NetworkNode>> DescribeAsync(DbContext db, Dictionary<string, int> depths, CancellationToken ct)
    {
        var parties = depths.Keys.ToList();
        var customers = parties.Where(p => p.StartsWith("customer:", StringComparison.Ordinal)).Select(p => p[9..]).ToList();
        var accounts = parties.Where(p => p.StartsWith("account:", StringComparison.Ordinal)).Select(p => p[8..]).ToList();
        // The first registered row of each party (registration order): a customer's accounts share name and kind.
        var registry = new Dictionary<string, MonitoredAccountRow>(StringComparer.Ordinal);
        foreach (var chunk in customers.Chunk(200))
            foreach (var r in await db.Set<MonitoredAccountRow>().AsNoTracking().Where(r => r.CustomerId != null && chunk.Contains(r.CustomerId))
                         .OrderBy(r => r.RegisteredAtUnixMs).ThenBy(r => r.AccountId).ToListAsync(ct))
                registry.TryAdd("customer:" + r.CustomerId, r);
        foreach (var chunk in accounts.Chunk(200))
            foreach (var r in await db.Set<MonitoredAccountRow>().AsNoTracking().Where(r => chunk.Contains(r.AccountId)).ToListAsync(ct))
                registry.TryAdd("account:" + r.AccountId, r);
        var open = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        foreach (var chunk in parties.Chunk(200))
            foreach (var c in await db.Set<CaseRow>().AsNoTracking().Where(c => chunk.Contains(c.Party) && c.Status != CaseStatus.Closed).ToListAsync(ct))
                (open.TryGetValue(c.Party, out var list) ? list : open[c.Party] = []).Add(c.Id);
        var caseIds = open.Values.SelectMany(v => v).ToList();
        var flags = new Dictionary<long, List<string>>();
        foreach (var chunk in caseIds.Chunk(200))
            foreach (var a in await db.Set<AlertRow>().AsNoTracking().Where(a => chunk.Contains(a.CaseId)).Select(a => new { a.CaseId, a.Typology }).ToListAsync(ct))
                (flags.TryGetValue(a.CaseId, out var list) ? list : flags[a.CaseId] = []).Add(a.Typology);
        return depths.OrderBy(d => d.Value).ThenBy(d => d.Key, StringComparer.Ordinal).Select(d =>
        {
            var cases = open.GetValueOrDefault(d.Key) ?? [];
            var risk = cases.SelectMany(c => flags.GetValueOrDefault(c) ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var kind = d.Key.StartsWith("customer:", StringComparison.Ordinal) ? "customer" : "account";
            var row = registry.GetValueOrDefault(d.Key);
            return new NetworkNode(d.Key, kind, row?.Name, d.Value, cases.Count, risk, row?.Kind ?? "unregistered", row?.Channel, row?.Country);
        }).ToList();
    }
}
