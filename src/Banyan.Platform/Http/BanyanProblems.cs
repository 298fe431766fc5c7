using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Banyan.Platform.Http;

/// <summary>
/// How endpoints return errors: every helper produces an RFC 9457 <c>application/problem+json</c>
/// result with a stable <see cref="ProblemType"/>. The host adds <c>trace_id</c> and <c>request_id</c>.
/// </summary>
public static class BanyanProblems
{
    /// <summary>A problem of <paramref name="type"/> with an occurrence-specific <paramref name="detail"/>.</summary>
    /// <param name="type">The stable problem type.</param>
    /// <param name="detail">What went wrong with this request, for a human. Never secrets or stack traces.</param>
    /// <param name="extensions">Extra snake_case members (e.g. <c>result</c>, <c>errors</c>).</param>
    public static ProblemHttpResult Problem(ProblemType type, string? detail = null, IEnumerable<KeyValuePair<string, object?>>? extensions = null) =>
        TypedResults.Problem(Create(type, detail, extensions));

    /// <summary>400 <c>validation</c>: field errors keyed by snake_case field path (e.g. <c>transfers[3].amount</c>).</summary>
    public static ProblemHttpResult Validation(string detail, IReadOnlyDictionary<string, string[]>? errors = null) =>
        Problem(ProblemTypes.Validation, detail, errors is null ? null : [new("errors", errors)]);

    /// <summary>400 <c>bad-request</c>: the request cannot be understood.</summary>
    public static ProblemHttpResult BadRequest(string detail) => Problem(ProblemTypes.BadRequest, detail);

    /// <summary>404 <c>not-found</c>.</summary>
    public static ProblemHttpResult NotFound(string detail) => Problem(ProblemTypes.NotFound, detail);

    /// <summary>409 <c>conflict</c>.</summary>
    public static ProblemHttpResult Conflict(string detail) => Problem(ProblemTypes.Conflict, detail);

    /// <summary>403 <c>forbidden</c> (for checks beyond the endpoint's scope policy).</summary>
    public static ProblemHttpResult Forbidden(string detail) => Problem(ProblemTypes.Forbidden, detail);

    /// <summary>422 <c>unprocessable</c>: valid input that a business rule rejects.</summary>
    public static ProblemHttpResult Unprocessable(string detail, IEnumerable<KeyValuePair<string, object?>>? extensions = null) =>
        Problem(ProblemTypes.Unprocessable, detail, extensions);

    /// <summary>Builds the problem document itself (for code that writes responses directly).</summary>
    public static ProblemDetails Create(ProblemType type, string? detail = null, IEnumerable<KeyValuePair<string, object?>>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Type = type.Uri,
            Title = type.Title,
            Status = type.Status,
            Detail = detail,
        };
        foreach (var (key, value) in extensions ?? [])
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }
}
