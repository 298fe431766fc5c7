using System.Text.Json;
using System.Text.Json.Serialization;

namespace Banyan.Platform.Http;

/// <summary>
/// The JSON conventions of the public API: snake_case members and enum values, nullable annotations
/// and required constructor parameters respected. The host applies them to every minimal API.
/// </summary>
public static class BanyanJson
{
    /// <summary>Read-only options for clients and tests reading Banyan responses (unknown members are ignored).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Applies the conventions to <paramref name="options"/> (e.g. the host's HTTP JSON options).</summary>
    public static void Apply(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Apply(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
