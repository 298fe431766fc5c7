using System.Globalization;
using Banyan.Ledger.Http.Api;
using Microsoft.AspNetCore.Http;

namespace Banyan.Ledger.Http.ReadModels;

/// <summary>Strict parsing of the read endpoints' query string: a malformed value is a 400 problem, never ignored.</summary>
internal static class QueryParameters
{
    public const int MaxLimit = 1_000;
    public const int DefaultLimit = 100;

    public static ulong? UInt64(IQueryCollection query, string name) =>
        Text(query, name) is { } text
            ? ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(name, "must be a decimal unsigned 64-bit integer")
            : null;

    public static uint? UInt32(IQueryCollection query, string name, uint max = uint.MaxValue) =>
        UInt64(query, name) is { } v ? v <= max ? (uint)v : throw Bad(name, $"must be at most {max}") : null;

    public static UInt128? UInt128Value(IQueryCollection query, string name) =>
        Text(query, name) is { } text
            ? UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(name, "must be a decimal unsigned 128-bit integer")
            : null;

    public static int Limit(IQueryCollection query) =>
        UInt64(query, "limit") switch
        {
            null => DefaultLimit,
            0 or > MaxLimit => throw Bad("limit", $"must be between 1 and {MaxLimit}"),
            var v => (int)v.Value,
        };

    public static bool Flag(IQueryCollection query, string name) =>
        Text(query, name) switch
        {
            null or "false" => false,
            "true" => true,
            _ => throw Bad(name, "must be true or false"),
        };

    /// <summary>A timestamp as a signed column value; timestamps above the column range cannot exist, so they clamp.</summary>
    public static long? Timestamp(IQueryCollection query, string name) =>
        UInt64(query, name) is { } v ? (long)Math.Min(v, long.MaxValue) : null;

    private static string? Text(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values)) return null;
        if (values.Count != 1) throw Bad(name, "must be given once");
        return values[0];
    }

    private static LedgerInputException Bad(string name, string detail) => new(null, name, name + " " + detail);
}
