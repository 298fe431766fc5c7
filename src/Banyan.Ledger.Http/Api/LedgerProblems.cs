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

    /// <summary>Seconds a client should wait before retrying a write refused by a standby or a fenced node (about one lease round).</summary>
    public const int RetryAfterSeconds = 1;

    public static IResult Unavailable(LedgerFaultedException e)
    {
        if (FindFenced(e) is { } fenced)
        {
            // A fenced leader: the write was refused by the database; the new leader takes it.
            return WithRetryAfter(BanyanProblems.Problem(ProblemTypes.Unavailable, fenced.Message, LeaderExtensions("fenced", fenced.Leader)));
        }
        return BanyanProblems.Problem(ProblemTypes.Unavailable, "the ledger engine stopped after a failure and accepts no work until restarted: " + e.Message);
    }

    /// <summary>A write sent to a standby: 503 with the leader's address (we answer rather than forward: see docs/ledger-journal.md).</summary>
    public static IResult NotLeader(LedgerNotLeaderException e) =>
        WithRetryAfter(BanyanProblems.Problem(ProblemTypes.Unavailable, e.Message, LeaderExtensions("standby", e.Leader)));

    private static LedgerFencedException? FindFenced(Exception? error)
    {
        for (var inner = error; inner is not null; inner = inner.InnerException)
        {
            if (inner is LedgerFencedException fenced) return fenced;
        }
        return null;
    }

    private static List<KeyValuePair<string, object?>> LeaderExtensions(string role, string? leader) =>
        [new("role", role), new("leader", leader)];

    private static IResult WithRetryAfter(IResult inner) => new RetryAfterResult(inner);

    /// <summary>Adds <c>Retry-After</c> to a problem response.</summary>
    private sealed class RetryAfterResult(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }

    public static IResult NotFound(string what, UInt128 id) =>
        BanyanProblems.NotFound($"no {what} with id {id}");
}
