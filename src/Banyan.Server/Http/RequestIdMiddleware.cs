using System.Collections;
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

    // Ids only need to be unique, not secret: 64 random bits per process + a 64-bit counter, both as lowercase hex
    // (32 characters, the same shape as before). Costs one string per request instead of an RNG call + a byte array.
    private static readonly ulong ProcessPrefix = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));
    private static long _counter;

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName].ToString();
        var requestId = IsAcceptable(incoming) ? incoming : NewId();
        context.Items[ItemKey] = requestId;

        // Set when the response starts (not now): the exception handler clears headers before writing its problem.
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            if (Get(http) is { } id)
            {
                http.Response.Headers[HeaderName] = id;
            }

            return Task.CompletedTask;
        }, context);
        using (log.BeginScope(new RequestIdScope(requestId)))
        {
            await next(context);
        }
    }

    public static string? Get(HttpContext context) => context.Items.TryGetValue(ItemKey, out var value) ? value as string : null;

    internal static string NewId()
    {
        // unchecked: the counter may wrap after 2^64 requests; uniqueness then rests on the prefix + time apart.
        var sequence = unchecked((ulong)Interlocked.Increment(ref _counter));
        return string.Create(32, (ProcessPrefix, sequence), static (span, state) =>
        {
            state.ProcessPrefix.TryFormat(span[..16], out _, "x16");
            state.sequence.TryFormat(span[16..], out _, "x16");
        });
    }

    // Only ids that are safe to echo into headers and logs: bounded length, no spaces or control characters.
    private static bool IsAcceptable(string value) =>
        value.Length is > 0 and <= MaxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/' or '+' or '=');

    /// <summary>
    /// The logging scope: one small object with one pair instead of a dictionary per request. Loggers that
    /// read scopes as key/value lists (JSON console, OpenTelemetry) still see <c>request_id</c>.
    /// </summary>
    private sealed class RequestIdScope(string requestId) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public int Count => 1;

        public KeyValuePair<string, object> this[int index] =>
            index == 0 ? new KeyValuePair<string, object>("request_id", requestId) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
        {
            yield return this[0];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => "request_id:" + requestId;
    }
}
