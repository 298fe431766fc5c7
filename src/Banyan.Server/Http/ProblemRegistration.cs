using System.Diagnostics;
using System.Text.Json;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Banyan.Server.Http;

/// <summary>
/// RFC 9457 for every error: bare status codes (404, 405, 401, 403…) become problems through
/// status-code pages, exceptions through <see cref="ProblemExceptionHandler"/>, and every problem
/// gets a Banyan <c>type</c>, <c>trace_id</c> and <c>request_id</c>.
/// </summary>
internal static class ProblemRegistration
{
    public static void AddBanyanProblems(this IServiceCollection services)
    {
        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(options =>
        {
            BanyanJson.Apply(options.SerializerOptions);

            // Requests are strict: a misspelt member is an error, not silently dropped data.
            options.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
        });

        // Binding failures throw BadHttpRequestException (instead of an empty 400) so the handler can explain them.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = Customize);
        services.AddExceptionHandler<ProblemExceptionHandler>();
    }

    private static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        if (problem.Type is null || !problem.Type.StartsWith(ProblemType.BaseUri, StringComparison.Ordinal))
        {
            // Framework-made problems (RFC 9110 links) get the Banyan type for their status.
            var type = ProblemTypes.ForStatus(status);
            problem.Type = type.Uri;
            problem.Title = type.Title;
        }

        problem.Status = status;
        problem.Detail ??= DefaultDetail(context.HttpContext, status);
        problem.Extensions.Remove("traceId");
        problem.Extensions["trace_id"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        if (RequestIdMiddleware.Get(context.HttpContext) is { } requestId)
        {
            problem.Extensions["request_id"] = requestId;
        }
    }

    private static string? DefaultDetail(HttpContext context, int status) => status switch
    {
        404 => $"No resource at '{context.Request.Path}'.",
        405 => $"'{context.Request.Method}' is not allowed on '{context.Request.Path}'.",
        401 => "Send an access token from POST /connect/token as 'Authorization: Bearer <token>'.",
        403 => "The access token lacks the scope this operation requires.",
        _ => null,
    };
}

/// <summary>Turns exceptions into problems: binding errors keep their 4xx status and a useful detail; anything else is a 500 without internals.</summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (type, detail) = exception switch
        {
            BadHttpRequestException bad => (ProblemTypes.ForStatus(bad.StatusCode), Describe(bad)),
            JsonException json => (ProblemTypes.BadRequest, "The request body is not valid JSON: " + json.Message),
            _ => (ProblemTypes.Internal, "An unexpected error occurred. Quote trace_id when reporting it."),
        };
        httpContext.Response.StatusCode = type.Status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = BanyanProblems.Create(type, detail),
        });
    }

    // The binder's message names the parameter; the JSON reader's names the path and position.
    private static string Describe(BadHttpRequestException exception)
    {
        var inner = exception.InnerException is JsonException json ? " " + json.Message : "";
        return exception.StatusCode switch
        {
            413 => "The request body is larger than this endpoint accepts.",
            _ => exception.Message + inner,
        };
    }
}
