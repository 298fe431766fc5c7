namespace Banyan.Platform.Http;

/// <summary>
/// The platform-wide problem type catalogue (documented in <c>docs/api-conventions.md</c>). The host
/// uses these for errors it produces itself; modules use them through <see cref="BanyanProblems"/>.
/// </summary>
public static class ProblemTypes
{
    /// <summary>400: the request is malformed (unreadable JSON, wrong types, missing required members).</summary>
    public static readonly ProblemType BadRequest = ProblemType.Define("bad-request", 400, "The request is malformed.");

    /// <summary>400: the request is well-formed but some fields are invalid; see <c>errors</c>.</summary>
    public static readonly ProblemType Validation = ProblemType.Define("validation", 400, "One or more fields are invalid.");

    /// <summary>400: the <c>Idempotency-Key</c> header is empty, too long or has characters outside printable ASCII.</summary>
    public static readonly ProblemType InvalidIdempotencyKey = ProblemType.Define("invalid-idempotency-key", 400, "The Idempotency-Key header is invalid.");

    /// <summary>401: no valid access token.</summary>
    public static readonly ProblemType Unauthorized = ProblemType.Define("unauthorized", 401, "A valid access token is required.");

    /// <summary>403: the access token lacks the scope the endpoint requires.</summary>
    public static readonly ProblemType Forbidden = ProblemType.Define("forbidden", 403, "The access token does not grant this operation.");

    /// <summary>404: no such route or resource.</summary>
    public static readonly ProblemType NotFound = ProblemType.Define("not-found", 404, "The resource does not exist.");

    /// <summary>405: the route exists but not with this HTTP method.</summary>
    public static readonly ProblemType MethodNotAllowed = ProblemType.Define("method-not-allowed", 405, "The HTTP method is not allowed on this resource.");

    /// <summary>406: the server cannot produce a representation the client accepts.</summary>
    public static readonly ProblemType NotAcceptable = ProblemType.Define("not-acceptable", 406, "No acceptable representation.");

    /// <summary>409: the request conflicts with the current state of the resource.</summary>
    public static readonly ProblemType Conflict = ProblemType.Define("conflict", 409, "The request conflicts with the current state.");

    /// <summary>409: a request with the same <c>Idempotency-Key</c> is still being processed.</summary>
    public static readonly ProblemType IdempotencyInFlight = ProblemType.Define("idempotency-in-flight", 409, "A request with this Idempotency-Key is still in progress.");

    /// <summary>413: the request body exceeds the endpoint's limit.</summary>
    public static readonly ProblemType PayloadTooLarge = ProblemType.Define("payload-too-large", 413, "The request body is too large.");

    /// <summary>415: the request body's content type is not accepted by the endpoint.</summary>
    public static readonly ProblemType UnsupportedMediaType = ProblemType.Define("unsupported-media-type", 415, "The request content type is not supported.");

    /// <summary>422: the request is valid but a business rule rejects it.</summary>
    public static readonly ProblemType Unprocessable = ProblemType.Define("unprocessable", 422, "The request cannot be processed.");

    /// <summary>422: the <c>Idempotency-Key</c> was already used with a different request.</summary>
    public static readonly ProblemType IdempotencyKeyReused = ProblemType.Define("idempotency-key-reused", 422, "The Idempotency-Key was used with a different request.");

    /// <summary>429: too many requests; retry after the <c>Retry-After</c> header's seconds.</summary>
    public static readonly ProblemType RateLimited = ProblemType.Define("rate-limited", 429, "Too many requests.");

    /// <summary>500: an unexpected server error; quote <c>trace_id</c> when reporting it.</summary>
    public static readonly ProblemType Internal = ProblemType.Define("internal", 500, "An unexpected error occurred.");

    /// <summary>503: the service or one of its dependencies is not ready.</summary>
    public static readonly ProblemType Unavailable = ProblemType.Define("unavailable", 503, "The service is not ready.");

    /// <summary>Every platform type, for documentation and tests.</summary>
    public static IReadOnlyList<ProblemType> All { get; } =
    [
        BadRequest, Validation, InvalidIdempotencyKey, Unauthorized, Forbidden, NotFound, MethodNotAllowed,
        NotAcceptable, Conflict, IdempotencyInFlight, PayloadTooLarge, UnsupportedMediaType, Unprocessable,
        IdempotencyKeyReused, RateLimited, Internal, Unavailable,
    ];

    /// <summary>The generic platform type for a bare HTTP status (used when nothing more specific is known).</summary>
    public static ProblemType ForStatus(int status) => status switch
    {
        400 => BadRequest,
        401 => Unauthorized,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        406 => NotAcceptable,
        409 => Conflict,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        422 => Unprocessable,
        429 => RateLimited,
        503 => Unavailable,
        >= 500 => Internal,
        _ => BadRequest,
    };
}
