using System.Globalization;
using System.Text;

namespace Banyan.Aml;

internal sealed record SanctionsEntry(string Name, IReadOnlyList<string> Aliases, string Country, string List);

internal readonly record struct SanctionsHit(SanctionsEntry Entry, string MatchedName, double Similarity);

/// <summary>
/// Name screening. Names are normalised (Unicode compatibility folding, diacritics removed, Cyrillic/Greek
/// transliterated, case folded, punctuation to spaces, legal-form words dropped) into token sets, so case,
/// punctuation and token order never matter. A candidate matches only if:
/// (1) every token pairs one-to-one with a token of the other name at Damerau–Levenshtein distance ≤ 1
///     (tokens shorter than 4 characters must be equal; ≥ 10 characters may differ by 2), with at most
///     2 edits over the whole name — the near-miss guard: another surname or company word never pairs;
/// (2) the rarity-weighted Jaro–Winkler similarity over the pairs is ≥ the threshold (0.88).
/// Candidates come from an index of 3-character token prefixes and suffixes, so a typo in one place still finds them.
/// </summary>
internal sealed class SanctionsMatcher
{
    private static readonly HashSet<string> NoiseWords = new(StringComparer.Ordinal)
    {
        "ltd", "limited", "llc", "inc", "co", "corp", "corporation", "company", "plc", "gmbh", "sa", "ag", "jsc", "ooo", "the", "of", "and",
    };

    private readonly List<(string[] Tokens, SanctionsEntry Entry, string Name)> _names = [];
    private readonly Dictionary<string, List<int>> _index = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _documentFrequency = new(StringComparer.Ordinal);
    private readonly double _threshold;

    public SanctionsMatcher(IEnumerable<SanctionsEntry> entries, double threshold)
    {
        _threshold = threshold;
        foreach (var entry in entries)
            foreach (var name in entry.Aliases.Prepend(entry.Name))
                AddName(entry, name);
    }

    public int Count => _names.Count;

    private void AddName(SanctionsEntry entry, string name)
    {
        var tokens = Tokens(name);
        if (tokens.Length == 0) return;
        var id = _names.Count;
        _names.Add((tokens, entry, name));
        foreach (var token in tokens.Distinct())
        {
            _documentFrequency[token] = _documentFrequency.GetValueOrDefault(token) + 1;
            foreach (var key in Keys(token))
            {
                if (!_index.TryGetValue(key, out var ids)) _index[key] = ids = [];
                if (ids.Count == 0 || ids[^1] != id) ids.Add(id);
            }
        }
    }

    /// <summary>The best hit at or above the threshold, or null.</summary>
    public SanctionsHit? Match(string name)
    {
        var tokens = Tokens(name);
        if (tokens.Length == 0) return null;
        var candidates = new HashSet<int>();
        foreach (var token in tokens)
            foreach (var key in Keys(token))
                if (_index.TryGetValue(key, out var ids)) candidates.UnionWith(ids);
        SanctionsHit? best = null;
        foreach (var id in candidates)
        {
            var (entryTokens, entry, entryName) = _names[id];
            var similarity = Similarity(tokens, entryTokens);
            if (similarity >= _threshold && (best is null || similarity > best.Value.Similarity))
                best = new SanctionsHit(entry, entryName, similarity);
        }
        return best;
    }

    /// <summary>Rarity-weighted similarity after the pairing guard; 0 when any token stays unpaired.</summary>
    internal double Similarity(string[] a, string[] b)
    {
        if (a.Length != b.Length) return 0;
        var used = new bool[b.Length];
        double weighted = 0, weights = 0;
        var edits = 0;
        // Longest (most distinctive) tokens pair first, so a short token cannot steal a long one's partner.
        foreach (var token in a.OrderByDescending(t => t.Length))
        {
            var (partner, distance) = (-1, int.MaxValue);
            for (var j = 0; j < b.Length; j++)
            {
                if (used[j]) continue;
                var d = Distance(token, b[j], 2);
                if (d < distance) (partner, distance) = (j, d);
            }
            if (partner < 0 || distance > Allowed(Math.Min(token.Length, b[partner].Length))) return 0;
            used[partner] = true;
            edits += distance;
            var weight = Weight(b[partner]);
            weighted += weight * JaroWinkler(token, b[partner]);
            weights += weight;
        }
        return edits > 2 ? 0 : weighted / weights;
    }

    private static int Allowed(int length) => length < 4 ? 0 : length < 10 ? 1 : 2;

    /// <summary>Rare list tokens weigh more: a common word ("bank", "trading") cannot carry a match alone.</summary>
    private double Weight(string token) => 1.0 + Math.Log(1.0 + _names.Count / (1.0 + _documentFrequency.GetValueOrDefault(token)));

    private static IEnumerable<string> Keys(string token) =>
        token.Length <= 3 ? [token] : ["<" + token[..3], token[^3..] + ">"];

    public static string[] Tokens(string name)
    {
        var folded = Normalise(name);
        return folded.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(t => !NoiseWords.Contains(t)).Order(StringComparer.Ordinal).ToArray();
    }

    public static string Normalise(string name)
    {
        var decomposed = name.Normalize(NormalizationForm.FormKD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var raw in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(raw) == UnicodeCategory.NonSpacingMark) continue;
            var c = char.ToLowerInvariant(raw);
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9') builder.Append(c);
            else if (Transliteration.TryGetValue(c, out var latin)) builder.Append(latin);
            else if (char.IsLetter(c)) builder.Append(c);
            else if (c != '\'') builder.Append(' ');
        }
        return builder.ToString();
    }

    private static readonly Dictionary<char, string> Transliteration = BuildTransliteration();

    private static Dictionary<char, string> BuildTransliteration()
    {
        var map = new Dictionary<char, string>
        {
            ['ß'] = "ss", ['æ'] = "ae", ['ø'] = "o", ['œ'] = "oe", ['ł'] = "l", ['đ'] = "d", ['þ'] = "th", ['ı'] = "i",
        };
        // Cyrillic (BGN/PCGN-like, simplified) and Greek; the soft and hard signs vanish.
        const string cyr = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ";
        string[] lat = ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "i", "ye", "g"];
        for (var i = 0; i < cyr.Length; i++) map[cyr[i]] = lat[i];
        const string greek = "αβγδεζηθικλμνξοπρστυφχψως";
        string[] glat = ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s", "t", "y", "f", "ch", "ps", "o", "s"];
        for (var i = 0; i < greek.Length; i++) map[greek[i]] = glat[i];
        return map;
    }

    /// <summary>Optimal-string-alignment distance, giving up (returning limit + 1) once it must exceed <paramref name="limit"/>.</summary>
    internal static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit) return limit + 1;
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) value = Math.Min(value, previous2[j - 2] + 1);
                current[j] = value;
                rowMin = Math.Min(rowMin, value);
            }
            if (rowMin > limit) return limit + 1;
            (previous2, previous, current) = (previous, current, previous2);
        }
        return Math.Min(previous[b.Length], limit + 1);
    }

    internal static double JaroWinkler(string a, string b)
    {
        if (a == b) return 1.0;
        if (a.Length == 0 || b.Length == 0) return 0.0;
        var range = Math.Max(0, Math.Max(a.Length, b.Length) / 2 - 1);
        var aMatched = new bool[a.Length];
        var bMatched = new bool[b.Length];
        var matches = 0;
        for (var i = 0; i < a.Length; i++)
            for (var j = Math.Max(0, i - range); j < Math.Min(b.Length, i + range + 1); j++)
            {
                if (bMatched[j] || a[i] != b[j]) continue;
                aMatched[i] = bMatched[j] = true;
                matches++;
                break;
            }
        if (matches == 0) return 0.0;
        var transpositions = 0;
        for (int i = 0, k = 0; i < a.Length; i++)
        {
            if (!aMatched[i]) continue;
            while (!bMatched[k]) k++;
            if (a[i] != b[k]) transpositions++;
            k++;
        }
        double m = matches;
        var jaro = (m / a.Length + m / b.Length + (m - transpositions / 2.0) / m) / 3.0;
        var prefix = 0;
        while (prefix < Math.Min(4, Math.Min(a.Length, b.Length)) && a[prefix] == b[prefix]) prefix++;
        return jaro + prefix * 0.1 * (1.0 - jaro);
    }
}

/// <summary>Reads list.csv: <c>name,aliases,country,list</c> (aliases separated by ';'; RFC 4180 quotes allowed; a header line is skipped).</summary>
internal static class SanctionsReader
{
    public static List<SanctionsEntry> Read(string path, InputIssues issues)
    {
        var file = Path.GetFileName(path);
        var entries = new List<SanctionsEntry>();
        var number = 0L;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = SplitCsv(line);
            if (number == 1 && fields is { Count: > 0 } && fields[0].Trim().Equals("name", StringComparison.OrdinalIgnoreCase)) continue;
            if (fields is null || fields.Count < 1 || string.IsNullOrWhiteSpace(fields[0]))
            {
                issues.Report(file, number, "expected name,aliases,country,list with a non-empty name");
                continue;
            }
            var aliases = fields.Count > 1 ? fields[1].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            entries.Add(new SanctionsEntry(fields[0].Trim(), aliases, fields.Count > 2 ? fields[2].Trim() : "", fields.Count > 3 ? fields[3].Trim() : ""));
        }
        return entries;
    }

    /// <summary>One CSV record on one line; null when a quote is left open.</summary>
    internal static List<string>? SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted) return null;
        fields.Add(field.ToString());
        return fields;
    }
}
