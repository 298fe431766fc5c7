using System.Text.Json;
using Banyan.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Banyan.Credit.Registry;

/// <summary>
/// <c>POST /v1/credit/applications</c> and <c>GET /v1/credit/applications/{id}</c> (scope <c>credit</c>).
/// Every error is an RFC 9457 problem document; a rejected application stores nothing.
/// </summary>
internal static class CreditEndpoints
{
    public const int MaxBodyBytes = 64 * 1024;

    public static void Map(IEndpointRouteBuilder v1)
    {
        var credit = v1.MapGroup("/credit").RequireAuthorization(ScopePolicy.For("credit"));
        credit.MapPost("/applications", PostAsync);
        credit.MapGet("/applications/{id}", (string id, CreditDecisions decisions) =>
            decisions.Get(id) is { } record
                ? Results.Json(record, RegistryJson.Options)
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Decision not found", detail: $"no decision '{id}'"));
    }

    private static async Task<IResult> PostAsync(HttpRequest request, CreditDecisions decisions, CancellationToken cancellationToken)
    {
        if (request.ContentLength is > MaxBodyBytes)
            return Problem(StatusCodes.Status413PayloadTooLarge, "Application too large", $"the body may have at most {MaxBodyBytes} bytes");
        JsonDocument body;
        try
        {
            using var limited = new MemoryStream();
            await CopyLimitedAsync(request.Body, limited, cancellationToken);
            limited.Position = 0;
            body = await JsonDocument.ParseAsync(limited, new JsonDocumentOptions { MaxDepth = 8 }, cancellationToken);
        }
        catch (JsonException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed JSON", e.Message);
        }
        catch (InvalidDataException e)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Application too large", e.Message);
        }
        using (body)
        {
            try
            {
                var record = decisions.Decide(body.RootElement);
                return Results.Json(record, RegistryJson.Options, statusCode: StatusCodes.Status201Created);
            }
            catch (InvalidApplicationException e) { return Problem(StatusCodes.Status400BadRequest, "Invalid application", e.Message); }
            catch (RegistryException e) { return Problem(StatusCodes.Status409Conflict, "No approved model", e.Message); }
            catch (KeyNotFoundException e) { return Problem(StatusCodes.Status404NotFound, "Unknown model version", e.Message); }
        }
    }

    private static async Task CopyLimitedAsync(Stream source, Stream target, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (target.Length + read > MaxBodyBytes) throw new InvalidDataException($"the body may have at most {MaxBodyBytes} bytes");
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);
}
