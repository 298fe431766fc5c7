using Banyan.Ledger.Http.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Banyan.Ledger.Http.ReadModels;

/// <summary>
/// Reads served from the projected tables (docs/ledger-api.md "Read models"): an account's
/// transfers (paged by timestamp), its balances at a point in time, and accounts by filters.
/// They reflect the journal up to <c>projected_sequence</c>, which every response carries.
/// </summary>
internal static class ReadModelEndpoints
{
    public static void Map(RouteGroupBuilder ledger)
    {
        ledger.MapGet("/accounts/{id}/transfers", AccountTransfers).WithName("ListLedgerAccountTransfers")
            .WithSummary("An account's transfers from the read models, by timestamp; page with after=next_after (limit ≤ 1,000).")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status400BadRequest);
        ledger.MapGet("/accounts/{id}/balances", AccountBalances).WithName("GetLedgerAccountBalances")
            .WithSummary("An account's balances at a timestamp (at=), computed from its projected transfers; without at, also the balance history of a history account.")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        ledger.MapGet("/accounts", ListAccounts).WithName("ListLedgerAccounts")
            .WithSummary("Accounts matching ledger, code and user_data_* filters, by timestamp; page with after=next_after (limit ≤ 1,000).")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> AccountTransfers(string id, HttpContext http, DbContext db, LedgerProjector projector)
    {
        try
        {
            var account = Columns.Id(ParseRouteId(id));
            var q = http.Request.Query;
            var limit = QueryParameters.Limit(q);
            var after = QueryParameters.Timestamp(q, "after");
            var min = QueryParameters.Timestamp(q, "timestamp_min") ?? 0;
            var max = QueryParameters.Timestamp(q, "timestamp_max") ?? long.MaxValue;
            var reversed = QueryParameters.Flag(q, "reversed");
            var projected = projector.ProjectedSequence;
            var rows = db.Set<LedgerTransferRow>().AsNoTracking()
                .Where(t => (t.DebitAccountId == account || t.CreditAccountId == account) && t.Timestamp >= min && t.Timestamp <= max);
            if (after is { } cursor) rows = reversed ? rows.Where(t => t.Timestamp < cursor) : rows.Where(t => t.Timestamp > cursor);
            rows = reversed ? rows.OrderByDescending(t => t.Timestamp) : rows.OrderBy(t => t.Timestamp);
            var page = (await rows.Take(limit).ToListAsync(http.RequestAborted)).Select(r => r.ToTransfer()).ToArray();
            return LedgerResults.Json((page, limit, projected), static (w, s) => ReadModelJson.WriteTransfers(w, s.page, s.limit, s.projected));
        }
        catch (LedgerInputException e)
        {
            return LedgerProblems.InvalidInput(e);
        }
    }

    private static async Task<IResult> AccountBalances(string id, HttpContext http, DbContext db, LedgerEngine engine, LedgerProjector projector)
    {
        try
        {
            var accountId = ParseRouteId(id);
            var q = http.Request.Query;
            var at = QueryParameters.Timestamp(q, "at");
            var found = await engine.LookupAccountsAsync(new[] { accountId }, http.RequestAborted);
            if (found.Length == 0) return LedgerProblems.NotFound("account", accountId);
            var projected = projector.ProjectedSequence;
            var balances = await BalanceQueries.AtAsync(db, accountId, at ?? long.MaxValue, http.RequestAborted);
            var history = at is null && (found[0].Flags & AccountFlags.History) != 0
                ? await BalanceQueries.HistoryAsync(db, accountId, QueryParameters.Limit(q), QueryParameters.Timestamp(q, "after"), http.RequestAborted)
                : null;
            return LedgerResults.Json((accountId, at, balances, history, projected),
                static (w, s) => ReadModelJson.WriteBalances(w, s.accountId, s.at, s.balances, s.history, s.projected));
        }
        catch (LedgerInputException e)
        {
            return LedgerProblems.InvalidInput(e);
        }
    }

    private static async Task<IResult> ListAccounts(HttpContext http, DbContext db, LedgerEngine engine, LedgerProjector projector)
    {
        try
        {
            var q = http.Request.Query;
            var limit = QueryParameters.Limit(q);
            var after = QueryParameters.Timestamp(q, "after");
            var rows = db.Set<LedgerAccountRow>().AsNoTracking();
            if (QueryParameters.UInt32(q, "ledger") is { } ledger) rows = rows.Where(a => a.Ledger == ledger);
            if (QueryParameters.UInt32(q, "code", ushort.MaxValue) is { } code) rows = rows.Where(a => a.Code == (int)code);
            if (QueryParameters.UInt128Value(q, "user_data_128") is { } u128) { var key = Columns.Id(u128); rows = rows.Where(a => a.UserData128 == key); }
            if (QueryParameters.UInt64(q, "user_data_64") is { } u64) { var key = Columns.Amount(u64); rows = rows.Where(a => a.UserData64 == key); }
            if (QueryParameters.UInt32(q, "user_data_32") is { } u32) rows = rows.Where(a => a.UserData32 == u32);
            if (after is { } cursor) rows = rows.Where(a => a.Timestamp > cursor);
            var projected = projector.ProjectedSequence;
            var ids = await rows.OrderBy(a => a.Timestamp).Take(limit).Select(a => a.Id).ToListAsync(http.RequestAborted);
            // Balances are live: the engine's current values for the accounts the read model found.
            var accounts = ids.Count == 0 ? [] : await engine.LookupAccountsAsync(ids.Select(Columns.ParseId).ToArray(), http.RequestAborted);
            return LedgerResults.Json((accounts, limit, projected), static (w, s) => ReadModelJson.WriteAccounts(w, s.accounts, s.limit, s.projected));
        }
        catch (LedgerInputException e)
        {
            return LedgerProblems.InvalidInput(e);
        }
    }

    private static UInt128 ParseRouteId(string id) =>
        JsonBatchDecoder.TryParseId(id, out var value) ? value : throw new LedgerInputException(null, "id", "the id must be a decimal unsigned 128-bit integer");
}
