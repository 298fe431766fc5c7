using Banyan.Aml.Cases;
using Banyan.Aml.Live;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.RuleSets;

internal sealed record RuleSetView(string Id, int Version, bool Active, DateTimeOffset? EffectiveFrom, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? ActivatedAt, string? ActivatedBy, System.Text.Json.JsonElement Document);

internal sealed record RuleSetList(IReadOnlyList<RuleSetView> Items, string Active);

/// <summary>Rule sets in <c>aml_rule_sets</c> and their HTTP API (decision 0408).</summary>
internal static class RuleSetStore
{
    public const int MaxStored = 1_000;

    public static async Task<RuleSet> LoadActiveAsync(DbContext db, CancellationToken ct)
    {
        var row = await db.Set<RuleSetRow>().AsNoTracking().FirstOrDefaultAsync(r => r.Active, ct);
        return row is null ? RuleSet.Baseline : RuleSet.Parse(row.Json);
    }

    public static void Map(RouteGroupBuilder aml)
    {
        aml.MapGet("/rules", (Func<HttpContext, Task<IResult>>)ListAsync).WithName("ListAmlRuleSets")
            .WithSummary("Every stored rule-set version (newest first) and the label of the active one (default@0 = built-in defaults).")
            .Produces<RuleSetList>();
        aml.MapPost("/rules", (Func<HttpContext, Task<IResult>>)CreateAsync).WithName("CreateAmlRuleSet")
            .WithSummary("Store a new rule-set version {id, version, effective_from?, enabled?, parameters}; it is not active until activated.")
            .Produces<RuleSetView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        aml.MapPost("/rules/{id}/versions/{version:int}/activate", ActivateAsync).WithName("ActivateAmlRuleSet")
            .WithSummary("Make this version the one the real-time engine uses (history is replayed into it); refused before its effective_from.")
            .Produces<RuleSetView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> ListAsync(HttpContext http)
    {
        var db = http.RequestServices.GetRequiredService<DbContext>();
        var rows = await db.Set<RuleSetRow>().AsNoTracking().OrderByDescending(r => r.Id).Take(MaxStored).ToListAsync(http.RequestAborted);
        var active = rows.FirstOrDefault(r => r.Active);
        return TypedResults.Ok(new RuleSetList(rows.Select(View).ToList(), active is null ? RuleSet.Baseline.Label : $"{active.RuleSetId}@{active.Version}"));
    }

    private static async Task<IResult> CreateAsync(HttpContext http)
    {
        if (http.Request.ContentLength is > RuleSet.MaxDocumentBytes) return BanyanProblems.Problem(ProblemTypes.PayloadTooLarge, $"at most {RuleSet.MaxDocumentBytes} bytes");
        string text;
        using (var reader = new StreamReader(http.Request.Body))
            text = await reader.ReadToEndAsync(http.RequestAborted);
        RuleSet set;
        try
        {
            set = RuleSet.Parse(text);
        }
        catch (FormatException e)
        {
            return BanyanProblems.Validation("the rule set is invalid; nothing was stored", new Dictionary<string, string[]> { ["rule_set"] = [e.Message] });
        }
        var request = new CaseRequest(http);
        var db = request.Db;
        if (await db.Set<RuleSetRow>().AnyAsync(r => r.RuleSetId == set.Id && r.Version == set.Version, http.RequestAborted))
            return BanyanProblems.Conflict($"rule set {set.Label} already exists; versions are immutable, post a higher version");
        if (await db.Set<RuleSetRow>().CountAsync(http.RequestAborted) >= MaxStored) return BanyanProblems.Conflict($"at most {MaxStored} rule-set versions are stored");
        var row = new RuleSetRow
        {
            RuleSetId = set.Id, Version = set.Version, Json = set.ToJson(), EffectiveFromUnixMs = set.EffectiveFrom?.ToUnixTimeMilliseconds(),
            CreatedAtUnixMs = request.NowUnixMs, CreatedBy = request.Actor,
        };
        db.Add(row);
        try
        {
            await db.SaveChangesAsync(http.RequestAborted);
        }
        catch (DbUpdateException)
        {
            return BanyanProblems.Conflict($"rule set {set.Label} already exists");
        }
        return TypedResults.Created($"/v1/aml/rules/{set.Id}/versions/{set.Version}", View(row));
    }

    private static async Task<IResult> ActivateAsync(HttpContext http, string id, int version)
    {
        var request = new CaseRequest(http);
        var db = request.Db;
        var gate = http.RequestServices.GetRequiredService<CaseImportLock>().Gate; // one activation at a time
        await gate.WaitAsync(http.RequestAborted);
        try
        {
            var row = await db.Set<RuleSetRow>().FirstOrDefaultAsync(r => r.RuleSetId == id && r.Version == version, http.RequestAborted);
            if (row is null) return BanyanProblems.NotFound($"no rule set {id}@{version}");
            if (row.Active) return TypedResults.Ok(View(row));
            if (row.EffectiveFromUnixMs is { } from && from > request.NowUnixMs)
                return BanyanProblems.Conflict($"rule set {id}@{version} is effective from {DateTimeOffset.FromUnixTimeMilliseconds(from):O}; activate it then");
            foreach (var active in await db.Set<RuleSetRow>().Where(r => r.Active).ToListAsync(http.RequestAborted)) active.Active = false;
            row.Active = true;
            row.ActivatedAtUnixMs = request.NowUnixMs;
            row.ActivatedBy = request.Actor;
            await db.SaveChangesAsync(http.RequestAborted);
            http.RequestServices.GetService<LiveMonitor>()?.Reload();
            return TypedResults.Ok(View(row));
        }
        finally
        {
            gate.Release();
        }
    }

    private static RuleSetView View(RuleSetRow r)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(r.Json);
        return new RuleSetView(r.RuleSetId, r.Version, r.Active, r.EffectiveFromUnixMs is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null,
            DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAtUnixMs), r.CreatedBy,
            r.ActivatedAtUnixMs is { } a ? DateTimeOffset.FromUnixTimeMilliseconds(a) : null, r.ActivatedBy, doc.RootElement.Clone());
    }
}
