using Banyan.Platform.Http;
using Microsoft.AspNetCore.Http;

namespace Banyan.Ledger.Http.Api;

/// <summary>
/// The ledger's RFC 9457 problems, built on the platform catalogue (<see cref="ProblemTypes"/>).
/// Batch input errors add <c>index</c> (the event) and <c>field</c> (snake_case) members, and an
/// <c>errors</c> map keyed <c>events[i].field</c> like other modules' validation problems.
/// </summary>
internal static class LedgerProblems
{
    public static IResult InvalidInput(LedgerInputException e)
    {
        var extensions = new List<KeyValuePair<string, object?>>();
        if (e.Index is { } index) extensions.Add(new("index", index));
        if (e.Field.Length > 0) extensions.Add(new("field", e.Field));
        var path = (e.Index is { } i ? $"events[{i}]" : "body") + (e.Field.Length > 0 ? "." + e.Field : "");
        extensions.Add(new("errors", new Dictionary<string, string[]> { [path] = [e.Message] }));
        var type = e.Index is null && e.Field.Length == 0 ? ProblemTypes.BadRequest : ProblemTypes.Validation;
        return BanyanProblems.Problem(type, e.Message + "; nothing was applied", extensions);
    }

    public static IResult TooLarge(RequestBodyTooLargeException e) =>
        BanyanProblems.Problem(ProblemTypes.PayloadTooLarge, e.Message + "; nothing was applied", [new("limit_bytes", e.LimitBytes)]);

    public static IResult UnsupportedMediaType(string expected) =>
        BanyanProblems.Problem(ProblemTypes.UnsupportedMediaType, $"the content type must be {expected}");

    public static IResult Unavailable(LedgerFaultedException e) =>
        BanyanProblems.Problem(ProblemTypes.Unavailable, "the ledger engine stopped after a failure and accepts no work until restarted: " + e.Message);

    public static IResult NotFound(string what, UInt128 id) =>
        BanyanProblems.NotFound($"no {what} with id {id}");
}
