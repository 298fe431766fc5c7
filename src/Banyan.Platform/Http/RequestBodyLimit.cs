using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;

namespace Banyan.Platform.Http;

/// <summary>
/// Endpoint metadata that raises (or lowers) the request-body limit for one endpoint. The host's
/// default is 1 MiB; bodies over the limit get a 413 <c>payload-too-large</c> problem.
/// </summary>
public sealed class RequestBodyLimit : IRequestSizeLimitMetadata
{
    /// <summary>The largest limit an endpoint may ask for (64 MiB): everything has a limit.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>Creates the metadata.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> is not in 1..<see cref="MaxBytes"/>.</exception>
    public RequestBodyLimit(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBytes, MaxBytes);
        MaxRequestBodySize = maxBytes;
    }

    /// <inheritdoc />
    public long? MaxRequestBodySize { get; }
}

/// <summary>Endpoint conventions of the Banyan API.</summary>
public static class BanyanEndpointConventions
{
    /// <summary>Sets this endpoint's request-body limit, e.g. <c>.WithRequestBodyLimit(8 * 1024 * 1024)</c>.</summary>
    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder, long maxBytes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyLimit(maxBytes));
}
