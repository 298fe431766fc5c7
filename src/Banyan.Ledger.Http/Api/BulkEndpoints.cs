using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Banyan.Ledger.Http.Api;

/// <summary>
/// The bulk path: the engine's own 128-byte little-endian structs over HTTP, so a batch costs one
/// memory copy instead of JSON decoding (decision 0200, docs/ledger-api.md). Requests and responses
/// are whole batches; results are N × 4-byte little-endian codes in event order.
/// </summary>
internal static class BulkEndpoints
{
    public const string AccountsMediaType = "application/vnd.banyan.ledger.accounts.v1";
    public const string TransfersMediaType = "application/vnd.banyan.ledger.transfers.v1";
    public const string ResultsMediaType = "application/vnd.banyan.ledger.results.v1";
    public const string IdsMediaType = "application/vnd.banyan.ledger.ids.v1";

    private const int EventBytes = 128;
    private const int IdBytes = 16;

    public static void Map(RouteGroupBuilder ledger)
    {
        ledger.MapPost("/accounts/bulk", CreateAccounts).WithRequestBodyLimit(RequestBody.MaxBinaryBytes).WithName("CreateLedgerAccountsBulk")
            .WithSummary("Binary bulk path: N x 128-byte accounts in, N x 4-byte result codes out.")
            .Produces<byte[]>(StatusCodes.Status200OK, ResultsMediaType).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        ledger.MapPost("/transfers/bulk", CreateTransfers).WithRequestBodyLimit(RequestBody.MaxBinaryBytes).WithName("CreateLedgerTransfersBulk")
            .WithSummary("Binary bulk path: N x 128-byte transfers in, N x 4-byte result codes out.")
            .Produces<byte[]>(StatusCodes.Status200OK, ResultsMediaType).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        ledger.MapPost("/accounts/lookup/bulk", LookupAccounts).WithRequestBodyLimit(RequestBody.MaxBinaryBytes).WithName("LookupLedgerAccountsBulk")
            .WithSummary("Binary lookup: N x 16-byte ids in, the found accounts as 128-byte structs out.")
            .Produces<byte[]>(StatusCodes.Status200OK, AccountsMediaType).ProducesProblem(StatusCodes.Status400BadRequest);
        ledger.MapPost("/transfers/lookup/bulk", LookupTransfers).WithRequestBodyLimit(RequestBody.MaxBinaryBytes).WithName("LookupLedgerTransfersBulk")
            .WithSummary("Binary lookup: N x 16-byte ids in, the found transfers as 128-byte structs out.")
            .Produces<byte[]>(StatusCodes.Status200OK, TransfersMediaType).ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static Task<IResult> CreateAccounts(HttpContext http, LedgerEngine engine, LedgerMetrics metrics) =>
        ApplyAsync<Account, CreateAccountResult>(http, AccountsMediaType, EventBytes, ResultsMediaType,
            async events => metrics.RecordAccounts(await engine.CreateAccountsAsync(events)));

    private static Task<IResult> CreateTransfers(HttpContext http, LedgerEngine engine, LedgerMetrics metrics)
    {
        var started = Stopwatch.GetTimestamp();
        return ApplyAsync<Transfer, CreateTransferResult>(http, TransfersMediaType, EventBytes, ResultsMediaType,
            async events => metrics.RecordTransfers(await engine.CreateTransfersAsync(events), started));
    }

    private static Task<IResult> LookupAccounts(HttpContext http, LedgerEngine engine) =>
        ApplyAsync<UInt128, Account>(http, IdsMediaType, IdBytes, AccountsMediaType, async ids => await engine.LookupAccountsAsync(ids));

    private static Task<IResult> LookupTransfers(HttpContext http, LedgerEngine engine) =>
        ApplyAsync<UInt128, Transfer>(http, IdsMediaType, IdBytes, TransfersMediaType, async ids => await engine.LookupTransfersAsync(ids));

    /// <summary>Reads N fixed-size items, validates framing, applies them, and writes the outputs raw.</summary>
    private static async Task<IResult> ApplyAsync<TIn, TOut>(
        HttpContext http, string requestType, int itemBytes, string responseType, Func<ReadOnlyMemory<TIn>, Task<TOut[]>> apply)
        where TIn : unmanaged
        where TOut : unmanaged
    {
        if (!LedgerEndpoints.HasMediaType(http.Request, requestType)) return LedgerProblems.UnsupportedMediaType(requestType);
        TIn[] items;
        int count;
        try
        {
            using var body = await RequestBody.ReadAsync(http.Request, RequestBody.MaxBinaryBytes, http.RequestAborted);
            count = CheckFraming(body.Length, itemBytes);
            items = ArrayPool<TIn>.Shared.Rent(Math.Max(count, 1));
            MemoryMarshal.Cast<byte, TIn>(body.Span).CopyTo(items);
        }
        catch (LedgerInputException e)
        {
            return LedgerProblems.InvalidInput(e);
        }
        catch (RequestBodyTooLargeException e)
        {
            return LedgerProblems.TooLarge(e);
        }
        try
        {
            var outputs = count == 0 ? [] : await apply(items.AsMemory(0, count));
            return new BinaryBodyResult<TOut>(outputs, outputs.Length, responseType);
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
            ArrayPool<TIn>.Shared.Return(items);
        }
    }

    private static int CheckFraming(int length, int itemBytes)
    {
        if (length % itemBytes != 0)
        {
            throw new LedgerInputException(null, "", $"the body length {length} is not a multiple of {itemBytes} bytes");
        }
        var count = length / itemBytes;
        if (count > JsonBatchDecoder.MaxEvents)
        {
            throw new LedgerInputException(JsonBatchDecoder.MaxEvents, "", $"a request holds at most {JsonBatchDecoder.MaxEvents} events; this one has {count}");
        }
        return count;
    }
}
