using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Banyan.Ledger.Http.Api;

/// <summary>
/// <c>GET /v1/ledger/journal/head</c>: the newest durable journal record's sequence and chain hash, so an
/// auditor can pin it now and later prove, with <c>banyan ledger verify --expect-head</c>, that the
/// history up to that point was not rewritten.
/// </summary>
internal static class JournalEndpoints
{
    public static void Map(IEndpointRouteBuilder ledger)
    {
        ledger.MapGet("/journal/head", GetHead).WithName("GetLedgerJournalHead")
            .WithSummary("The newest durable journal record: sequence, hash-chain head and timestamp (a tamper-evidence pin).")
            .Produces<JournalHeadResponse>(StatusCodes.Status200OK);
    }

    private static IResult GetHead(LedgerEngine engine)
    {
        var head = engine.JournalHead;
        return TypedResults.Ok(new JournalHeadResponse(
            head.Sequence.ToString(CultureInfo.InvariantCulture),
            head.HashHex,
            head.Timestamp.ToString(CultureInfo.InvariantCulture),
            head.ToString()));
    }
}

/// <summary>The journal head as served over HTTP; numbers as decimal strings like every ledger id.</summary>
/// <param name="Sequence">Sequence number of the newest durable record.</param>
/// <param name="Hash">Its header hash in the chain, 32 hex digits.</param>
/// <param name="Timestamp">Engine timestamp of its last event (ns since the Unix epoch).</param>
/// <param name="Pin">The one-string form <c>sequence:hash@timestamp</c> that <c>banyan ledger verify --expect-head</c> takes.</param>
internal sealed record JournalHeadResponse(string Sequence, string Hash, string Timestamp, string Pin);
