namespace Banyan.Credit.Data;

/// <summary>How one input column becomes one model feature.</summary>
internal enum FeatureKind
{
    Numeric,
    Categorical,
}

/// <summary>
/// One model feature = one input column. Categorical columns are coded by the rank of their smoothed
/// training bad rate, so a tree threshold on the code is the optimal binary partition of categories
/// (Fisher 1958) and every input column stays a single Shapley player.
/// </summary>
internal sealed record FeatureSpec(string Name, FeatureKind Kind, IReadOnlyList<string> Categories)
{
    /// <summary>Categories beyond this many (by frequency) are treated as missing.</summary>
    public const int MaxCategories = 256;

    private Dictionary<string, int>? codes;

    /// <summary>The numeric value, or the category's code; <see cref="double.NaN"/> when missing or unseen.</summary>
    public double Encode(string? raw)
    {
        if (raw is null) return double.NaN;
        if (Kind == FeatureKind.Numeric) return Table.TryParseNumber(raw, out var v) ? v : double.NaN;
        codes ??= Categories.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        return codes.TryGetValue(raw, out var code) ? code : double.NaN;
    }
}

/// <summary>The features of a model and how to find them in a table.</summary>
internal sealed class FeatureSchema(IReadOnlyList<FeatureSpec> features)
{
    public IReadOnlyList<FeatureSpec> Features { get; } = features;

    public int Count => Features.Count;

    /// <summary>
    /// Infers the schema from training rows: a column is numeric when declared so (ARFF) or when every
    /// present value parses as a number; otherwise categorical, coded by smoothed bad rate.
    /// </summary>
    public static FeatureSchema Infer(Table table, IReadOnlyList<int> columns, IReadOnlyList<int> labels, IReadOnlyList<int> rows)
    {
        var specs = new List<FeatureSpec>(columns.Count);
        foreach (var c in columns)
        {
            var numeric = table.Types[c] switch
            {
                DeclaredType.Numeric => true,
                DeclaredType.Nominal => false,
                _ => rows.All(r => table.Rows[r][c] is not { } s || Table.TryParseNumber(s, out _)),
            };
            specs.Add(numeric
                ? new FeatureSpec(table.Columns[c], FeatureKind.Numeric, [])
                : new FeatureSpec(table.Columns[c], FeatureKind.Categorical, RankCategories(table, c, labels, rows)));
        }
        return new FeatureSchema(specs);
    }

    /// <summary>Categories ordered by (bad + m·prior)/(n + m) with m = 10, ties by name, for determinism.</summary>
    private static List<string> RankCategories(Table table, int column, IReadOnlyList<int> labels, IReadOnlyList<int> rows)
    {
        var stats = new Dictionary<string, (int N, int Bad)>(StringComparer.Ordinal);
        var totalBad = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            totalBad += labels[i];
            if (table.Rows[rows[i]][column] is not { } value) continue;
            stats.TryGetValue(value, out var s);
            stats[value] = (s.N + 1, s.Bad + labels[i]);
        }
        var prior = rows.Count == 0 ? 0.5 : (double)totalBad / rows.Count;
        const double m = 10;
        return stats
            .OrderByDescending(p => p.Value.N).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(FeatureSpec.MaxCategories)
            .OrderBy(p => (p.Value.Bad + m * prior) / (p.Value.N + m)).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key)
            .ToList();
    }

    /// <summary>Encodes the given table rows into a dense row-major matrix.</summary>
    public double[][] Encode(Table table, IReadOnlyList<int> rows)
    {
        var index = Features.Select(f => table.ColumnIndex(f.Name)).ToArray();
        for (var j = 0; j < index.Length; j++)
            if (index[j] < 0) throw new InvalidDataException($"data has no column '{Features[j].Name}' that the model needs");
        var x = new double[rows.Count][];
        for (var i = 0; i < rows.Count; i++)
        {
            var raw = table.Rows[rows[i]];
            var row = new double[index.Length];
            for (var j = 0; j < index.Length; j++) row[j] = Features[j].Encode(raw[index[j]]);
            x[i] = row;
        }
        return x;
    }
}
