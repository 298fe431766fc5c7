using System.Text.Json;
using Banyan.Platform;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Banyan.Credit.Registry;

/// <summary>
/// <c>POST /v1/credit/applications</c> and <c>GET /v1/credit/applications/{id}</c> (scope <c>credit</c>).
/// Every error is an RFC 9457 problem document of the platform catalogue; a rejected application
/// stores nothing.
/// </summary>
internal static class CreditEndpoints
{
    public const int MaxBodyBytes = 64 * 1024;

    public static void Map(IEndpointRouteBuilder v1)
    {
        var credit = v1.MapGroup("/credit").RequireAuthorization(ScopePolicy.For("credit")).WithTags("Credit");
        credit.MapPost("/applications", PostAsync).WithRequestBodyLimit(MaxBodyBytes).WithName("CreateCreditApplication")
            .WithSummary("Decide a credit application with the approved model: approve, decline or refer, with exact SHAP reasons. The decision is stored.")
            .Produces(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        credit.MapGet("/applications/{id}", Get).WithName("GetCreditApplication")
            .WithSummary("A stored credit decision with its model version, inputs, score and explanation.")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status404NotFound);
        ModelEndpoints.Map(v1);
    }

    private static IResult Get(string id, CreditDecisions decisions) =>
        decisions.Get(id) is { } record
            ? Results.Json(record, RegistryJson.Options)
            : BanyanProblems.NotFound($"no credit decision '{id}'");

    private static async Task<IResult> PostAsync(HttpRequest request, CreditDecisions decisions, CancellationToken cancellationToken)
    {
        if (request.ContentLength is > MaxBodyBytes) return TooLarge();
        JsonDocument body;
        try
        {
            using var limited = new MemoryStream();
            if (!await CopyLimitedAsync(request.Body, limited, cancellationToken)) return TooLarge();
            limited.Position = 0;
            body = await JsonDocument.ParseAsync(limited, new JsonDocumentOptions { MaxDepth = 8 }, cancellationToken);
        }
        catch (JsonException e)
        {
            return BanyanProblems.BadRequest("the body is not valid JSON: " + e.Message);
        }
        using (body)
        {
            try
            {
                var record = decisions.Decide(body.RootElement);
                return Results.Json(record, RegistryJson.Options, statusCode: StatusCodes.Status201Created);
            }
            catch (InvalidApplicationException e) { return BanyanProblems.Validation(e.Message); }
            catch (RegistryException e) { return BanyanProblems.Conflict(e.Message); }
            catch (KeyNotFoundException e) { return BanyanProblems.NotFound(e.Message); }
        }
    }

    private static IResult TooLarge() => BanyanProblems.Problem(ProblemTypes.PayloadTooLarge, $"an application may have at most {MaxBodyBytes} bytes");

    /// <summary>Copies at most <see cref="MaxBodyBytes"/>; false when the body is longer.</summary>
    private static async Task<bool> CopyLimitedAsync(Stream source, Stream target, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (target.Length + read > MaxBodyBytes) return false;
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        return true;
    }
}
