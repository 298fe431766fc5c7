using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Banyan.Aml.RuleSets;

/// <summary>
/// Typology thresholds as data (decision 0408): a named, versioned rule set. <see cref="Parameters"/> has exactly the
/// keys of the <c>--config</c> file (every key optional, defaults are the issue's); <see cref="Enabled"/> lists the
/// typologies that run (null or absent = all eleven). Stored in <c>aml_rule_sets</c>, managed over <c>/v1/aml/rules</c>,
/// replayed by <c>banyan aml backtest</c>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed partial record RuleSet
{
    public const int MaxDocumentBytes = 64 * 1024;

    public string Id { get; init; } = "";

    public int Version { get; init; }

    public DateTimeOffset? EffectiveFrom { get; init; }

    public IReadOnlyList<string>? Enabled { get; init; }

    public AmlConfig Parameters { get; init; } = new();

    /// <summary>Every rule on, default thresholds: what runs before any rule set is activated.</summary>
    public static RuleSet Baseline { get; } = new() { Id = "default", Version = 0 };

    /// <summary><c>id@version</c>, the label every alert records.</summary>
    public string Label => $"{Id}@{Version}";

    public IReadOnlySet<string>? EnabledSet => Enabled is null ? null : Enabled.ToHashSet(StringComparer.Ordinal);

    /// <summary>Parses and validates a rule-set document; every problem is a <see cref="FormatException"/> naming the field.</summary>
    public static RuleSet Parse(string json)
    {
        RuleSet? set;
        try
        {
            set = JsonSerializer.Deserialize<RuleSet>(json, AmlConfig.Json);
        }
        catch (JsonException e)
        {
            throw new FormatException("rule set: " + e.Message, e);
        }
        if (set is null) throw new FormatException("rule set: the document must be a JSON object");
        set.Validate();
        return set;
    }

    public static RuleSet Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"rule set file {path} does not exist", path);
        if (info.Length > MaxDocumentBytes) throw new FormatException($"rule set: {path} is larger than {MaxDocumentBytes} bytes");
        return Parse(File.ReadAllText(path));
    }

    public void Validate()
    {
        if (!IdPattern().IsMatch(Id)) throw new FormatException("rule set: id must be 1..64 characters of a-z, 0-9, '.', '_' or '-'");
        if (Version is < 1 or > 1_000_000) throw new FormatException("rule set: version must be an integer from 1 to 1000000");
        if (Enabled is not null)
        {
            var unknown = Enabled.Where(t => !Typology.All.Contains(t)).ToList();
            if (unknown.Count > 0) throw new FormatException($"rule set: enabled names unknown typologies: {string.Join(", ", unknown)}");
            if (Enabled.Distinct().Count() != Enabled.Count) throw new FormatException("rule set: enabled lists a typology twice");
        }
        if (Parameters is null) throw new FormatException("rule set: parameters must be an object");
        Parameters.Validate();
    }

    public string ToJson() => JsonSerializer.Serialize(this, AmlConfig.Json);

    [GeneratedRegex("^[a-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();
}
