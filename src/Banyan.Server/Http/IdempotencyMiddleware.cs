using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Banyan.Platform.Http;
using Banyan.Server.Identity;
using Banyan.Server.Storage;
using Microsoft.Extensions.Options;

namespace Banyan.Server.Http;

/// <summary>
/// <c>Idempotency-Key</c> for authenticated POSTs: the first request runs and, if it succeeded (status
/// below 400), its response is stored; a retry with the same key and body gets that response again (<c>Idempotent-Replayed: true</c>);
/// the same key with another body is a 422, and a retry while the first still runs is a 409.
/// Keys are scoped by client id, so clients cannot see each other's responses.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next, IdempotencyStore store, IOptions<ApiOptions> options, IProblemDetailsService problems)
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeaderName = "Idempotent-Replayed";

    // Headers that describe this connection or this attempt rather than the result.
    private static readonly HashSet<string> NotReplayed = new(StringComparer.OrdinalIgnoreCase)
    {
        "Date", "Server", "Transfer-Encoding", "Content-Length", "Connection", "Set-Cookie", RequestIdMiddleware.HeaderName, ReplayedHeaderName,
    };

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Headers.TryGetValue(HeaderName, out var values)
            || context.GetEndpoint() is null || IdentityRegistration.ClientIdOf(context.User) is not { } clientId)
        {
            await next(context);
            return;
        }

        var key = values.Count == 1 ? values[0] ?? "" : "";
        if (!IsValidKey(key))
        {
            await WriteProblemAsync(context, ProblemTypes.InvalidIdempotencyKey, $"Send exactly one Idempotency-Key of 1-{IdempotencyRecord.MaxKeyLength} printable ASCII characters.");
            return;
        }

        var hash = await HashRequestAsync(context.Request);
        var (decision, stored) = await store.BeginAsync(clientId, key, hash, context.RequestAborted);
        switch (decision)
        {
            case IdempotencyDecision.Replay:
                await ReplayAsync(context, stored!);
                return;
            case IdempotencyDecision.Mismatch:
                await WriteProblemAsync(context, ProblemTypes.IdempotencyKeyReused, "This Idempotency-Key was used with a different request; use a new key for a new request.");
                return;
            case IdempotencyDecision.InFlight:
                await WriteProblemAsync(context, ProblemTypes.IdempotencyInFlight, "A request with this Idempotency-Key is still being processed; retry later.");
                return;
        }

        await RunAndStoreAsync(context, clientId, key);
    }

    private async Task RunAndStoreAsync(HttpContext context, string clientId, string key)
    {
        var original = context.Response.Body;
        using var capture = new CaptureStream(original, options.Value.IdempotencyMaxStoredResponseBytes);
        context.Response.Body = capture;
        var completed = false;
        try
        {
            await next(context);
            var status = context.Response.StatusCode;

            // Only successes are remembered. An error response changed nothing (platform rule), so the
            // key is released and a corrected or later retry with the same key runs for real.
            if (status < 400 && !capture.Overflowed)
            {
                await store.CompleteAsync(clientId, key, status, SerializeHeaders(context.Response.Headers), capture.Captured(), CancellationToken.None);
                completed = true;
            }
        }
        finally
        {
            context.Response.Body = original;
            if (!completed)
            {
                await store.ReleaseAsync(clientId, key);
            }
        }
    }

    private static async Task ReplayAsync(HttpContext context, IdempotencyRecord stored)
    {
        context.Response.StatusCode = stored.StatusCode;
        var headers = JsonSerializer.Deserialize<Dictionary<string, string[]>>(stored.HeadersJson ?? "{}") ?? [];
        foreach (var (name, headerValues) in headers)
        {
            context.Response.Headers[name] = headerValues;
        }

        context.Response.Headers[ReplayedHeaderName] = "true";
        if (stored.Body is { Length: > 0 } body)
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    // The hash covers what makes two requests "the same": target, media type and exact body bytes.
    private static async Task<byte[]> HashRequestAsync(HttpRequest request)
    {
        // Keep bodies up to 1 MiB in memory; larger ones (bulk endpoints) spill to a temporary file.
        request.EnableBuffering(bufferThreshold: 1024 * 1024);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}\n{request.QueryString}\n{request.ContentType}\n"));
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        request.Body.Position = 0;
        return hash.GetHashAndReset();
    }

    private static string SerializeHeaders(IHeaderDictionary headers) =>
        JsonSerializer.Serialize(headers.Where(h => !NotReplayed.Contains(h.Key)).ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? "").ToArray()));

    private static bool IsValidKey(string key) =>
        key.Length is > 0 and <= IdempotencyRecord.MaxKeyLength && key.All(c => c is >= '!' and <= '~');

    private async Task WriteProblemAsync(HttpContext context, ProblemType type, string detail)
    {
        context.Response.StatusCode = type.Status;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = BanyanProblems.Create(type, detail) });
    }

    /// <summary>Passes writes through to the client while keeping a bounded copy for replay.</summary>
    private sealed class CaptureStream(Stream inner, int maxBytes) : Stream
    {
        private readonly MemoryStream _copy = new();

        public bool Overflowed { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public byte[] Captured() => _copy.ToArray();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Keep(buffer.AsSpan(offset, count));
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Keep(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _copy.Dispose();
            }

            base.Dispose(disposing);
        }

        private void Keep(ReadOnlySpan<byte> data)
        {
            if (Overflowed || _copy.Length + data.Length > maxBytes)
            {
                Overflowed = true;
                return;
            }

            _copy.Write(data);
        }
    }
}
