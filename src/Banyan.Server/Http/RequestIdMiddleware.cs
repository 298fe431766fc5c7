using System.Security.Cryptography;

namespace Banyan.Server.Http;

/// <summary>
/// Echoes <c>X-Request-ID</c> (or makes one), keeps it for problems and puts it in the logging scope
/// so every log line of a request carries it.
/// </summary>
internal sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> log)
{
    public const string HeaderName = "X-Request-ID";
    public const int MaxLength = 128;
    private static readonly object ItemKey = new();

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName].ToString();
        var requestId = IsAcceptable(incoming) ? incoming : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        context.Items[ItemKey] = requestId;
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[HeaderName] = requestId;
            return Task.CompletedTask;
        });
        using (log.BeginScope(new Dictionary<string, object> { ["request_id"] = requestId }))
        {
            await next(context);
        }
    }

    public static string? Get(HttpContext context) => context.Items.TryGetValue(ItemKey, out var value) ? value as string : null;

    // Only ids that are safe to echo into headers and logs: bounded length, no spaces or control characters.
    private static bool IsAcceptable(string value) =>
        value.Length is > 0 and <= MaxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/' or '+' or '=');
}
