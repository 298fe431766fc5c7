using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Banyan.Ledger.Http.Api;

/// <summary>Writes a JSON body straight into the response pipe (no intermediate string or DTO).</summary>
internal sealed class JsonBodyResult<TState>(TState state, Action<Utf8JsonWriter, TState> write) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { SkipValidation = true }))
        {
            write(writer, state);
            writer.Flush();
        }
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }
}

/// <summary>Writes an array of blittable values as raw little-endian bytes (the bulk path's responses).</summary>
internal sealed class BinaryBodyResult<T>(T[] values, int count, string contentType) : IResult where T : unmanaged
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var bytes = MemoryMarshal.AsBytes(values.AsSpan(0, count));
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = bytes.Length;
        response.BodyWriter.Write(bytes);
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }
}

internal static class LedgerResults
{
    public static IResult Json<TState>(TState state, Action<Utf8JsonWriter, TState> write) => new JsonBodyResult<TState>(state, write);

    public static IResult EmptyArray() => Json(0, static (w, _) => { w.WriteStartArray(); w.WriteEndArray(); });
}
