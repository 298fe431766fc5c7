using System.Text.Json;
using Banyan.Platform;
using Banyan.Platform.Http;
using Banyan.Server.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Banyan.Server.Security;

/// <summary><c>GET /v1/audit</c> (filtered, paged by id) and <c>GET /v1/audit/verify</c> (walks the hash chain). Scope <c>admin</c>.</summary>
internal static class AuditEndpoints
{
    private const int MaxLimit = 500;
    private const int VerifyBatch = 2_000;

    public static void Map(IEndpointRouteBuilder v1)
    {
        var audit = v1.MapGroup("/audit").RequireAuthorization(ScopePolicy.For("admin")).WithTags("Audit");
        audit.MapGet("/", ListAsync).WithName("ListAuditEntries").WithSummary("Audit entries, newest last, filtered by category/actor/subject, paged with after=<id>.");
        audit.MapGet("/verify", VerifyAsync).WithName("VerifyAuditLog").WithSummary("Recomputes the audit log's hash chain and reports the first broken entry, if any.");
    }

    internal sealed record AuditEntryView(long Id, DateTimeOffset At, string Category, string Action, string Actor, string? Subject, string Outcome, IReadOnlyDictionary<string, string> Details, string Hash);

    internal sealed record AuditPage(IReadOnlyList<AuditEntryView> Entries, long? NextAfter);

    internal sealed record AuditVerification(long Entries, bool Intact, long? FirstBrokenId);

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> ListAsync(
        IDbContextFactory<BanyanDbContext> contexts, string? category, string? actor, string? subject, long? after, int? limit, CancellationToken ct)
    {
        var take = limit ?? 100;
        if (take is < 1 or > MaxLimit)
        {
            return BanyanProblems.BadRequest($"limit must be between 1 and {MaxLimit}.");
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Set<AuditRecord>().AsNoTracking().Where(r => r.Id > (after ?? 0));
        query = category is null ? query : query.Where(r => r.Category == category);
        query = actor is null ? query : query.Where(r => r.Actor == actor);
        query = subject is null ? query : query.Where(r => r.Subject == subject);
        var rows = await query.OrderBy(r => r.Id).Take(take + 1).ToListAsync(ct);
        var page = rows.Take(take).Select(View).ToList();
        return TypedResults.Ok(new AuditPage(page, rows.Count > take ? page[^1].Id : null));
    }

    private static async Task<Ok<AuditVerification>> VerifyAsync(IDbContextFactory<BanyanDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var previous = new byte[32];
        long after = 0, count = 0;
        while (true)
        {
            var batch = await db.Set<AuditRecord>().AsNoTracking().Where(r => r.Id > after).OrderBy(r => r.Id).Take(VerifyBatch).ToListAsync(ct);
            foreach (var row in batch)
            {
                count++;
                if (!row.PreviousHash.AsSpan().SequenceEqual(previous) || !row.ComputeHash().AsSpan().SequenceEqual(row.Hash))
                {
                    return TypedResults.Ok(new AuditVerification(count, false, row.Id));
                }

                previous = row.Hash;
                after = row.Id;
            }

            if (batch.Count < VerifyBatch)
            {
                return TypedResults.Ok(new AuditVerification(count, true, null));
            }
        }
    }

    private static AuditEntryView View(AuditRecord r) => new(
        r.Id, DateTimeOffset.FromUnixTimeMilliseconds(r.AtUnixMs), r.Category, r.Action, r.Actor, r.Subject, r.Outcome,
        JsonSerializer.Deserialize<Dictionary<string, string>>(r.DetailsJson) ?? [], Convert.ToHexStringLower(r.Hash));
}
