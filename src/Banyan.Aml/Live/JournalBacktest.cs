using Banyan.Aml.Cli;
using Banyan.Aml.RuleSets;
using Banyan.Aml.Screening;
using Banyan.Ledger;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.Live;

/// <summary>
/// Backtest on the ledger's own journal (decision 0642): replays every committed transfer up to the journal head through
/// two real-time engines (baseline and candidate rule set) fed exactly as the live monitor feeds its own (the account
/// registry, stored transfers, one lookup per chunk), and compares their alerts the way the file backtest does (same
/// typology, subject and first transaction = the same alert). Reads only; stores nothing.
/// </summary>
internal static class JournalBacktest
{
    private const int ChunkTransfers = 8_190;

    /// <summary>Journals longer than this are backtested offline (<c>banyan aml backtest --journal</c>), not inside a request.</summary>
    public const ulong MaxRecordsOverHttp = 1_000_000;

    /// <summary>One HTTP backtest at a time: it holds two rule engines and competes with the live monitor for the cores.</summary>
    private static readonly SemaphoreSlim Running = new(1, 1);

    public static void Map(RouteGroupBuilder aml) =>
        aml.MapPost("/rules/{id}/versions/{version:int}/backtest", BacktestAsync).WithName("BacktestAmlRuleSet")
            .WithSummary("Replay the host's ledger journal through this rule-set version and the active one; alerts per typology, added and removed alerts. Stores nothing.")
            .Produces<Dictionary<string, object?>>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static async Task<IResult> BacktestAsync(HttpContext http, string id, int version)
    {
        if (http.RequestServices.GetService<LedgerEngine>() is not { } ledger) return BanyanProblems.Problem(ProblemTypes.Unavailable, "this host runs no ledger engine");
        var db = http.RequestServices.GetRequiredService<DbContext>();
        var row = await db.Set<RuleSetRow>().AsNoTracking().FirstOrDefaultAsync(r => r.RuleSetId == id && r.Version == version, http.RequestAborted);
        if (row is null) return BanyanProblems.NotFound($"no rule set {id}@{version}");
        if (ledger.JournalHead.Sequence > MaxRecordsOverHttp)
            return BanyanProblems.Conflict($"the journal has {ledger.JournalHead.Sequence:N0} records; over HTTP at most {MaxRecordsOverHttp:N0}: run banyan aml backtest --journal offline");
        if (!await Running.WaitAsync(0, http.RequestAborted)) return BanyanProblems.Conflict("another backtest is running; retry when it has finished");
        try
        {
            var registry = await db.Set<MonitoredAccountRow>().AsNoTracking().ToListAsync(http.RequestAborted);
            var baseline = await RuleSetStore.LoadActiveAsync(db, http.RequestAborted);
            var matcher = http.RequestServices.GetService<SanctionsLists>()?.Current?.Matcher;
            var report = await RunAsync(ledger, registry, baseline, RuleSet.Parse(row.Json), matcher, TextWriter.Null, http.RequestAborted);
            return TypedResults.Ok(report);
        }
        finally
        {
            Running.Release();
        }
    }

    public static async Task<Dictionary<string, object?>> RunAsync(LedgerEngine ledger, IReadOnlyList<MonitoredAccountRow> registry, RuleSet baseline, RuleSet candidate,
        SanctionsMatcher? sanctions, TextWriter log, CancellationToken ct)
    {
        var engines = new[] { new LiveEngine(baseline, () => sanctions), new LiveEngine(candidate, () => sanctions) };
        var found = new[] { NewKeys(), NewKeys() };
        foreach (var row in registry.OrderBy(r => r.RegisteredAtUnixMs).ThenBy(r => r.AccountId, StringComparer.Ordinal))
            foreach (var engine in engines) engine.Register(row);
        var head = ledger.JournalHead.Sequence;
        if (head > 0) await ReplayAsync(ledger, head, engines, found, ct);
        var header = $"aml backtest (ledger journal records 1..{head}): {engines[1].Observed:N0} transfers assessed; baseline {baseline.Label} vs candidate {candidate.Label}";
        var report = BacktestCommand.Report(header, baseline.Label, candidate.Label, engines[1].Observed, Side(found[0]), Side(found[1]), log);
        report["journal_sequence"] = head;
        report["skipped_transfers"] = engines[1].Skipped;
        report["unmonitored_transfers"] = engines[1].Unmonitored;
        return report;
    }

    private static Dictionary<(string, string, string), string> NewKeys() => [];

    private static async Task ReplayAsync(LedgerEngine ledger, ulong head, LiveEngine[] engines, Dictionary<(string, string, string), string>[] found, CancellationToken ct)
    {
        var chunk = new List<LedgerCommit>();
        var events = 0;
        await foreach (var commit in ledger.SubscribeAsync(1, ct))
        {
            if (commit.Kind == LedgerCommitKind.CreateTransfers)
            {
                chunk.Add(commit);
                events += commit.EventCount;
            }
            var last = commit.Sequence >= head;
            if (chunk.Count > 0 && (last || events >= ChunkTransfers))
            {
                var created = await LiveMonitor.CreatedTransfersAsync(ledger, chunk, ct);
                foreach (var c in chunk)
                    foreach (var transfer in created[c.Sequence])
                        foreach (var engine in engines) engine.Observe(transfer);
                for (var i = 0; i < engines.Length; i++)
                    foreach (var alert in engines[i].Drain())
                        found[i][(alert.Typology, alert.SubjectAccount ?? "", alert.TransactionIds.FirstOrDefault() ?? "")] = alert.Reason; // the episode's latest state
                (chunk, events) = ([], 0);
            }
            if (last) break;
        }
    }

    private static BacktestCommand.BacktestSide Side(Dictionary<(string Typology, string Subject, string First), string> keys) =>
        new(keys.GroupBy(k => k.Key.Typology).ToDictionary(g => g.Key, g => g.Count()), keys, null);
}
