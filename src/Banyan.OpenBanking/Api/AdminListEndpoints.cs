using System.Globalization;
using Banyan.OpenBanking.Storage;
using Banyan.Platform;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Api;

/// <summary>
/// Operator lists (scope <c>admin</c>, decision 0664): partners filtered by status, consents filtered by
/// partner and status, newest first, paged by page number (1-based, <see cref="PageSize"/> a page, at most
/// <see cref="MaxPage"/> pages deep). Consents are listed without their shared account ids: operators see
/// status, permissions and expiry, not which accounts a customer shared.
/// </summary>
internal static class AdminListEndpoints
{
    public const int PageSize = 50;
    public const int MaxPage = 10_000;

    private static readonly string[] PartnerStatuses = ["pending", "approved"];
    private static readonly string[] ConsentStatuses = [ConsentStatus.Awaiting, ConsentStatus.Authorised, ConsentStatus.Rejected, ConsentStatus.Revoked, ConsentStatus.Consumed];

    public static void Map(IEndpointRouteBuilder openBanking)
    {
        var admin = openBanking.MapGroup("").RequireAuthorization(ScopePolicy.For(ScopePolicy.Admin)).WithTags("open-banking");
        admin.MapGet("/partners", ListPartnersAsync).WithName("open_banking_list_partners")
            .WithSummary("Partners, newest first, with status and onboarding checklist progress: ?status=pending|approved&page=1.. (50 a page)");
        admin.MapGet("/consents", ListConsentsAsync).WithName("open_banking_list_consents")
            .WithSummary("Consents, newest first, with status, permissions and expiry: ?partner_id=&status=&page=1.. (50 a page)");
    }

    private static async Task<Results<Ok<PartnerPage>, ProblemHttpResult>> ListPartnersAsync(
        string? status, string? page, IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var number = PageNumber(page, errors);
        if (status is not null && !PartnerStatuses.Contains(status, StringComparer.Ordinal)) errors["status"] = ["one of " + string.Join(", ", PartnerStatuses)];
        if (errors.Count > 0) return BanyanProblems.Validation("Invalid partner list query.", errors);

        await using var scope = scopes.CreateAsyncScope();
        var query = scope.ServiceProvider.GetRequiredService<DbContext>().Set<PartnerRow>().AsNoTracking();
        if (status is not null) query = query.Where(p => p.Status == status);
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(p => p.CreatedAtUnixMs).ThenBy(p => p.Id)
            .Skip((number - 1) * PageSize).Take(PageSize).ToListAsync(cancellationToken);
        var items = rows.Select(AdminEndpoints.View).Select(v => new PartnerListItem(v, v.ChecklistDone.Count, Partners.Checklist.Length)).ToList();
        return TypedResults.Ok(new PartnerPage(items, number, PageSize, total, number * PageSize < total));
    }

    private static async Task<Results<Ok<ConsentPage>, ProblemHttpResult>> ListConsentsAsync(
        [FromQuery(Name = "partner_id")] string? partnerId, string? status, string? page, IServiceScopeFactory scopes, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var number = PageNumber(page, errors);
        if (status is not null && !ConsentStatuses.Contains(status, StringComparer.Ordinal)) errors["status"] = ["one of " + string.Join(", ", ConsentStatuses)];
        if (partnerId is { Length: 0 or > 64 }) errors["partner_id"] = ["1 to 64 characters"];
        if (errors.Count > 0) return BanyanProblems.Validation("Invalid consent list query.", errors);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var query = db.Set<ConsentRow>().AsNoTracking();
        if (partnerId is not null)
        {
            var partner = await db.Set<PartnerRow>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == partnerId, cancellationToken);
            if (partner is null) return BanyanProblems.NotFound($"No partner {partnerId}.");
            query = query.Where(c => c.ClientId == partner.ClientId);
        }

        if (status is not null) query = query.Where(c => c.Status == status);
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(c => c.CreatedAtUnixMs).ThenBy(c => c.Id)
            .Skip((number - 1) * PageSize).Take(PageSize).ToListAsync(cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var items = rows.Select(c => new ConsentListItem(c.Id, c.Kind, c.Status, c.ClientId, c.CustomerId,
            c.Permissions.Split(' ', StringSplitOptions.RemoveEmptyEntries), DateTimeOffset.FromUnixTimeMilliseconds(c.ExpiresAtUnixMs),
            c.ExpiresAtUnixMs <= now, c.AmountMinor == 0 ? null : c.AmountMinor, c.Currency,
            DateTimeOffset.FromUnixTimeMilliseconds(c.CreatedAtUnixMs), DateTimeOffset.FromUnixTimeMilliseconds(c.UpdatedAtUnixMs))).ToList();
        return TypedResults.Ok(new ConsentPage(items, number, PageSize, total, number * PageSize < total));
    }

    /// <summary>1 when absent; an error for anything but an integer 1..<see cref="MaxPage"/>.</summary>
    private static int PageNumber(string? page, Dictionary<string, string[]> errors)
    {
        if (page is null) return 1;
        if (int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxPage) return n;
        errors["page"] = [$"an integer from 1 to {MaxPage}"];
        return 1;
    }
}

/// <summary>A partner with its checklist progress (<c>checklist_done_count</c> of <c>checklist_total</c>).</summary>
internal sealed record PartnerListItem(PartnerView Partner, int ChecklistDoneCount, int ChecklistTotal);

/// <summary>One page of partners; <c>has_more</c> when <c>page + 1</c> has items.</summary>
internal sealed record PartnerPage(IReadOnlyList<PartnerListItem> Items, int Page, int PageSize, int Total, bool HasMore);

/// <summary>A consent as operators list it: no shared account ids. <c>expired</c> is against the host's clock.</summary>
internal sealed record ConsentListItem(string ConsentId, string Kind, string Status, string ClientId, string? CustomerId,
    IReadOnlyList<string> Permissions, DateTimeOffset ExpiresAt, bool Expired, long? AmountMinor, string? Currency, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One page of consents.</summary>
internal sealed record ConsentPage(IReadOnlyList<ConsentListItem> Items, int Page, int PageSize, int Total, bool HasMore);
