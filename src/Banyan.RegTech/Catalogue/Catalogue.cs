using System.Reflection;
using System.Text.Json;
using Banyan.Platform.Http;

namespace Banyan.RegTech.Catalogue;

/// <summary>A named addition to a minimum (capital conservation buffer, countercyclical buffer, D-SIB surcharge).</summary>
internal sealed record Buffer(string Name, decimal Value);

/// <summary>Limits of an indicator. A ratio's limits are fractions (0.045 = 4.5 %).</summary>
internal sealed record Thresholds(decimal? Min = null, decimal? Max = null, decimal? WarningBand = null, IReadOnlyList<Buffer>? Buffers = null)
{
    /// <summary>The minimum plus every buffer: below it distributions are restricted (or the indicator is in warning).</summary>
    public decimal? MinWithBuffers => Min is null ? null : Min + (Buffers?.Sum(b => b.Value) ?? 0m);
}

/// <summary>How an indicator is computed: text for people, <see cref="Expr"/> for the engine.</summary>
internal sealed record Formula(string Text, string Expr);

/// <summary>One regulatory indicator of the catalogue (Resources/catalogue.json).</summary>
internal sealed record Indicator(
    string Id, string Profile, string Category, string NameEn, string NameZh, Formula Formula,
    IReadOnlyList<string> Sources, string Unit, string Frequency, Thresholds Thresholds, string Reference);

/// <summary>The indicator catalogue: data, loaded from the embedded resource and checked on load.</summary>
internal sealed class IndicatorCatalogue
{
    public const string ProfileCn = "cn";
    public const string ProfileBasel = "basel";
    public static readonly IReadOnlyList<string> Profiles = [ProfileCn, ProfileBasel];
    private static readonly string[] Units = ["ratio", "money", "count"];
    private static readonly string[] Frequencies = ["daily", "monthly", "quarterly"];

    private readonly Dictionary<string, Indicator> _byId;

    public IndicatorCatalogue(string version, IReadOnlyList<Indicator> indicators)
    {
        Version = version;
        Indicators = indicators;
        _byId = new Dictionary<string, Indicator>(StringComparer.Ordinal);
        foreach (var i in indicators)
        {
            if (!_byId.TryAdd(i.Id, i)) throw new InvalidDataException($"indicator '{i.Id}' is listed twice");
            if (!Profiles.Contains(i.Profile)) throw new InvalidDataException($"indicator '{i.Id}': unknown profile '{i.Profile}'");
            if (!Units.Contains(i.Unit)) throw new InvalidDataException($"indicator '{i.Id}': unknown unit '{i.Unit}'");
            if (!Frequencies.Contains(i.Frequency)) throw new InvalidDataException($"indicator '{i.Id}': unknown frequency '{i.Frequency}'");
        }
    }

    public string Version { get; }

    public IReadOnlyList<Indicator> Indicators { get; }

    public IEnumerable<Indicator> ForProfile(string profile) => Indicators.Where(i => i.Profile == profile);

    public bool TryGet(string id, out Indicator indicator) => _byId.TryGetValue(id, out indicator!);

    public static IndicatorCatalogue LoadEmbedded()
    {
        using var stream = Resources.Open("catalogue.json");
        var file = JsonSerializer.Deserialize<CatalogueFile>(stream, BanyanJson.Options)
            ?? throw new InvalidDataException("catalogue.json is empty");
        return new IndicatorCatalogue(file.Version, file.Indicators);
    }

    private sealed record CatalogueFile(string Version, IReadOnlyList<Indicator> Indicators);
}

/// <summary>The module's embedded data files.</summary>
internal static class Resources
{
    public static Stream Open(string name) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream("Banyan.RegTech." + name)
        ?? throw new InvalidOperationException($"embedded resource {name} is missing");

    public static string ReadText(string name)
    {
        using var reader = new StreamReader(Open(name));
        return reader.ReadToEnd();
    }
}
