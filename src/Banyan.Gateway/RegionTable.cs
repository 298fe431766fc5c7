using System.Net;
using System.Text.Json;

namespace Banyan.Gateway;

/// <summary>One row of the CIDR → region table.</summary>
internal readonly record struct RegionRange(IPNetwork Network, string Region);

/// <summary>
/// Maps a source address to a region code (longest prefix wins) and knows where each region is, so
/// the detector can tell a plausible trip from impossible travel. Addresses outside the table are
/// <see cref="Unknown"/>; unknown regions never count as travel.
/// </summary>
internal sealed class RegionTable
{
    public const string Unknown = "unknown";
    public const int MaxEntries = 100_000;
    private const double EarthRadiusKm = 6_371;

    /// <summary>Approximate centres (latitude, longitude) of the regions the default tables use.</summary>
    private static readonly Dictionary<string, (double Lat, double Lon)> Coordinates = new(StringComparer.Ordinal)
    {
        ["CN-BJ"] = (39.90, 116.41), ["CN-SH"] = (31.23, 121.47), ["CN-GZ"] = (23.13, 113.26),
        ["CN-SZ"] = (22.54, 114.06), ["CN-CD"] = (30.57, 104.07), ["CN-HZ"] = (30.27, 120.16),
        ["CN-XA"] = (34.34, 108.94), ["HK"] = (22.32, 114.17), ["SG"] = (1.35, 103.82), ["JP"] = (35.68, 139.69),
        ["EU"] = (50.11, 8.68), ["GB"] = (51.51, -0.13), ["US-E"] = (40.71, -74.01), ["US-W"] = (37.77, -122.42),
    };

    private readonly RegionRange[] _ranges;

    public RegionTable(IEnumerable<RegionRange> ranges)
    {
        // Longest prefix first, so the first match is the most specific one.
        _ranges = [.. ranges.OrderByDescending(r => r.Network.PrefixLength)];
        if (_ranges.Length > MaxEntries) throw new InvalidOperationException($"the region table has more than {MaxEntries} entries");
    }

    /// <summary>Loopback and private ranges are <c>LOCAL</c>; everything else is unknown until configured.</summary>
    public static RegionTable Default { get; } = new(
    [
        new(IPNetwork.Parse("127.0.0.0/8"), "LOCAL"), new(IPNetwork.Parse("::1/128"), "LOCAL"),
    ]);

    public int Count => _ranges.Length;

    /// <summary>Reads <c>[{"cidr": "10.1.0.0/16", "region": "CN-BJ"}, …]</c>.</summary>
    public static RegionTable Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        if (document.RootElement.ValueKind != JsonValueKind.Array) throw new InvalidOperationException($"{path}: expected a JSON array of {{cidr, region}}");
        var ranges = new List<RegionRange>();
        foreach (var row in document.RootElement.EnumerateArray())
        {
            var cidr = row.TryGetProperty("cidr", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
            var region = row.TryGetProperty("region", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "";
            if (!IPNetwork.TryParse(cidr, out var network) || region.Length is 0 or > 32)
            {
                throw new InvalidOperationException($"{path}: row {ranges.Count + 1} needs a valid 'cidr' and a 'region' of 1..32 characters");
            }

            ranges.Add(new RegionRange(network, region));
        }

        return new RegionTable(ranges);
    }

    public string RegionOf(IPAddress? address)
    {
        if (address is null) return Unknown;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var range in _ranges)
        {
            if (range.Network.Contains(address)) return range.Region;
        }

        return Unknown;
    }

    /// <summary>Great-circle distance between two regions' centres, or null when either has no coordinates.</summary>
    public static double? DistanceKm(string from, string to)
    {
        if (from == to) return 0;
        if (!Coordinates.TryGetValue(from, out var a) || !Coordinates.TryGetValue(to, out var b)) return null;
        var dLat = Radians(b.Lat - a.Lat);
        var dLon = Radians(b.Lon - a.Lon);
        var h = Math.Pow(Math.Sin(dLat / 2), 2) + (Math.Cos(Radians(a.Lat)) * Math.Cos(Radians(b.Lat)) * Math.Pow(Math.Sin(dLon / 2), 2));
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    private static double Radians(double degrees) => degrees * Math.PI / 180;
}
