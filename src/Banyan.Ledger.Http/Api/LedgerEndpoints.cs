using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Banyan.Platform;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Banyan.Ledger.Http.Api;

/// <summary>
/// The ledger's HTTP contract under <c>/v1/ledger</c> (scope <c>ledger</c>): JSON batches, single
/// lookups, and the binary bulk path. Every handler decodes and validates the whole request before
/// the engine sees any event, so a 4xx never leaves a partial effect.
/// </summary>
internal static class LedgerEndpoints
{
    private delegate int Decoder<T>(ReadOnlySpan<byte> body, Span<T> into);

    public static void Map(IEndpointRouteBuilder v1)
    {
        var ledger = v1.MapGroup("/ledger").RequireAuthorization(ScopePolicy.For("ledger")).WithTags("Ledger");

        ledger.MapPost("/accounts", CreateAccounts).WithRequestBodyLimit(RequestBody.MaxJsonBytes).WithName("CreateLedgerAccounts")
            .WithDescription("Body: JSON array of accounts {id, ledger, code, flags[], user_data_128, user_data_64, user_data_32}; ids and 128-bit values as decimal strings. Response: [{index, status}] with status 'created' or a result code. See docs/ledger-api.md.")
            .WithSummary("Create a batch of accounts (at most 8,190); one result per event, in order.")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        ledger.MapPost("/transfers", CreateTransfers).WithRequestBodyLimit(RequestBody.MaxJsonBytes).WithName("CreateLedgerTransfers")
            .WithDescription("Body: JSON array of transfers {id, debit_account_id, credit_account_id, amount, pending_id, timeout, ledger, code, flags[], user_data_*}; ids and amounts as decimal strings. Response: [{index, status}] with status 'created' or a result code. See docs/ledger-api.md.")
            .WithSummary("Create a batch of transfers (at most 8,190); one result per event, in order.")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        ledger.MapGet("/accounts/{id}", GetAccount).WithName("GetLedgerAccount")
            .WithSummary("An account with its four balances.").Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status404NotFound);
        ledger.MapGet("/transfers/{id}", GetTransfer).WithName("GetLedgerTransfer")
            .WithSummary("A transfer, with the amount actually moved.").Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status404NotFound);
        ledger.MapPost("/accounts/lookup", LookupAccounts).WithRequestBodyLimit(RequestBody.MaxJsonBytes).WithName("LookupLedgerAccounts")
            .WithSummary("The accounts found among an array of ids, in request order.")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status400BadRequest);
        ledger.MapPost("/transfers/lookup", LookupTransfers).WithRequestBodyLimit(RequestBody.MaxJsonBytes).WithName("LookupLedgerTransfers")
            .WithSummary("The transfers found among an array of ids, in request order.")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status400BadRequest);
        BulkEndpoints.Map(ledger);
        JournalEndpoints.Map(ledger);
        ReadModels.ReadModelEndpoints.Map(ledger);
    }

    private static Task<IResult> CreateAccounts(HttpContext http, LedgerEngine engine, LedgerMetrics metrics) =>
        CreateAsync<Account, CreateAccountResult>(http, JsonBatchDecoder.DecodeAccounts,
            async events => metrics.RecordAccounts(await engine.CreateAccountsAsync(events)),
            static (w, r) => JsonEncoder.WriteResults(w, r));

    private static Task<IResult> CreateTransfers(HttpContext http, LedgerEngine engine, LedgerMetrics metrics)
    {
        var started = Stopwatch.GetTimestamp();
        return CreateAsync<Transfer, CreateTransferResult>(http, JsonBatchDecoder.DecodeTransfers,
            async events => metrics.RecordTransfers(await engine.CreateTransfersAsync(events), started),
            static (w, r) => JsonEncoder.WriteResults(w, r));
    }

    private static async Task<IResult> CreateAsync<TEvent, TResult>(
        HttpContext http,
        Decoder<TEvent> decode,
        Func<ReadOnlyMemory<TEvent>, Task<TResult[]>> apply,
        Action<Utf8JsonWriter, TResult[]> write)
    {
        var events = ArrayPool<TEvent>.Shared.Rent(JsonBatchDecoder.MaxEvents);
        try
        {
            int count;
            using (var body = await RequestBody.ReadAsync(http.Request, RequestBody.MaxJsonBytes, http.RequestAborted))
            {
                count = decode(body.Span, events.AsSpan(0, JsonBatchDecoder.MaxEvents));
            }
            if (count == 0) return LedgerResults.EmptyArray();
            // No cancellation once submitted: the batch commits (or not) as a whole regardless of the caller.
            var results = await apply(events.AsMemory(0, count));
            return LedgerResults.Json(results, write);
        }
        catch (LedgerInputException e)
        {
            return LedgerProblems.InvalidInput(e);
        }
        catch (RequestBodyTooLargeException e)
        {
            return LedgerProblems.TooLarge(e);
        }
        catch (LedgerFaultedException e)
        {
            return LedgerProblems.Unavailable(e);
        }
        catch (LedgerNotLeaderException e)
        {
            return LedgerProblems.NotLeader(e);
        }
        finally
        {
            ArrayPool<TEvent>.Shared.Return(events);
        }
    }

    private static async Task<IResult> GetAccount(string id, LedgerEngine engine)
    {
        if (!JsonBatchDecoder.TryParseId(id, out var value)) return BadRouteId();
        var found = await engine.LookupAccountsAsync(new[] { value });
        return found.Length == 0
            ? LedgerProblems.NotFound("account", value)
            : LedgerResults.Json(found[0], static (w, a) => JsonEncoder.WriteAccount(w, a));
    }

    private static async Task<IResult> GetTransfer(string id, LedgerEngine engine)
    {
        if (!JsonBatchDecoder.TryParseId(id, out var value)) return BadRouteId();
        var found = await engine.LookupTransfersAsync(new[] { value });
        return found.Length == 0
            ? LedgerProblems.NotFound("transfer", value)
            : LedgerResults.Json(found[0], static (w, t) => JsonEncoder.WriteTransfer(w, t));
    }

    private static IResult BadRouteId() =>
        LedgerProblems.InvalidInput(new LedgerInputException(null, "id", "the id must be a decimal unsigned 128-bit integer"));

    private static Task<IResult> LookupAccounts(HttpContext http, LedgerEngine engine) =>
        LookupAsync(http, async ids => await engine.LookupAccountsAsync(ids), static (w, found) =>
        {
            w.WriteStartArray();
            foreach (var a in found) JsonEncoder.WriteAccount(w, a);
            w.WriteEndArray();
        });

    private static Task<IResult> LookupTransfers(HttpContext http, LedgerEngine engine) =>
        LookupAsync(http, async ids => await engine.LookupTransfersAsync(ids), static (w, found) =>
        {
            w.WriteStartArray();
            foreach (var t in found) JsonEncoder.WriteTransfer(w, t);
            w.WriteEndArray();
        });

    private static async Task<IResult> LookupAsync<T>(HttpContext http, Func<ReadOnlyMemory<UInt128>, Task<T[]>> lookup, Action<Utf8JsonWriter, T[]> write)
    {
        var ids = ArrayPool<UInt128>.Shared.Rent(JsonBatchDecoder.MaxEvents);
        try
        {
            int count;
            using (var body = await RequestBody.ReadAsync(http.Request, RequestBody.MaxJsonBytes, http.RequestAborted))
            {
                count = JsonBatchDecoder.DecodeIds(body.Span, ids.AsSpan(0, JsonBatchDecoder.MaxEvents));
            }
            if (count == 0) return LedgerResults.EmptyArray();
            var found = await lookup(ids.AsMemory(0, count));
            return LedgerResults.Json(found, write);
        }
        catch (LedgerInputException e)
        {
            return LedgerProblems.InvalidInput(e);
        }
        catch (RequestBodyTooLargeException e)
        {
            return LedgerProblems.TooLarge(e);
        }
        catch (LedgerFaultedException e)
        {
            return LedgerProblems.Unavailable(e);
        }
        catch (LedgerNotLeaderException e)
        {
            return LedgerProblems.NotLeader(e);
        }
        finally
        {
            ArrayPool<UInt128>.Shared.Return(ids);
        }
    }

    /// <summary>True when the request's media type (parameters ignored) is <paramref name="mediaType"/>.</summary>
    internal static bool HasMediaType(HttpRequest request, string mediaType)
    {
        var contentType = request.ContentType.AsSpan();
        var semicolon = contentType.IndexOf(';');
        if (semicolon >= 0) contentType = contentType[..semicolon];
        return contentType.Trim().Equals(mediaType, StringComparison.OrdinalIgnoreCase);
    }
}
