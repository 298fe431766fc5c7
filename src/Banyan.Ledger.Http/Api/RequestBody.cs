using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Banyan.Ledger.Http.Api;

/// <summary>A request body read whole into a pooled buffer; dispose to return the buffer.</summary>
internal readonly struct PooledBody(byte[] buffer, int length) : IDisposable
{
    public int Length => length;

    public ReadOnlySpan<byte> Span => buffer.AsSpan(0, length);

    public void Dispose()
    {
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}

/// <summary>The body exceeds the endpoint's limit: a 413 problem.</summary>
internal sealed class RequestBodyTooLargeException(long limitBytes)
    : Exception($"the request body exceeds {limitBytes} bytes")
{
    public long LimitBytes { get; } = limitBytes;
}

/// <summary>
/// Reads request bodies for the ledger endpoints. The batch endpoints need more than the host's
/// default body limit (8,190 JSON transfers are a few MiB), so each raises Kestrel's per-request
/// limit to its own bound before reading, and enforces that bound itself as well (a body read by an
/// earlier middleware makes the feature read-only).
/// </summary>
internal static class RequestBody
{
    /// <summary>Bound for JSON batch bodies: 8,190 fully populated transfers stay well below it.</summary>
    public const int MaxJsonBytes = 8 * 1024 * 1024;

    /// <summary>Bound for binary bodies: room for a few events over the limit so that case is a precise 400.</summary>
    public const int MaxBinaryBytes = 2 * 1024 * 1024;

    private const int InitialBytes = 16 * 1024;

    public static async ValueTask<PooledBody> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var feature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false }) feature.MaxRequestBodySize = maxBytes;
        var declared = request.ContentLength;
        if (declared > maxBytes) throw new RequestBodyTooLargeException(maxBytes);
        // One spare byte when the length is declared, so the end is seen without growing.
        var buffer = ArrayPool<byte>.Shared.Rent(declared is { } d ? checked((int)d + 1) : InitialBytes);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length) buffer = Grow(buffer, length, maxBytes);
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0) break;
                length += read;
                if (length > maxBytes) throw new RequestBodyTooLargeException(maxBytes);
            }
            return new PooledBody(buffer, length);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new RequestBodyTooLargeException(maxBytes);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static byte[] Grow(byte[] buffer, int length, int maxBytes)
    {
        var size = (int)Math.Min((long)buffer.Length * 2, (long)maxBytes + 1);
        if (size <= length) throw new RequestBodyTooLargeException(maxBytes);
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(0, length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }
}
