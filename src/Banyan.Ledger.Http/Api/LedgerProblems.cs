using Microsoft.AspNetCore.Http;

namespace Banyan.Ledger.Http.Api;

/// <summary>The ledger's RFC 9457 problem documents, each with a stable <c>type</c>.</summary>
internal static class LedgerProblems
{
    private const string TypeBase = "https://banyan.dev/problems/ledger/";

    public static IResult InvalidInput(LedgerInputException e)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = "invalid_request" };
        if (e.Index is { } index) extensions["index"] = index;
        if (e.Field.Length > 0) extensions["field"] = e.Field;
        return TypedResults.Problem(
            detail: e.Message + "; nothing was applied",
            statusCode: StatusCodes.Status400BadRequest,
            title: "Invalid ledger request",
            type: TypeBase + "invalid-request",
            extensions: extensions);
    }

    public static IResult TooLarge(RequestBodyTooLargeException e) => TypedResults.Problem(
        detail: e.Message + "; nothing was applied",
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        type: TypeBase + "body-too-large",
        extensions: new Dictionary<string, object?> { ["code"] = "body_too_large", ["limit_bytes"] = e.LimitBytes });

    public static IResult UnsupportedMediaType(string expected) => TypedResults.Problem(
        detail: $"the content type must be {expected}",
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type",
        type: TypeBase + "unsupported-media-type",
        extensions: new Dictionary<string, object?> { ["code"] = "unsupported_media_type" });

    public static IResult Unavailable(LedgerFaultedException e) => TypedResults.Problem(
        detail: "the ledger engine has stopped after a failure and accepts no work until restarted: " + e.Message,
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Ledger unavailable",
        type: TypeBase + "unavailable",
        extensions: new Dictionary<string, object?> { ["code"] = "ledger_unavailable" });

    public static IResult NotFound(string what, UInt128 id) => TypedResults.Problem(
        detail: $"no {what} with id {id}",
        statusCode: StatusCodes.Status404NotFound,
        title: $"The {what} does not exist",
        type: TypeBase + what + "-not-found",
        extensions: new Dictionary<string, object?> { ["code"] = what + "_not_found" });
}
